//! Verifying Google's ID token (OpenID Connect Core §3.1.3.7).

use std::collections::HashSet;

use ents_domain::DomainError;
use ents_domain::auth::{GOOGLE_AUTHENTICATION_ERROR, GoogleIdentity};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::jwks::JwksCache;

/// The two spellings Google uses for its issuer.
pub(super) const GOOGLE_ISSUERS: [&str; 2] = ["https://accounts.google.com", "accounts.google.com"];

/// Clock skew allowed on `exp`/`iat`, as upstream (google-auth) allowed.
const LEEWAY_SECS: u64 = 10;

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    /// A boolean, though some Google tokens have carried the string `"true"`.
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

fn refused(reason: &str) -> DomainError {
    tracing::warn!(reason, "Google ID token refused");
    DomainError::Unauthenticated(GOOGLE_AUTHENTICATION_ERROR.to_owned())
}

/// Checks signature (RS256, a key of Google's JWKS), issuer, audience (`client_id`), expiry
/// and nonce. Errors: `Unauthenticated(GOOGLE_AUTHENTICATION_ERROR)` for a token that fails
/// any check; `Unavailable` when the keys cannot be fetched.
pub(super) async fn verify(
    token: &str,
    jwks: &JwksCache,
    client_id: &str,
    expected_nonce: &str,
) -> Result<GoogleIdentity, DomainError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| refused("malformed header"))?;
    // Google signs with RS256 only; anything else (none, HS256 with the public key as the
    // secret…) is refused before a key is even looked up.
    if header.alg != Algorithm::RS256 {
        return Err(refused("unexpected algorithm"));
    }
    let kid = header.kid.ok_or_else(|| refused("no key id"))?;
    let jwk = jwks
        .key(&kid)
        .await?
        .ok_or_else(|| refused("unknown key id"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| refused("unusable key"))?;

    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_audience(&[client_id]);
    validation.set_issuer(&GOOGLE_ISSUERS);
    validation.required_spec_claims =
        HashSet::from(["exp", "iss", "aud", "sub"].map(str::to_owned));
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|e| refused(&format!("{:?}", e.kind())))?
        .claims;
    if claims.nonce.as_deref() != Some(expected_nonce) {
        return Err(refused("nonce mismatch"));
    }
    let email_verified = match claims.email_verified {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    };
    Ok(GoogleIdentity {
        sub: claims.sub,
        email: claims.email,
        email_verified,
        given_name: claims.given_name,
        family_name: claims.family_name,
    })
}
