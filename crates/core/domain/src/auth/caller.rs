use super::api_keys::{ApiKeyId, ApiKeyScope};
use crate::users::UserId;

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <access JWT>`.
    AccessToken,
    /// `X-API-Key`, with the key's scope.
    ApiKey {
        key_id: ApiKeyId,
        scope: ApiKeyScope,
    },
    /// The browser's `refresh-token` cookie, accepted only from an allowed origin
    /// (the dashboard sends some writes without a token: docs/compatibility.md#authorization).
    BrowserCookie,
}

/// Who is calling: one typed value produced by the HTTP extractors and handed to use cases
/// and the authorization policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub credential: Credential,
}

impl Caller {
    pub fn new(user_id: UserId, credential: Credential) -> Self {
        Self {
            user_id,
            credential,
        }
    }

    /// An API key limited to uploading measurements.
    pub fn is_ingest_only(&self) -> bool {
        matches!(
            self.credential,
            Credential::ApiKey {
                scope: ApiKeyScope::Ingest,
                ..
            }
        )
    }

    /// Whether this credential may manage API keys: only an access token, so that a leaked
    /// key cannot mint more keys and a cross-site page cannot use the cookie for it
    /// (upstream: `/api/apikey/` is JWT-only).
    pub fn may_manage_keys(&self) -> bool {
        matches!(self.credential, Credential::AccessToken)
    }
}
