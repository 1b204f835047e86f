//! In-memory ports. Tokens are readable strings (`access:<uid>:<n>`, `refresh:<uid>:<n>`),
//! the "digest" is `sha(<secret>)`: enough to test the rules, not the cryptography.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use crate::auth::*;
use crate::users::{NewUser, ProfileUpdate, User, UserId, UserRepository};
use crate::{ConflictKind, DomainError};

pub struct FakeClock(Mutex<DateTime<Utc>>);

impl FakeClock {
    pub fn new() -> Self {
        Self(Mutex::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        ))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

#[derive(Default)]
pub struct FakeTokens {
    counter: AtomicU64,
}

impl TokenIssuer for FakeTokens {
    fn access_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        Ok(SignedToken {
            token: format!("access:{user}:{n}"),
            expires_at: now + Duration::minutes(15),
        })
    }
    fn refresh_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        Ok(SignedToken {
            token: format!("refresh:{user}:{n}"),
            expires_at: now + Duration::days(1),
        })
    }
}

fn parse(token: &str, kind: &str) -> Result<UserId, TokenRejection> {
    let mut parts = token.split(':');
    if parts.next() != Some(kind) {
        return Err(TokenRejection::Invalid);
    }
    let uid = parts.next().ok_or(TokenRejection::Invalid)?;
    Uuid::parse_str(uid)
        .map(UserId)
        .map_err(|_| TokenRejection::BadSubject)
}

impl TokenVerifier for FakeTokens {
    fn verify_access(&self, token: &str) -> Result<UserId, TokenRejection> {
        parse(token, "access")
    }
    fn verify_refresh(&self, token: &str) -> Result<UserId, TokenRejection> {
        parse(token, "refresh")
    }
}

#[derive(Default)]
pub struct FakeSecrets {
    counter: AtomicU64,
}

impl SecretHasher for FakeSecrets {
    fn digest(&self, secret: &str) -> Digest {
        Digest(format!("sha({secret})"))
    }
    fn mint_api_key(&self) -> Result<MintedApiKey, DomainError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let secret = format!("ents_{n:064}");
        Ok(MintedApiKey {
            digest: self.digest(&secret),
            hint: format!("ents_…{}", &secret[secret.len() - 4..]),
            secret,
        })
    }
}

/// A stored token with its `rotated_at` and `revoked_at`.
pub type Row = (
    NewRefreshToken,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

#[derive(Default)]
pub struct FakeRefreshTokens {
    pub rows: Mutex<Vec<Row>>,
    /// When set, `rotate` behaves as if another request had rotated the token just before.
    pub lose_next_race: Mutex<bool>,
}

impl FakeRefreshTokens {
    pub fn active_in_family(&self, family: FamilyId) -> usize {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _, revoked)| r.family_id == family && revoked.is_none())
            .count()
    }
    pub fn family_of(&self, digest: &str) -> FamilyId {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .find(|(r, _, _)| r.digest.0 == digest)
            .unwrap()
            .0
            .family_id
    }
}

#[async_trait]
impl RefreshTokenRepository for FakeRefreshTokens {
    async fn create(&self, new: NewRefreshToken) -> Result<(), DomainError> {
        let mut rows = self.rows.lock().unwrap();
        if rows.iter().any(|(r, _, _)| r.digest == new.digest) {
            return Err(DomainError::conflict(ConflictKind::Duplicate, "digest"));
        }
        rows.push((new, None, None));
        Ok(())
    }
    async fn find_by_digest(
        &self,
        digest: &Digest,
    ) -> Result<Option<RefreshTokenRecord>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .iter()
            .find(|(r, _, _)| &r.digest == digest)
            .map(|(r, rotated, revoked)| RefreshTokenRecord {
                id: r.id,
                family_id: r.family_id,
                user_id: r.user_id,
                created_at: r.created_at,
                expires_at: r.expires_at,
                rotated_at: *rotated,
                revoked_at: *revoked,
            }))
    }
    async fn rotate(
        &self,
        id: RefreshTokenId,
        at: DateTime<Utc>,
        successor: NewRefreshToken,
    ) -> Result<bool, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let lose = std::mem::take(&mut *self.lose_next_race.lock().unwrap());
        let row = rows.iter_mut().find(|(r, _, _)| r.id == id).unwrap();
        if lose {
            row.1 = Some(at);
            return Ok(false);
        }
        if row.1.is_some() || row.2.is_some() {
            return Ok(false);
        }
        row.1 = Some(at);
        rows.push((successor, None, None));
        Ok(true)
    }
    async fn revoke_family(&self, family: FamilyId, at: DateTime<Utc>) -> Result<u64, DomainError> {
        let mut n = 0;
        for row in self.rows.lock().unwrap().iter_mut() {
            if row.0.family_id == family && row.2.is_none() {
                row.2 = Some(at);
                n += 1;
            }
        }
        Ok(n)
    }
    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<u64, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let len = rows.len();
        rows.retain(|(r, _, _)| r.expires_at >= before);
        Ok((len - rows.len()) as u64)
    }
}

