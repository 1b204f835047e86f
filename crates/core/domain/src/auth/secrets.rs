use crate::DomainError;

/// The SHA-256 digest of a secret (API key, refresh token), lower-case hex: what is stored
/// instead of the secret: a leaked table holds no usable credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(pub String);

impl Digest {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A freshly generated API key: the secret (shown once), its digest and a non-secret hint.
#[derive(Clone, PartialEq, Eq)]
pub struct MintedApiKey {
    pub secret: String,
    pub digest: Digest,
    /// Prefix and last four characters, e.g. `ents_…9f3a`.
    pub hint: String,
}

impl std::fmt::Debug for MintedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MintedApiKey")
            .field("hint", &self.hint)
            .finish_non_exhaustive()
    }
}

/// Digests and random secrets.
pub trait SecretHasher: Send + Sync + 'static {
    /// The digest under which `secret` is stored and looked up.
    fn digest(&self, secret: &str) -> Digest;

    /// A new random API key (prefix `ents_`, at least 256 bits of randomness).
    /// Errors: `Internal` if the system's random source fails.
    fn mint_api_key(&self) -> Result<MintedApiKey, DomainError>;
}
