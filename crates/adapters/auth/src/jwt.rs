//! HS256 access and refresh tokens, compatible with upstream's
//! (docs/compatibility.md#login-and-tokens): claims `uid` (the user id in URN form, `urn:uuid:…`)
//! and `exp`; refresh tokens add a random `jti` so that two issued in the same second differ.
//! Verification accepts the URN and the bare forms of `uid`, so tokens of the old server stay valid
//! during a switch-over, and requires `exp` (upstream accepted tokens without one forever, D-7).
//! Only HS256 is accepted: `alg: none` and any other algorithm (the RS/HS confusion) are refused.
//! A token carrying `nbf` (not before) is refused until then, give or take
//! [`NBF_LEEWAY_SECS`] of clock skew between the issuer and this server; `exp` keeps no leeway,
//! as upstream (PyJWT's default).

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ents_domain::DomainError;
use ents_domain::auth::{SignedToken, TokenIssuer, TokenRejection, TokenVerifier};
use ents_domain::users::UserId;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::encoding::base64url;
use crate::error::AuthError;
use crate::random;
use crate::secret::SigningSecret;

/// Keys and lifetimes.
pub struct TokenSettings {
    pub access_secret: SigningSecret,
    pub refresh_secret: SigningSecret,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// One HMAC key, both ways.
struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    fn new(secret: &SigningSecret, name: &'static str) -> Result<Self, AuthError> {
        let invalid = |e: jsonwebtoken::errors::Error| AuthError::InvalidKey {
            name,
            reason: e.to_string(),
        };
        Ok(Self {
            encoding: EncodingKey::from_secret(secret.expose()).map_err(invalid)?,
            decoding: DecodingKey::from_secret(secret.expose()).map_err(invalid)?,
        })
    }
}

/// The token adapter: [`TokenIssuer`] and [`TokenVerifier`].
pub struct JwtTokens {
    access: Keys,
    refresh: Keys,
    access_ttl: chrono::Duration,
    refresh_ttl: chrono::Duration,
    validation: Validation,
}

impl std::fmt::Debug for JwtTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtTokens")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct IssuedClaims<'a> {
    uid: String,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<&'a str>,
}

/// What verification reads. `uid` stays loose so that a missing or malformed one can be told
/// apart from a bad signature (upstream: 403 "Authentication failed" vs "Invalid token").
#[derive(Deserialize)]
struct PresentedClaims {
    uid: Option<serde_json::Value>,
    nbf: Option<serde_json::Value>,
}

/// How far in the future a token's `nbf` may lie and still be accepted: the clock skew
/// tolerated between the machine that signed it and this one.
pub const NBF_LEEWAY_SECS: i64 = 30;

/// Whether `nbf` (absent, or NumericDate seconds) allows use at `now`.
fn usable_now(nbf: Option<&serde_json::Value>, now: i64) -> bool {
    match nbf {
        None => true,
        Some(value) => value
            .as_f64()
            .is_some_and(|nbf| nbf <= (now + NBF_LEEWAY_SECS) as f64),
    }
}

impl JwtTokens {
    /// Errors: `InvalidKey` if a secret cannot be used as an HMAC key.
    pub fn new(settings: &TokenSettings) -> Result<Self, AuthError> {
        if settings.access_secret.same_as(&settings.refresh_secret) {
            tracing::warn!(
                "ACCESS_TOKEN_SECRET and REFRESH_TOKEN_SECRET are equal: a refresh token \
                 would also pass as an access token; configure two different secrets"
            );
        }
        let mut validation = Validation::new(Algorithm::HS256);
        // Upstream (PyJWT) allowed no clock skew; neither do we.
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
        Ok(Self {
            access: Keys::new(&settings.access_secret, "ACCESS_TOKEN_SECRET")?,
            refresh: Keys::new(&settings.refresh_secret, "REFRESH_TOKEN_SECRET")?,
            access_ttl: ttl(settings.access_ttl),
            refresh_ttl: ttl(settings.refresh_ttl),
            validation,
        })
    }

    fn sign(
        keys: &Keys,
        user: UserId,
        expires_at: DateTime<Utc>,
        jti: Option<&str>,
    ) -> Result<String, DomainError> {
        let claims = IssuedClaims {
            uid: user.0.urn().to_string(),
            exp: expires_at.timestamp(),
            jti,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)
            .map_err(DomainError::internal)
    }

    fn verify(&self, keys: &Keys, token: &str) -> Result<UserId, TokenRejection> {
        let data = jsonwebtoken::decode::<PresentedClaims>(token, &keys.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?;
        // Checked here rather than by `Validation::validate_nbf`, whose leeway would also
        // stretch `exp`.
        if !usable_now(data.claims.nbf.as_ref(), Utc::now().timestamp()) {
            return Err(TokenRejection::Invalid);
        }
        match data.claims.uid {
            // `Uuid::parse_str` takes the URN, hyphenated, simple and braced forms, like
            // Python's `UUID()` did upstream.
            Some(serde_json::Value::String(uid)) => Uuid::parse_str(&uid)
                .map(UserId)
                .map_err(|_| TokenRejection::BadSubject),
            _ => Err(TokenRejection::BadSubject),
        }
    }
}

fn ttl(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::days(1))
}

impl TokenIssuer for JwtTokens {
    fn access_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError> {
        let expires_at = now + self.access_ttl;
        Ok(SignedToken {
            token: Self::sign(&self.access, user, expires_at, None)?,
            expires_at,
        })
    }

    fn refresh_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError> {
        let expires_at = now + self.refresh_ttl;
        let jti = random::bytes::<16>().map_err(|e| DomainError::internal(e.to_string()))?;
        Ok(SignedToken {
            token: Self::sign(&self.refresh, user, expires_at, Some(&base64url(&jti)))?,
            expires_at,
        })
    }
}

impl TokenVerifier for JwtTokens {
    fn verify_access(&self, token: &str) -> Result<UserId, TokenRejection> {
        self.verify(&self.access, token)
    }

    fn verify_refresh(&self, token: &str) -> Result<UserId, TokenRejection> {
        self.verify(&self.refresh, token)
    }
}

#[cfg(test)]
mod tests;
