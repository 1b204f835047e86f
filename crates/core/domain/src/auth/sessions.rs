//! Login sessions: the refresh token in the browser's cookie, rotated on every refresh.
//!
//! Every login starts a *family*; each refresh replaces the presented token by a successor in the
//! same family. Reusing a replaced token means it was copied (or the browser is confused), so the
//! whole family is revoked — except within a short grace after its rotation, because the dashboard
//! fires several refreshes at once with the same cookie (docs/compatibility.md#clients): each of
//! those gets a valid successor of its own, so whichever cookie the browser keeps works.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::clock::Clock;
use super::messages::{INVALID_REFRESH_TOKEN, UNAUTHORIZED_USER};
use super::secrets::{Digest, SecretHasher};
use super::tokens::{TokenIssuer, TokenVerifier};
use crate::DomainError;
use crate::users::UserId;

/// Identifies one stored refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefreshTokenId(pub Uuid);

/// Identifies the tokens descended from one login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyId(pub Uuid);

/// A stored refresh token (never the token itself: only its digest is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub id: RefreshTokenId,
    pub family_id: FamilyId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When a refresh replaced it by a successor.
    pub rotated_at: Option<DateTime<Utc>>,
    /// When it (with its family) was revoked: logout or detected reuse.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    pub id: RefreshTokenId,
    pub family_id: FamilyId,
    /// The token this one replaces (`None` for the first token of a login).
    pub parent_id: Option<RefreshTokenId>,
    pub user_id: UserId,
    pub digest: Digest,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Stored refresh tokens.
///
/// Errors: `Unavailable` when the store cannot be reached in time; `Internal` otherwise,
/// unless a method says more.
#[async_trait]
pub trait RefreshTokenRepository: Send + Sync + 'static {
    /// Stores a token. Errors: `Conflict` if the digest is already stored.
    async fn create(&self, new: NewRefreshToken) -> Result<(), DomainError>;

    /// The token stored under `digest`, whatever its state.
    async fn find_by_digest(
        &self,
        digest: &Digest,
    ) -> Result<Option<RefreshTokenRecord>, DomainError>;

    /// Atomically: if `id` is neither rotated nor revoked, marks it rotated at `at` and stores
    /// `successor`, returning `true`; otherwise changes nothing and returns `false` (another
    /// refresh won the race, or the family was revoked).
    async fn rotate(
        &self,
        id: RefreshTokenId,
        at: DateTime<Utc>,
        successor: NewRefreshToken,
    ) -> Result<bool, DomainError>;

    /// Revokes every token of the family that is not revoked yet; returns how many.
    async fn revoke_family(&self, family: FamilyId, at: DateTime<Utc>) -> Result<u64, DomainError>;

    /// Deletes tokens that expired before `before` (housekeeping); returns how many.
    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<u64, DomainError>;
}

/// Lifetimes and the reuse grace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// How long after its rotation a refresh token may still be presented without revoking
    /// its family (parallel refreshes from one browser).
    pub reuse_grace: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            reuse_grace: Duration::seconds(10),
        }
    }
}

/// What a login or a refresh hands to the client: the access token for the body, the
/// refresh token for the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub access_token: String,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish_non_exhaustive()
    }
}

/// Starting, refreshing and ending login sessions.
#[derive(Clone)]
pub struct SessionService {
    repo: Arc<dyn RefreshTokenRepository>,
    issuer: Arc<dyn TokenIssuer>,
    verifier: Arc<dyn TokenVerifier>,
    hasher: Arc<dyn SecretHasher>,
    clock: Arc<dyn Clock>,
    settings: SessionSettings,
}

fn invalid() -> DomainError {
    DomainError::Forbidden(INVALID_REFRESH_TOKEN.to_owned())
}

impl SessionService {
    pub fn new(
        repo: Arc<dyn RefreshTokenRepository>,
        issuer: Arc<dyn TokenIssuer>,
        verifier: Arc<dyn TokenVerifier>,
        hasher: Arc<dyn SecretHasher>,
        clock: Arc<dyn Clock>,
        settings: SessionSettings,
    ) -> Self {
        Self {
            repo,
            issuer,
            verifier,
            hasher,
            clock,
            settings,
        }
    }

    /// The token verifier, for the extractors that check access tokens.
    pub fn verifier(&self) -> &dyn TokenVerifier {
        self.verifier.as_ref()
    }

    /// Logs `user` in: a new token family. Errors: those of the ports.
    pub async fn start(&self, user: UserId) -> Result<Session, DomainError> {
        let (session, new) = self.mint(user, FamilyId(Uuid::now_v7()), None)?;
        self.repo.create(new).await?;
        tracing::info!(user.id = %user, "session started");
        Ok(session)
    }