#[derive(Default)]
pub struct FakeUsers {
    pub rows: Mutex<HashMap<UserId, (User, Option<String>)>>,
}

impl FakeUsers {
    pub fn insert(&self, email: &str, hash: Option<&str>) -> User {
        let user = User {
            id: UserId::new(),
            email: Some(email.to_owned()),
            first_name: None,
            last_name: None,
            google_sub: None,
        };
        self.rows
            .lock()
            .unwrap()
            .insert(user.id, (user.clone(), hash.map(str::to_owned)));
        user
    }
    pub fn count(&self) -> usize {
        self.rows.lock().unwrap().len()
    }
}

#[async_trait]
impl UserRepository for FakeUsers {
    async fn create(&self, new: NewUser) -> Result<User, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        if rows
            .values()
            .any(|(u, _)| u.email.as_deref() == Some(new.email.as_str()))
        {
            return Err(DomainError::conflict(ConflictKind::Duplicate, "email"));
        }
        let user = User {
            id: UserId::new(),
            email: Some(new.email),
            first_name: new.first_name,
            last_name: new.last_name,
            google_sub: new.google_sub,
        };
        rows.insert(user.id, (user.clone(), new.password_hash));
        Ok(user)
    }
    async fn get(&self, id: UserId) -> Result<User, DomainError> {
        self.rows
            .lock()
            .unwrap()
            .get(&id)
            .map(|(u, _)| u.clone())
            .ok_or_else(|| DomainError::NotFound("User not found".into()))
    }
    async fn find_by_email(&self, email: &str) -> Result<Option<User>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .values()
            .find(|(u, _)| u.email.as_deref() == Some(email))
            .map(|(u, _)| u.clone()))
    }
    async fn find_by_google_sub(&self, sub: &str) -> Result<Option<User>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .values()
            .find(|(u, _)| u.google_sub.as_deref() == Some(sub))
            .map(|(u, _)| u.clone()))
    }
    async fn link_google_sub(&self, id: UserId, sub: &str) -> Result<(), DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let (user, _) = rows
            .get_mut(&id)
            .ok_or_else(|| DomainError::NotFound("User not found".into()))?;
        user.google_sub = Some(sub.to_owned());
        Ok(())
    }
    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> Result<User, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let (user, _) = rows
            .get_mut(&id)
            .ok_or_else(|| DomainError::NotFound("User not found".into()))?;
        if let Some(f) = update.first_name {
            user.first_name = Some(f);
        }
        if let Some(l) = update.last_name {
            user.last_name = Some(l);
        }
        Ok(user.clone())
    }
    async fn credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .values()
            .find(|(u, _)| u.email.as_deref() == Some(email))
            .cloned())
    }
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows
            .get_mut(&id)
            .ok_or_else(|| DomainError::NotFound("User not found".into()))?;
        row.1 = Some(hash.to_owned());
        Ok(())
    }
}

/// "Hashes" as `hash(<password>)`; counts verifications, including dummy ones.
#[derive(Default)]
pub struct FakeHasher {
    pub verifications: AtomicU64,
    pub dummy_verifications: AtomicU64,
}

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &Password) -> Result<String, DomainError> {
        Ok(format!("hash({})", password.expose()))
    }
    async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, DomainError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        match hash {
            Some(hash) => Ok(hash == format!("hash({})", password.expose())),
            None => {
                self.dummy_verifications.fetch_add(1, Ordering::Relaxed);
                Ok(false)
            }
        }
    }
}
