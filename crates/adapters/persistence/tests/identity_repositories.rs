//! The identity repositories against a real PostgreSQL: users, refresh tokens (rotation is
//! atomic), API keys (scoped to their owner, digests only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{Duration, Utc};
use ents_domain::auth::{
    ApiKeyRepository, ApiKeyScope, Digest, FamilyId, NewApiKey, NewRefreshToken, RefreshTokenId,
    RefreshTokenRepository,
};
use ents_domain::users::{NewUser, ProfileUpdate, UserId, UserRepository};
use ents_domain::{ConflictKind, DomainError};
use ents_persistence::testing::TestDb;
use ents_persistence::{PgApiKeyRepository, PgRefreshTokenRepository, PgUserRepository};
use uuid::Uuid;

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        google_sub: None,
        password_hash: None,
    }
}

#[tokio::test]
async fn users_are_created_found_and_updated() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap();
    assert_eq!(users.get(ada.id).await.unwrap(), ada);
    assert_eq!(
        users.find_by_email("ada@example.com").await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(users.find_by_email("ADA@example.com").await.unwrap(), None);
    assert!(matches!(
        users.create(new_user("ada@example.com")).await,
        Err(DomainError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    assert!(matches!(
        users.get(UserId::new()).await,
        Err(DomainError::NotFound(m)) if m == "User not found"
    ));

    let updated = users
        .update_profile(
            ada.id,
            ProfileUpdate {
                first_name: Some("Augusta".into()),
                last_name: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Augusta"));
    assert_eq!(updated.last_name.as_deref(), Some("Lovelace"));
    assert!(matches!(
        users
            .update_profile(UserId::new(), ProfileUpdate::default())
            .await,
        Err(DomainError::NotFound(_))
    ));
}

#[tokio::test]
async fn google_accounts_are_linked_once() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap();
    let grace = users.create(new_user("grace@example.com")).await.unwrap();
    users.link_google_sub(ada.id, "sub-1").await.unwrap();
    assert_eq!(
        users.find_by_google_sub("sub-1").await.unwrap().unwrap().id,
        ada.id
    );
    assert!(matches!(
        users.link_google_sub(grace.id, "sub-1").await,
        Err(DomainError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    assert!(matches!(
        users.link_google_sub(UserId::new(), "sub-2").await,
        Err(DomainError::NotFound(_))
    ));
}

#[tokio::test]
async fn password_hashes_are_stored_apart_from_the_user() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap();
    let (found, hash) = users
        .credentials_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, hash), (ada.id, None));
    users
        .set_password_hash(ada.id, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")
        .await
        .unwrap();
    let (_, hash) = users
        .credentials_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(hash.unwrap().starts_with("$argon2id$"));
    // Upstream's own column stays as upstream wrote it.
    let mut conn = common::connect(test_db.url()).await;
    let password = common::lines(&mut conn, "SELECT password::text AS line FROM \"user\"").await;
    assert_eq!(password, vec![String::new()]);
    assert!(
        users
            .credentials_by_email("x@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn users_seeded_with_sql_like_the_conformance_suite_are_readable() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    let id = Uuid::new_v4();
    common::exec(
        &mut conn,
        &format!(
            "INSERT INTO \"user\" (id, first_name, last_name, email, password) \
             VALUES ('{id}', 'Aaron', 'Wu', 'aaron@conformance.example', '')"
        ),
    )
    .await;
    let users = PgUserRepository::new(test_db.db());
    let user = users.get(UserId(id)).await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Aaron"));
}

fn token(
    user: UserId,
    family: FamilyId,
    parent: Option<RefreshTokenId>,
    digest: &str,
) -> NewRefreshToken {
    let now = Utc::now();
    NewRefreshToken {
        id: RefreshTokenId(Uuid::now_v7()),
        family_id: family,
        parent_id: parent,
        user_id: user,
        digest: Digest(digest.to_owned()),
        created_at: now,
        expires_at: now + Duration::days(1),
    }
}

#[tokio::test]
async fn a_refresh_token_rotates_exactly_once() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let tokens = PgRefreshTokenRepository::new(test_db.db());
    let user = users.create(new_user("ada@example.com")).await.unwrap().id;
    let family = FamilyId(Uuid::now_v7());
    let first = token(user, family, None, "d1");
    tokens.create(first.clone()).await.unwrap();
    assert!(matches!(
        tokens.create(token(user, family, None, "d1")).await,
        Err(DomainError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));

    let record = tokens
        .find_by_digest(&Digest("d1".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((record.user_id, record.family_id), (user, family));
    assert!(record.rotated_at.is_none() && record.revoked_at.is_none());

    // Parallel rotations of the same token: exactly one wins and stores its successor.
    let at = Utc::now();
    let attempts = (0..4).map(|i| {
        let tokens = tokens.clone();
        let successor = token(user, family, Some(first.id), &format!("d2-{i}"));
        tokio::spawn(async move { tokens.rotate(first.id, at, successor).await.unwrap() })
    });
    let mut won = 0;
    for attempt in attempts {
        won += usize::from(attempt.await.unwrap());
    }
    assert_eq!(won, 1);
    let record = tokens
        .find_by_digest(&Digest("d1".into()))
        .await
        .unwrap()
        .unwrap();
    assert!(record.rotated_at.is_some());
    let mut conn = common::connect(test_db.url()).await;
    let successors = common::lines(
        &mut conn,
        "SELECT token_digest AS line FROM refresh_token WHERE parent_id IS NOT NULL",
    )
    .await;
    assert_eq!(successors.len(), 1);
}

#[tokio::test]
async fn revoking_a_family_touches_no_other_family() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let tokens = PgRefreshTokenRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap().id;
    let bob = users.create(new_user("bob@example.com")).await.unwrap().id;
    let (f1, f2, f3) = (
        FamilyId(Uuid::now_v7()),
        FamilyId(Uuid::now_v7()),
        FamilyId(Uuid::now_v7()),
    );
    tokens.create(token(ada, f1, None, "a1")).await.unwrap();
    tokens.create(token(ada, f1, None, "a1b")).await.unwrap();
    tokens.create(token(ada, f2, None, "a2")).await.unwrap();
    tokens.create(token(bob, f3, None, "b1")).await.unwrap();
    assert_eq!(tokens.revoke_family(f1, Utc::now()).await.unwrap(), 2);
    assert_eq!(tokens.revoke_family(f1, Utc::now()).await.unwrap(), 0);
    for (digest, revoked) in [("a1", true), ("a1b", true), ("a2", false), ("b1", false)] {
        let record = tokens
            .find_by_digest(&Digest(digest.into()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.revoked_at.is_some(), revoked, "{digest}");
    }
    // A revoked token does not rotate.
    let record = tokens
        .find_by_digest(&Digest("a1".into()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !tokens
            .rotate(
                record.id,
                Utc::now(),
                token(ada, f1, Some(record.id), "a1c")
            )
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn expired_tokens_are_purged() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let tokens = PgRefreshTokenRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap().id;
    let mut old = token(ada, FamilyId(Uuid::now_v7()), None, "old");
    old.expires_at = Utc::now() - Duration::days(3);
    tokens.create(old).await.unwrap();
    tokens
        .create(token(ada, FamilyId(Uuid::now_v7()), None, "new"))
        .await
        .unwrap();
    assert_eq!(
        tokens
            .purge_expired(Utc::now() - Duration::days(1))
            .await
            .unwrap(),
        1
    );
    assert!(
        tokens
            .find_by_digest(&Digest("new".into()))
            .await
            .unwrap()
            .is_some()
    );
}

fn key(user: UserId, name: &str, scope: ApiKeyScope, digest: &str) -> NewApiKey {
    NewApiKey {
        user_id: user,
        name: name.to_owned(),
        scope,
        digest: Digest(digest.to_owned()),
        hint: format!("ents_…{}", &digest[digest.len().saturating_sub(4)..]),
    }
}

#[tokio::test]
async fn api_keys_belong_to_their_owner_and_revoke_for_good() {
    let test_db = TestDb::new().await;
    let users = PgUserRepository::new(test_db.db());
    let keys = PgApiKeyRepository::new(test_db.db());
    let ada = users.create(new_user("ada@example.com")).await.unwrap().id;
    let bob = users.create(new_user("bob@example.com")).await.unwrap().id;

    let node = keys
        .create(key(ada, "node", ApiKeyScope::Ingest, "digest-node"))
        .await
        .unwrap();
    keys.create(key(ada, "laptop", ApiKeyScope::Full, "digest-laptop"))
        .await
        .unwrap();
    assert!(matches!(
        keys.create(key(ada, "node", ApiKeyScope::Full, "digest-other"))
            .await,
        Err(DomainError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    // Names are per user.
    keys.create(key(bob, "node", ApiKeyScope::Full, "digest-bob"))
        .await
        .unwrap();

    let listed: Vec<String> = keys
        .list(ada)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(listed, vec!["node", "laptop"]);
    assert_eq!(
        keys.find_by_name(ada, "laptop")
            .await
            .unwrap()
            .unwrap()
            .scope,
        ApiKeyScope::Full
    );

    let owner = keys
        .authenticate(&Digest("digest-node".into()), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (owner.user_id, owner.scope, owner.key_id),
        (ada, ApiKeyScope::Ingest, node.id)
    );
    assert!(keys.list(ada).await.unwrap()[0].last_used_at.is_some());

    assert!(matches!(
        keys.revoke(bob, node.id, Utc::now()).await,
        Err(DomainError::NotFound(_))
    ));
    keys.revoke(ada, node.id, Utc::now()).await.unwrap();
    assert!(matches!(
        keys.revoke(ada, node.id, Utc::now()).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(
        keys.authenticate(&Digest("digest-node".into()), Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    // The name is free again once revoked.
    keys.create(key(ada, "node", ApiKeyScope::Ingest, "digest-node-2"))
        .await
        .unwrap();
    assert_eq!(
        keys.revoke_by_name(ada, "laptop", Utc::now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        keys.revoke_by_name(ada, "laptop", Utc::now())
            .await
            .unwrap(),
        0
    );
}
