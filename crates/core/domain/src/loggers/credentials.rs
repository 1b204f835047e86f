//! LoRaWAN credentials as upstream reads them (docs/compatibility.md#loggers): every non-hex
//! character is stripped, then DevEUI and JoinEUI must be 16 hex digits and the AppKey 32.

/// `(value or "").strip().upper()`: how upstream stores `device_eui` (absent → `""`).
pub fn normalise_device_eui(raw: Option<&str>) -> String {
    raw.unwrap_or_default().trim().to_uppercase()
}

/// The root key of a LoRaWAN 1.0 device. Its `Debug` never shows it, and it is neither
/// `Serialize` nor `Display`: the only way out is [`AppKey::expose`], used by the registry
/// adapter to build its request.
#[derive(Clone, PartialEq, Eq)]
pub struct AppKey(String);

impl AppKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppKey(…)")
    }
}

/// Valid credentials of a device to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoraCredentials {
    pub dev_eui: String,
    pub join_eui: String,
    pub app_key: AppKey,
}

impl LoraCredentials {
    /// `None` unless all three are present and valid after stripping non-hex characters.
    /// Letter case is kept as supplied (upstream sends it to TTN that way).
    pub fn parse(
        dev_eui: Option<&str>,
        join_eui: Option<&str>,
        app_key: Option<&str>,
    ) -> Option<Self> {
        let dev_eui = hex_of(dev_eui?, 16)?;
        let join_eui = hex_of(join_eui?, 16)?;
        let app_key = hex_of(app_key?, 32)?;
        Some(Self {
            dev_eui,
            join_eui,
            app_key: AppKey(app_key),
        })
    }

    /// Rebuilds stored credentials (already validated when they were stored).
    pub fn from_stored(dev_eui: String, join_eui: String, app_key: String) -> Self {
        Self {
            dev_eui,
            join_eui,
            app_key: AppKey(app_key),
        }
    }
}

fn hex_of(raw: &str, len: usize) -> Option<String> {
    let hex: String = raw.chars().filter(char::is_ascii_hexdigit).collect();
    (hex.len() == len).then_some(hex)
}
