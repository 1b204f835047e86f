//! The per-sign-in values: `state` (random), and the PKCE verifier and the nonce bound to it.

use aws_lc_rs::{digest, hmac};

use crate::encoding::base64url;
use crate::random;

/// The secrets of one authorization request, all derived from its `state`.
pub(super) struct Flow {
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

impl Flow {
    /// A new flow with a random 256-bit state. Errors: no randomness.
    pub fn start(key: &hmac::Key) -> Result<Self, aws_lc_rs::error::Unspecified> {
        let state = base64url(&random::bytes::<32>()?);
        Ok(Self::resume(key, state))
    }

    /// The flow a callback's `state` belongs to. Deterministic: HMAC of the state under the
    /// server's key, so an attacker who sees a state cannot compute its verifier or nonce.
    pub fn resume(key: &hmac::Key, state: String) -> Self {
        let derive = |label: &str| {
            let tag = hmac::sign(key, format!("{label}:{state}").as_bytes());
            base64url(tag.as_ref())
        };
        Self {
            // 43 characters of the unreserved alphabet (RFC 7636 §4.1 asks for 43..=128).
            verifier: derive("pkce"),
            nonce: derive("nonce"),
            state,
        }
    }

    /// The S256 challenge of the verifier (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        base64url(digest::digest(&digest::SHA256, self.verifier.as_bytes()).as_ref())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, b"server key")
    }

    #[test]
    fn a_flow_is_recovered_from_its_state_alone() {
        let flow = Flow::start(&key()).unwrap();
        let again = Flow::resume(&key(), flow.state.clone());
        assert_eq!(flow.verifier, again.verifier);
        assert_eq!(flow.nonce, again.nonce);
        assert_eq!(flow.verifier.len(), 43);
        assert_ne!(flow.verifier, flow.nonce);
        let other_server = Flow::resume(&hmac::Key::new(hmac::HMAC_SHA256, b"x"), flow.state);
        assert_ne!(other_server.verifier, flow.verifier);
    }

    #[test]
    fn the_challenge_is_rfc7636_s256() {
        // RFC 7636 appendix B.
        let flow = Flow {
            state: String::new(),
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            nonce: String::new(),
        };
        assert_eq!(
            flow.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
