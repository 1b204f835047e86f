//! The scope rule: which kind of credential may take which kind of operation, whatever the
//! resource (docs/compatibility.md#authorization). One table, [`permits`]; the HTTP
//! extractors ask it for every route, and [`super::authorize`] asks it again for each action.

use crate::DomainError;
use crate::auth::{AUTHENTICATION_FAILED, ApiKeyScope, Caller, Credential, INGEST_KEY_ONLY};

/// What a route does, as the scope rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Upload measurements (`POST /api/sensor/`, `/api/sensor_json/`, `/api/power/`,
    /// `/api/teros/`, the TTN webhook).
    Upload,
    /// Anything else an account does: read cells, their data, the caller's profile; change
    /// the registry; start and download exports.
    UseAccount,
    /// Create, list and revoke API keys.
    ManageKeys,
}

/// How the caller proved who it is, as the scope rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// `Authorization: Bearer <access JWT>`.
    AccessToken,
    /// An API key of scope `full`: acts as its owner, except on keys.
    FullKey,
    /// An API key of scope `ingest` (a gateway's): uploads, nothing else.
    IngestKey,
    /// The dashboard's refresh cookie from an allowed origin.
    BrowserCookie,
}

impl CredentialKind {
    pub fn of(credential: &Credential) -> Self {
        match credential {
            Credential::AccessToken => Self::AccessToken,
            Credential::ApiKey {
                scope: ApiKeyScope::Full,
                ..
            } => Self::FullKey,
            Credential::ApiKey {
                scope: ApiKeyScope::Ingest,
                ..
            } => Self::IngestKey,
            Credential::BrowserCookie => Self::BrowserCookie,
        }
    }
}

/// The table. Keys are managed with an access token only, so that a leaked key cannot mint
/// more and a cross-site page cannot use the cookie for it (upstream: `/api/apikey/` is
/// JWT-only). An ingest key uploads and does nothing else, so that a gateway's key cannot
/// read its owner's e-mail, data or exports.
pub const fn permits(kind: CredentialKind, operation: Operation) -> bool {
    use CredentialKind as K;
    use Operation as O;
    match (kind, operation) {
        (K::AccessToken, _) => true,
        (K::FullKey | K::BrowserCookie, O::Upload | O::UseAccount) => true,
        (K::FullKey | K::BrowserCookie, O::ManageKeys) => false,
        (K::IngestKey, O::Upload) => true,
        (K::IngestKey, O::UseAccount | O::ManageKeys) => false,
    }
}

/// [`permits`] for `caller`. Errors: `Forbidden` — `INGEST_KEY_ONLY` for an ingest key,
/// `AUTHENTICATION_FAILED` (upstream's answer on its JWT-only routes) otherwise.
pub fn check_scope(caller: &Caller, operation: Operation) -> Result<(), DomainError> {
    let kind = CredentialKind::of(&caller.credential);
    if permits(kind, operation) {
        return Ok(());
    }
    let message = match kind {
        CredentialKind::IngestKey => INGEST_KEY_ONLY,
        _ => AUTHENTICATION_FAILED,
    };
    Err(DomainError::Forbidden(message.to_owned()))
}
