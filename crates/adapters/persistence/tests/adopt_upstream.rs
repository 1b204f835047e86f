//! `migrate` on every kind of database it can meet: an upstream one to adopt (without losing
//! a row), an upstream one at the wrong revision, an empty one, one already ours.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use diesel_async::AsyncPgConnection;
use ents_persistence::error::UPSTREAM_HEAD;
use ents_persistence::migrate::{
    BASELINE_VERSION, UPSTREAM_TABLES, applied_versions, embedded_versions, pending_versions,
};
use ents_persistence::testing::TestDb;
use ents_persistence::{MigrationReport, PersistenceError, migrate};

/// Builds what an upstream deployment looks like: the schema at `revision`'s head (our
/// baseline), alembic's bookkeeping, and rows in every table.
async fn upstream_database(revision: &str) -> TestDb {
    let test_db = TestDb::empty().await;
    let mut conn = common::connect(test_db.url()).await;
    common::exec(&mut conn, common::BASELINE_UP).await;
    common::exec(&mut conn, common::ALEMBIC_VERSION_DDL).await;
    common::exec(
        &mut conn,
        &format!("INSERT INTO alembic_version VALUES ('{revision}')"),
    )
    .await;
    common::exec(&mut conn, common::UPSTREAM_ROWS).await;
    test_db
}

/// Every row of every upstream table (and alembic_version), plus the sequence positions. Two kinds
/// of values move on purpose during the forward migrations (secrets become digests) and are
/// compared in their new home: legacy plaintext API keys become digests in `api_key`, and the
/// plaintext refresh tokens of `oauth_token` become digests in `refresh_token`.
async fn contents(conn: &mut AsyncPgConnection) -> Vec<(String, Vec<String>)> {
    let migrated = common::table_exists(conn, "api_key").await;
    let mut all = Vec::new();
    for table in UPSTREAM_TABLES.iter().copied().chain(["alembic_version"]) {
        let rows = match (table, migrated) {
            ("user", false) => common::lines(conn, USERS_BEFORE).await,
            ("user", true) => common::lines(conn, USERS_AFTER).await,
            ("oauth_token", false) => common::lines(conn, SESSIONS_BEFORE).await,
            ("oauth_token", true) => common::lines(conn, SESSIONS_AFTER).await,
            ("logger", true) => common::lines(conn, LOGGERS_AFTER).await,
            _ => common::table_rows(conn, table).await,
        };
        all.push((table.to_owned(), rows));
    }
    // The upstream tables' sequences: our own tables (alerts, jobs…) bring sequences of their own.
    let sequences = common::sequence_states(conn)
        .await
        .into_iter()
        .filter(|state| {
            UPSTREAM_TABLES
                .iter()
                .any(|table| state.starts_with(&format!("{table}_")))
        })
        .collect();
    all.push(("sequences".to_owned(), sequences));
    all
}

/// Users with their legacy key as a digest, before the migrations.
const USERS_BEFORE: &str = r#"
SELECT ((to_jsonb(t) - 'api_key')
        || jsonb_build_object('key', encode(sha256(convert_to(t.api_key, 'UTF8')), 'hex')))::text
       AS line
  FROM "user" t ORDER BY 1"#;

/// The same after: the upstream columns, and the digest of the user's default key.
const USERS_AFTER: &str = r#"
SELECT ((to_jsonb(t) - 'api_key' - 'google_sub' - 'password_hash' - 'created_at' - 'updated_at')
        || jsonb_build_object('key', (SELECT k.digest FROM api_key k
                                       WHERE k.user_id = t.id AND k.name = 'default'
                                         AND k.revoked_at IS NULL)))::text AS line
  FROM "user" t ORDER BY 1"#;

/// Loggers without the TTN registration columns (20261129000040, all NULL when adopted).
const LOGGERS_AFTER: &str = r#"
SELECT line FROM (
    SELECT (to_jsonb(t) - 'ttn_state' - 'ttn_error' - 'ttn_dev_eui' - 'ttn_join_eui'
            - 'ttn_app_key')::text AS line
      FROM logger t) s
 ORDER BY line COLLATE "C""#;

/// Each stored session: its user and the digest of its refresh token.
const SESSIONS_BEFORE: &str = r#"
SELECT format('%s %s', user_id, encode(sha256(convert_to(refresh_token, 'UTF8')), 'hex')) AS line
  FROM oauth_token WHERE refresh_token IS NOT NULL ORDER BY 1"#;

const SESSIONS_AFTER: &str = r#"
SELECT format('%s %s', user_id, token_digest) AS line FROM refresh_token ORDER BY 1"#;

