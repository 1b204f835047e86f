//! Every migration can be reverted and re-applied, and its down script restores exactly the
//! schema it started from (in the style of Lemmy's schema-setup test, with a pg_catalog
//! snapshot instead of pg_dump).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use ents_persistence::migrate::MIGRATIONS;
use ents_persistence::testing::TestDb;

#[derive(Clone, Copy, Debug)]
enum Step {
    Up,
    Down,
}

/// Applies or reverts the `index`-th migration (in version order) through diesel's harness,
/// which is synchronous: it runs on a blocking thread and hands the connection back.
async fn step(conn: AsyncPgConnection, index: usize, step: Step) -> AsyncPgConnection {
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let migration = &sorted_migrations()[index];
        match step {
            Step::Up => harness.run_migration(migration.as_ref()),
            Step::Down => harness.revert_migration(migration.as_ref()),
        }
        .unwrap_or_else(|e| panic!("{step:?} of {} failed: {e}", migration.name()));
        harness.into_inner()
    })
    .await
    .expect("migration step panicked")
}

fn sorted_migrations() -> Vec<Box<dyn Migration<Pg>>> {
    let mut migrations = MigrationSource::<Pg>::migrations(&MIGRATIONS).unwrap();
    migrations.sort_by_key(|m| m.name().version().to_string());
    migrations
}

#[tokio::test]
async fn every_migration_reverts_and_reapplies_to_the_same_schema() {
    let test_db = TestDb::empty().await;
    let names: Vec<String> = sorted_migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    assert!(names.len() >= 3, "{names:?}");

    let mut conn = common::connect(test_db.url()).await;
    // `run_migration` records into diesel's table but, unlike `run_pending_migrations`,
    // does not create it.
    common::exec(&mut conn, diesel::migration::CREATE_MIGRATIONS_TABLE).await;
    for (index, name) in names.iter().enumerate() {
        let before = common::schema_snapshot(&mut conn).await;

        conn = step(conn, index, Step::Up).await;
        let applied = common::schema_snapshot(&mut conn).await;
        assert_ne!(before, applied, "{name} changed nothing");

        conn = step(conn, index, Step::Down).await;
        let reverted = common::schema_snapshot(&mut conn).await;
        assert_eq!(
            before, reverted,
            "down.sql of {name} does not restore the previous schema"
        );

        conn = step(conn, index, Step::Up).await;
        let reapplied = common::schema_snapshot(&mut conn).await;
        assert_eq!(applied, reapplied, "{name} is not the same after down + up");
    }
}