    /// Exchanges the presented refresh token for a new session (rotation).
    /// Errors: `Forbidden(INVALID_REFRESH_TOKEN)` for a missing, forged, expired, unknown,
    /// revoked or reused token (a reuse after the grace also revokes its family);
    /// `Forbidden(UNAUTHORIZED_USER)` when the token's user is not its stored owner.
    pub async fn refresh(&self, presented: Option<&str>) -> Result<Session, DomainError> {
        let token = presented.filter(|t| !t.is_empty()).ok_or_else(invalid)?;
        let user = self.verifier.verify_refresh(token).map_err(|_| invalid())?;
        let digest = self.hasher.digest(token);
        // Two rounds at most: a lost rotation race is re-read once and then handled as a
        // parallel refresh within the grace.
        for _ in 0..2 {
            let record = self.current_record(&digest, user).await?;
            let now = self.clock.now();
            match record.rotated_at {
                None => {
                    let (session, successor) =
                        self.mint(user, record.family_id, Some(record.id))?;
                    if self.repo.rotate(record.id, now, successor).await? {
                        return Ok(session);
                    }
                }
                Some(rotated_at) if now - rotated_at <= self.settings.reuse_grace => {
                    let (session, sibling) = self.mint(user, record.family_id, Some(record.id))?;
                    self.repo.create(sibling).await?;
                    return Ok(session);
                }
                Some(_) => {
                    let revoked = self.repo.revoke_family(record.family_id, now).await?;
                    tracing::warn!(
                        user.id = %user,
                        family = %record.family_id.0,
                        revoked,
                        "a rotated refresh token was reused: its login is revoked"
                    );
                    return Err(invalid());
                }
            }
        }
        Err(invalid())
    }

    /// Ends the login the presented refresh token belongs to (its whole family). Nothing
    /// else is touched: other logins of the same user and other users stay valid. A missing
    /// or unknown token is not an error (logout is idempotent).
    pub async fn logout(&self, presented: Option<&str>) -> Result<(), DomainError> {
        let Some(token) = presented.filter(|t| !t.is_empty()) else {
            return Ok(());
        };
        let digest = self.hasher.digest(token);
        if let Some(record) = self.repo.find_by_digest(&digest).await? {
            self.repo
                .revoke_family(record.family_id, self.clock.now())
                .await?;
            tracing::info!(user.id = %record.user_id, "session ended");
        }
        Ok(())
    }

    /// The user a browser's refresh cookie identifies, without rotating it: for writes the frontend
    /// sends without an access token (docs/compatibility.md#authorization; the HTTP adapter checks
    /// the request's origin first). A token rotated less than the grace ago still counts, as a
    /// parallel refresh may have replaced it a moment ago.
    /// Errors: as [`SessionService::refresh`], but a reuse revokes nothing.
    pub async fn cookie_identity(&self, presented: &str) -> Result<UserId, DomainError> {
        if presented.is_empty() {
            return Err(invalid());
        }
        let user = self
            .verifier
            .verify_refresh(presented)
            .map_err(|_| invalid())?;
        let record = self
            .current_record(&self.hasher.digest(presented), user)
            .await?;
        match record.rotated_at {
            Some(at) if self.clock.now() - at > self.settings.reuse_grace => Err(invalid()),
            _ => Ok(user),
        }
    }

    /// Housekeeping: forgets tokens that expired more than a day ago.
    pub async fn purge_expired(&self) -> Result<u64, DomainError> {
        self.repo
            .purge_expired(self.clock.now() - Duration::days(1))
            .await
    }

    /// The stored, unrevoked, unexpired record of a token signed for `user`.
    async fn current_record(
        &self,
        digest: &Digest,
        user: UserId,
    ) -> Result<RefreshTokenRecord, DomainError> {
        let record = self
            .repo
            .find_by_digest(digest)
            .await?
            .ok_or_else(invalid)?;
        if record.user_id != user {
            return Err(DomainError::Forbidden(UNAUTHORIZED_USER.to_owned()));
        }
        if record.revoked_at.is_some() || record.expires_at <= self.clock.now() {
            return Err(invalid());
        }
        Ok(record)
    }

    /// Signs a new access and refresh token pair and describes the refresh token to store.
    fn mint(
        &self,
        user: UserId,
        family_id: FamilyId,
        parent_id: Option<RefreshTokenId>,
    ) -> Result<(Session, NewRefreshToken), DomainError> {
        let now = self.clock.now();
        let access = self.issuer.access_token(user, now)?;
        let refresh = self.issuer.refresh_token(user, now)?;
        let new = NewRefreshToken {
            id: RefreshTokenId(Uuid::now_v7()),
            family_id,
            parent_id,
            user_id: user,
            digest: self.hasher.digest(&refresh.token),
            created_at: now,
            expires_at: refresh.expires_at,
        };
        let session = Session {
            user_id: user,
            access_token: access.token,
            refresh_token: refresh.token,
            refresh_expires_at: refresh.expires_at,
        };
        Ok((session, new))
    }
}
