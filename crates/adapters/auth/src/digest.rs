//! API keys and SHA-256 digests of secrets.

use aws_lc_rs::digest;
use ents_domain::DomainError;
use ents_domain::auth::{Digest, MintedApiKey, SecretHasher};

use crate::encoding::hex;
use crate::random;

/// The prefix of every API key we issue: recognisable in logs and by secret scanners.
pub const API_KEY_PREFIX: &str = "ents_";

/// [`SecretHasher`]: keys are `ents_` + 64 hex digits (256 random bits); digests are
/// SHA-256 in lower-case hex. A fast hash is right here (unlike passwords): the secrets are
/// random and long, so there is nothing to brute-force.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha256Secrets;

impl SecretHasher for Sha256Secrets {
    fn digest(&self, secret: &str) -> Digest {
        Digest(hex(
            digest::digest(&digest::SHA256, secret.as_bytes()).as_ref()
        ))
    }

    fn mint_api_key(&self) -> Result<MintedApiKey, DomainError> {
        let bytes = random::bytes::<32>().map_err(|e| DomainError::internal(e.to_string()))?;
        let secret = format!("{API_KEY_PREFIX}{}", hex(&bytes));
        let last4 = &secret[secret.len() - 4..];
        Ok(MintedApiKey {
            digest: self.digest(&secret),
            hint: format!("{API_KEY_PREFIX}…{last4}"),
            secret,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(
            Sha256Secrets.digest("abc").0,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keys_are_prefixed_random_and_hinted_without_the_secret() {
        let a = Sha256Secrets.mint_api_key().unwrap();
        let b = Sha256Secrets.mint_api_key().unwrap();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with("ents_"));
        assert_eq!(a.secret.len(), 5 + 64);
        assert_eq!(a.digest, Sha256Secrets.digest(&a.secret));
        assert!(a.hint.starts_with("ents_…"));
        assert!(a.hint.ends_with(&a.secret[a.secret.len() - 4..]));
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
