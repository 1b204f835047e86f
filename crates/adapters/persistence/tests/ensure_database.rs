#![allow(clippy::unwrap_used, clippy::expect_used)]

use ents_persistence::ensure_database;
use ents_persistence::testing::with_database;
use ents_test_support::{postgres_admin_url, unique_name};

#[tokio::test]
async fn creates_a_missing_database_once() {
    let name = unique_name("ents_ensure");
    let url = with_database(&postgres_admin_url(), &name);
    assert!(ensure_database(&url).await.unwrap(), "created");
    assert!(!ensure_database(&url).await.unwrap(), "already there");
    // Clean up through the admin connection.
    let (client, conn) = tokio_postgres::connect(&postgres_admin_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
}