#[tokio::test]
async fn adopting_an_upstream_database_keeps_every_row() {
    let test_db = upstream_database(UPSTREAM_HEAD).await;
    let mut conn = common::connect(test_db.url()).await;
    let before = contents(&mut conn).await;
    for (table, rows) in &before {
        assert!(!rows.is_empty(), "the fixture has no rows in {table}");
    }

    let report = migrate(test_db.url()).await.unwrap();

    let forward: Vec<String> = embedded_versions()
        .unwrap()
        .into_iter()
        .filter(|v| v != BASELINE_VERSION)
        .collect();
    assert_eq!(
        report,
        MigrationReport {
            applied: forward,
            adopted: true
        }
    );
    assert!(
        common::table_exists(&mut conn, "job").await,
        "forward migrations did not run"
    );
    assert_eq!(
        applied_versions(test_db.url()).await.unwrap(),
        embedded_versions().unwrap()
    );
    assert!(pending_versions(test_db.url()).await.unwrap().is_empty());
    assert_eq!(
        before,
        contents(&mut conn).await,
        "rows changed during adoption"
    );
}

#[tokio::test]
async fn an_adopted_database_has_the_schema_of_a_fresh_one() {
    let adopted = upstream_database(UPSTREAM_HEAD).await;
    migrate(adopted.url()).await.unwrap();
    let fresh = TestDb::new().await;

    let mut conn = common::connect(adopted.url()).await;
    let adopted_schema: Vec<String> = common::schema_snapshot(&mut conn)
        .await
        .lines()
        .filter(|l| !l.contains("alembic_version"))
        .map(str::to_owned)
        .collect();
    let mut conn = common::connect(fresh.url()).await;
    let fresh_schema: Vec<String> = common::schema_snapshot(&mut conn)
        .await
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(adopted_schema, fresh_schema);
}

#[tokio::test]
async fn an_upstream_database_at_another_revision_is_refused() {
    let test_db = upstream_database("fd48c93ccf7b").await;
    let mut conn = common::connect(test_db.url()).await;
    let before = contents(&mut conn).await;

    let error = migrate(test_db.url()).await.unwrap_err();

    assert!(
        matches!(&error, PersistenceError::UnsupportedAlembicRevision { found } if found == "fd48c93ccf7b"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(UPSTREAM_HEAD) && message.contains("upgrade"),
        "{message}"
    );
    assert!(!common::table_exists(&mut conn, "__diesel_schema_migrations").await);
    assert_eq!(before, contents(&mut conn).await);
}

#[tokio::test]
async fn upstream_tables_without_any_history_are_refused() {
    let test_db = TestDb::empty().await;
    let mut conn = common::connect(test_db.url()).await;
    common::exec(&mut conn, common::BASELINE_UP).await;

    let error = migrate(test_db.url()).await.unwrap_err();

    assert!(
        matches!(error, PersistenceError::UnrecognisedSchema(_)),
        "{error:?}"
    );
    assert!(!common::table_exists(&mut conn, "__diesel_schema_migrations").await);
}

#[tokio::test]
async fn an_empty_database_gets_every_migration() {
    let test_db = TestDb::empty().await;
    assert_eq!(
        pending_versions(test_db.url()).await.unwrap(),
        embedded_versions().unwrap()
    );

    let report = migrate(test_db.url()).await.unwrap();

    assert_eq!(
        report,
        MigrationReport {
            applied: embedded_versions().unwrap(),
            adopted: false
        }
    );
    let mut conn = common::connect(test_db.url()).await;
    assert!(!common::table_exists(&mut conn, "alembic_version").await);
}

#[tokio::test]
async fn a_second_run_is_a_no_op() {
    let fresh = TestDb::new().await;
    assert_eq!(
        migrate(fresh.url()).await.unwrap(),
        MigrationReport::default()
    );

    let adopted = upstream_database(UPSTREAM_HEAD).await;
    assert!(migrate(adopted.url()).await.unwrap().adopted);
    assert_eq!(
        migrate(adopted.url()).await.unwrap(),
        MigrationReport::default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrators_take_turns() {
    let test_db = TestDb::empty().await;

    let (first, second) = tokio::join!(migrate(test_db.url()), migrate(test_db.url()));

    let (first, second) = (first.unwrap(), second.unwrap());
    let mut applied = [first.applied, second.applied].concat();
    applied.sort();
    assert_eq!(
        applied,
        embedded_versions().unwrap(),
        "each migration must run exactly once"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_a_connect_error() {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    let error = migrate("postgres://postgres@127.0.0.1:1/nothing")
        .await
        .unwrap_err();
    assert!(matches!(error, PersistenceError::Connect(_)), "{error:?}");
}
