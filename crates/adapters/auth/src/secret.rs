//! HMAC signing secrets from the configuration, or a random one per process.

use aws_lc_rs::hmac;
use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::error::AuthError;
use crate::random;

/// Shorter keys are accepted (deployed `.env` files use 22-character secrets, D-21) but
/// warned about: HS256 wants at least 32 bytes.
const RECOMMENDED_LEN: usize = 32;

/// The bytes of an HS256 key. Never printed.
pub struct SigningSecret {
    bytes: SecretBox<Vec<u8>>,
    /// True when no secret was configured and this one is random.
    pub ephemeral: bool,
}

impl SigningSecret {
    /// The configured secret, or — when unset or empty — a random one with a warning:
    /// tokens then do not survive a restart and other instances do not accept them.
    /// Errors: `Random` if no randomness is available.
    pub fn from_config(
        configured: Option<&SecretString>,
        name: &'static str,
    ) -> Result<Self, AuthError> {
        match configured.map(|s| s.expose_secret().as_bytes().to_vec()) {
            Some(bytes) if !bytes.is_empty() => {
                if bytes.len() < RECOMMENDED_LEN {
                    tracing::warn!(
                        secret = name,
                        len = bytes.len(),
                        "the secret is shorter than the 32 bytes recommended for HS256"
                    );
                }
                Ok(Self {
                    bytes: SecretBox::new(Box::new(bytes)),
                    ephemeral: false,
                })
            }
            _ => {
                tracing::warn!(
                    secret = name,
                    "not configured: using a random secret for this process; tokens will not \
                     survive a restart"
                );
                Self::random()
            }
        }
    }

    /// A random 256-bit secret. Errors: `Random`.
    pub fn random() -> Result<Self, AuthError> {
        let bytes = random::bytes::<32>().map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(Self {
            bytes: SecretBox::new(Box::new(bytes.to_vec())),
            ephemeral: true,
        })
    }

    pub(crate) fn expose(&self) -> &[u8] {
        self.bytes.expose_secret()
    }

    /// A key for another purpose derived from this secret (HMAC-SHA256 of `label`), so that
    /// one configured secret can serve several purposes without reusing the same key.
    pub fn derive(&self, label: &str) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.expose());
        hmac::sign(&key, label.as_bytes()).as_ref().to_vec()
    }

    /// Whether two secrets are the same bytes (a configuration mistake worth a warning).
    pub fn same_as(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningSecret")
            .field("ephemeral", &self.ephemeral)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unset_or_empty_secrets_become_random_ones() {
        let a = SigningSecret::from_config(None, "test").unwrap();
        let b = SigningSecret::from_config(Some(&SecretString::from("")), "test").unwrap();
        assert!(a.ephemeral && b.ephemeral);
        assert!(!a.same_as(&b));
        assert_eq!(a.expose().len(), 32);
    }

    #[test]
    fn configured_secrets_are_used_verbatim_and_never_printed() {
        let s = SigningSecret::from_config(Some(&SecretString::from("s3cret")), "test").unwrap();
        assert!(!s.ephemeral);
        assert_eq!(s.expose(), b"s3cret");
        assert!(!format!("{s:?}").contains("s3cret"));
        assert_ne!(s.derive("a"), s.derive("b"));
    }
}
