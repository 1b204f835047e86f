//! Credentials an upstream database holds in plaintext become digests
//! (docs/compatibility.md#api-keys): `"user".api_key` → `api_key` (and keeps working),
//! `oauth_token.refresh_token` → `refresh_token`. The API-key rule also holds for keys written into
//! the legacy column after the migration (a seeding script, an upstream server during a
//! switch-over).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::Utc;
use ents_domain::auth::{ApiKeyRepository, ApiKeyScope, Digest, RefreshTokenRepository};
use ents_domain::users::UserId;
use ents_persistence::testing::TestDb;
use ents_persistence::{PgApiKeyRepository, PgRefreshTokenRepository, migrate};
use uuid::Uuid;

const ADA: &str = "0b6f3a1e-5c2d-4b8e-9f1a-2d3c4b5a6e7f";
const ADA_KEY: &str = "f3a9c2e1d4b5a6978877665544332211aabbccddeeff00112233445566778899";
const ADA_REFRESH: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOiIwYjZmM2ExZSIsImV4cCI6MTc4MjAwMDAwMH0.c2lnbmF0dXJlLXI";

async fn sql_digest(conn: &mut diesel_async::AsyncPgConnection, secret: &str) -> Digest {
    let lines = common::lines(
        conn,
        &format!("SELECT encode(sha256(convert_to('{secret}', 'UTF8')), 'hex') AS line"),
    )
    .await;
    Digest(lines[0].clone())
}

async fn legacy_column(conn: &mut diesel_async::AsyncPgConnection) -> Vec<String> {
    common::lines(
        conn,
        "SELECT api_key AS line FROM \"user\" WHERE api_key IS NOT NULL",
    )
    .await
}

#[tokio::test]
async fn an_adopted_databases_keys_and_sessions_are_hashed_and_keep_working() {
    let test_db = TestDb::empty().await;
    let mut conn = common::connect(test_db.url()).await;
    common::exec(&mut conn, common::BASELINE_UP).await;
    common::exec(&mut conn, common::ALEMBIC_VERSION_DDL).await;
    common::exec(
        &mut conn,
        "INSERT INTO alembic_version VALUES ('14612231efb8')",
    )
    .await;
    common::exec(&mut conn, common::UPSTREAM_ROWS).await;

    migrate(test_db.url()).await.unwrap();

    assert!(
        legacy_column(&mut conn).await.is_empty(),
        "plaintext keys remain"
    );
    let digest = sql_digest(&mut conn, ADA_KEY).await;
    let keys = PgApiKeyRepository::new(test_db.db());
    let owner = keys
        .authenticate(&digest, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.user_id, UserId(Uuid::parse_str(ADA).unwrap()));
    assert_eq!(owner.scope, ApiKeyScope::Full);
    let listed = keys.list(owner.user_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "default");
    assert_eq!(listed[0].hint, "…8899");

    let plaintext_tokens = common::lines(
        &mut conn,
        "SELECT refresh_token AS line FROM oauth_token WHERE refresh_token IS NOT NULL",
    )
    .await;
    assert!(plaintext_tokens.is_empty());
    let sessions = PgRefreshTokenRepository::new(test_db.db());
    let digest = sql_digest(&mut conn, ADA_REFRESH).await;
    let record = sessions.find_by_digest(&digest).await.unwrap().unwrap();
    assert_eq!(record.user_id, owner.user_id);
    assert!(record.revoked_at.is_none());
}

#[tokio::test]
async fn keys_written_into_the_legacy_column_later_are_hashed_at_once() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    let id = Uuid::new_v4();
    let first = "a".repeat(64);
    common::exec(
        &mut conn,
        &format!(
            "INSERT INTO \"user\" (id, first_name, last_name, email, password, api_key) \
             VALUES ('{id}', 'Seed', 'User', 'seed@example.com', '', '{first}')"
        ),
    )
    .await;
    assert!(legacy_column(&mut conn).await.is_empty());
    let keys = PgApiKeyRepository::new(test_db.db());
    let first_digest = sql_digest(&mut conn, &first).await;
    assert!(
        keys.authenticate(&first_digest, Utc::now())
            .await
            .unwrap()
            .is_some()
    );

    // Replacing the legacy key replaces the default key.
    let second = "b".repeat(64);
    common::exec(
        &mut conn,
        &format!("UPDATE \"user\" SET api_key = '{second}' WHERE id = '{id}'"),
    )
    .await;
    assert!(legacy_column(&mut conn).await.is_empty());
    assert!(
        keys.authenticate(&first_digest, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    let second_digest = sql_digest(&mut conn, &second).await;
    assert!(
        keys.authenticate(&second_digest, Utc::now())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(keys.list(UserId(id)).await.unwrap().len(), 1);

    // Writing the same key again changes nothing.
    common::exec(
        &mut conn,
        &format!("UPDATE \"user\" SET api_key = '{second}' WHERE id = '{id}'"),
    )
    .await;
    assert!(
        keys.authenticate(&second_digest, Utc::now())
            .await
            .unwrap()
            .is_some()
    );
    // Clearing the column (upstream's DELETE /apikey/) is not a key.
    common::exec(
        &mut conn,
        &format!("UPDATE \"user\" SET api_key = NULL WHERE id = '{id}'"),
    )
    .await;
    assert!(
        keys.authenticate(&second_digest, Utc::now())
            .await
            .unwrap()
            .is_some()
    );
}
