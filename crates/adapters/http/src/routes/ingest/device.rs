//! The device's credentials, and the TTN shared-secret check (docs/compatibility.md#ingestion).

use actix_web::HttpRequest;
use ents_domain::DomainError;
use ents_domain::ingest::DeviceCredentials;

use super::WebhookSecret;
use crate::error::ApiError;

/// Shown when the TTN secret header is missing or wrong.
const BAD_WEBHOOK_SECRET: &str = "Missing or invalid webhook secret";

/// `X-API-Key`, when present and not empty (upstream's header name).
pub(super) fn credentials(req: &HttpRequest) -> DeviceCredentials {
    req.headers()
        .get("X-API-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(DeviceCredentials::with_api_key)
        .unwrap_or_default()
}

/// Refuses a webhook request without the configured secret (401). No secret configured: every
/// request passes (deployed TTN integrations send none).
pub(super) fn check_webhook_secret(
    req: &HttpRequest,
    secret: Option<&WebhookSecret>,
) -> Result<(), ApiError> {
    let Some(secret) = secret else {
        return Ok(());
    };
    let presented = req
        .headers()
        .get(secret.header.as_str())
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(presented, secret.value.as_bytes()) {
        Ok(())
    } else {
        Err(DomainError::Unauthenticated(BAD_WEBHOOK_SECRET.to_owned()).into())
    }
}

/// Compares without an early exit, so the time taken does not tell how much of a guess was
/// right (the length may show; the secret's length is not the secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(constant_time_eq(b"", b""));
    }
}
