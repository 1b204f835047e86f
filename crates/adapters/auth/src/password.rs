//! Argon2id password hashing with the OWASP parameters (19 MiB, 2 passes, 1 lane), run on
//! tokio's blocking pool so a sign-in never stalls the async workers.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::PasswordHasher as _;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordVerifier, Version};
use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::auth::{Password, PasswordHasher};

use crate::encoding::hex;
use crate::error::AuthError;
use crate::random;

/// OWASP Password Storage Cheat Sheet, Argon2id: m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// [`PasswordHasher`] with Argon2id.
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon2: Argon2<'static>,
    /// The hash checked when there is no real one (unknown e-mail address), so that a
    /// failed sign-in costs the same either way. Made on first use.
    dummy: OnceLock<Option<String>>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher").finish_non_exhaustive()
    }
}

impl Argon2Hasher {
    /// The OWASP parameters. Errors: `InvalidKey` if the parameters are refused (they are
    /// constants, so never in practice).
    pub fn new() -> Result<Self, AuthError> {
        Self::with_params(MEMORY_KIB, ITERATIONS, LANES)
    }

    /// Cheaper parameters, for tests of other components only.
    pub fn with_params(memory_kib: u32, iterations: u32, lanes: u32) -> Result<Self, AuthError> {
        let params = Params::new(memory_kib, iterations, lanes, None).map_err(|e| {
            AuthError::InvalidKey {
                name: "argon2 parameters",
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
                dummy: OnceLock::new(),
            }),
        })
    }
}

impl Inner {
    fn hash(&self, password: &[u8]) -> Result<String, DomainError> {
        self.argon2
            .hash_password(password)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::internal(format!("argon2: {e}")))
    }

    fn dummy(&self) -> Option<&str> {
        self.dummy
            .get_or_init(|| {
                let random = random::bytes::<16>().ok()?;
                self.hash(hex(&random).as_bytes()).ok()
            })
            .as_deref()
    }

    fn verify(&self, password: &[u8], hash: Option<&str>) -> bool {
        let (hash, real) = match hash {
            Some(h) => (Some(h), true),
            None => (self.dummy(), false),
        };
        let Some(parsed) = hash.and_then(|h| PasswordHash::new(h).ok()) else {
            // A malformed stored hash never matches. (Not timing-equalised: it means a
            // corrupted row, not a probe.)
            return false;
        };
        // Verifies with the parameters stored in the hash, so hashes made with older
        // parameters keep working.
        let matches = self.argon2.verify_password(password, &parsed).is_ok();
        real && matches
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<String, DomainError> {
        let inner = self.inner.clone();
        let password = password.expose().as_bytes().to_vec();
        tokio::task::spawn_blocking(move || inner.hash(&password))
            .await
            .map_err(DomainError::internal)?
    }

    async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, DomainError> {
        let inner = self.inner.clone();
        let password = password.expose().as_bytes().to_vec();
        let hash = hash.map(str::to_owned);
        tokio::task::spawn_blocking(move || inner.verify(&password, hash.as_deref()))
            .await
            .map_err(DomainError::internal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pw(s: &str) -> Password {
        Password::presented(s.to_owned())
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_with_owasp_parameters() {
        let hasher = Argon2Hasher::new().unwrap();
        let hash = hasher.hash(&pw("correct horse")).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            hasher
                .verify(&pw("correct horse"), Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(&pw("wrong horse"), Some(&hash))
                .await
                .unwrap()
        );
        // Salted: the same password hashes differently.
        assert_ne!(hash, hasher.hash(&pw("correct horse")).await.unwrap());
    }

    #[tokio::test]
    async fn no_hash_or_a_malformed_hash_never_matches() {
        let hasher = Argon2Hasher::with_params(64, 1, 1).unwrap();
        assert!(!hasher.verify(&pw(""), None).await.unwrap());
        assert!(!hasher.verify(&pw("x"), Some("not a hash")).await.unwrap());
        assert!(!hasher.verify(&pw(""), Some("")).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_with_other_parameters_still_verify() {
        let cheap = Argon2Hasher::with_params(64, 1, 1).unwrap();
        let hash = cheap.hash(&pw("pw")).await.unwrap();
        let owasp = Argon2Hasher::new().unwrap();
        assert!(owasp.verify(&pw("pw"), Some(&hash)).await.unwrap());
    }
}
