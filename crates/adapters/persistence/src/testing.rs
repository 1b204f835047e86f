//! A fresh PostgreSQL database per test, for this crate's tests and (feature `testing`) for
//! the other crates' tests.
//!
//! Cheap by cloning: the first caller creates `ents_tpl_<hash of the migration files>` and
//! migrates it once; every [`TestDb::new`] is then `CREATE DATABASE … TEMPLATE` (a file
//! copy, tens of milliseconds). Safe across parallel processes (nextest runs each test in
//! its own): template creation is serialised by an advisory lock on the admin connection,
//! and a template counts as ready only once it is flagged `datistemplate`, so one left
//! half-made by a killed process is rebuilt. A changed migration gives a new hash, hence a
//! new template.
//!
//! Helpers panic with a clear message instead of returning errors: they run only in tests.

use std::time::Duration;

use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::migrate::migrate;
use crate::pool::{Db, PoolSettings};

/// FNV-1a of every file under `migrations/`, computed by build.rs.
const MIGRATIONS_HASH: &str = env!("ENTS_MIGRATIONS_HASH");

/// Serialises template creation across processes ("ENTSTPL").
const TEMPLATE_LOCK_KEY: i64 = 0x0045_4e54_5354_504c;

/// How long a test's end waits for its database to be dropped; past it the database is left.
const DROP_PATIENCE: Duration = Duration::from_secs(30);

/// One test's own database, dropped (best effort) with it.
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
    db: Db,
}

impl TestDb {
    /// A fresh database with every migration applied.
    pub async fn new() -> Self {
        let admin_url = ents_test_support::postgres_admin_url();
        let admin = Admin::connect(&admin_url).await;
        let template = template_name();
        admin.ensure_template(&admin_url, &template).await;
        let name = ents_test_support::unique_name("ents_test");
        admin.create_database(&name, Some(&template)).await;
        Self::open(name, admin_url)
    }

    /// A fresh database with no migration applied (for migration tests).
    pub async fn empty() -> Self {
        let admin_url = ents_test_support::postgres_admin_url();
        let admin = Admin::connect(&admin_url).await;
        let name = ents_test_support::unique_name("ents_test");
        admin.create_database(&name, None).await;
        Self::open(name, admin_url)
    }

    fn open(name: String, admin_url: String) -> Self {
        let url = with_database(&admin_url, &name);
        let settings = PoolSettings {
            url: url.clone(),
            max_size: 4,
            // Roomy: several test processes share two cores.
            wait_timeout: Duration::from_secs(20),
            create_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(20),
            statement_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(60),
            ..PoolSettings::default()
        };
        let db = Db::new(&settings)
            .unwrap_or_else(|e| panic!("cannot build a pool for test database {name}: {e}"));
        Self {
            name,
            url,
            admin_url,
            db,
        }
    }

    /// `postgres://…/<name>` of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A small pool (4 connections) on this database.
    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// The server's admin URL (`ENTS_TEST_DATABASE_URL`), for tests that need to create or
    /// inspect other databases.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }
}

impl Drop for TestDb {
    /// Drops the database on a thread of its own (`Drop` cannot await, and blocking on the
    /// test's runtime would deadlock). `WITH (FORCE)` ends the connections still open from
    /// clones of [`TestDb::db`]. Never panics: a leftover database is harmless.
    fn drop(&mut self) {
        self.db.close();
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            let drop_database = async {
                let Ok((client, connection)) = tokio_postgres::connect(&admin_url, NoTls).await
                else {
                    return;
                };
                tokio::spawn(connection);
                let sql = format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_ident(&name)
                );
                if let Err(error) = client.batch_execute(&sql).await {
                    tracing::warn!(%error, database = %name, "could not drop test database");
                }
            };
            // A drop stuck behind another session's lock must not hold the test's end.
            let bounded = tokio::time::timeout(DROP_PATIENCE, drop_database);
            if runtime.block_on(bounded).is_err() {
                tracing::warn!(database = %name, "gave up dropping the test database");
            }
        });
        let _ = cleanup.join();
    }
}

/// `ents_tpl_<hash>`: one template per distinct set of migration files.
pub fn template_name() -> String {
    format!("ents_tpl_{MIGRATIONS_HASH}")
}

/// The admin connection: creates databases.
struct Admin {
    client: tokio_postgres::Client,
}

impl Admin {
    async fn connect(admin_url: &str) -> Self {
        let (client, connection) = tokio_postgres::connect(admin_url, NoTls)
            .await
            .unwrap_or_else(|e| {
                panic!("cannot connect to the test PostgreSQL (ENTS_TEST_DATABASE_URL): {e}")
            });
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "admin connection ended");
            }
        });
        Self { client }
    }

    async fn template_ready(&self, template: &str) -> bool {
        self.client
            .query_opt(
                "SELECT datistemplate FROM pg_database WHERE datname = $1",
                &[&template],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot read pg_database: {e}"))
            .is_some_and(|row| row.get::<_, bool>(0))
    }

    async fn ensure_template(&self, admin_url: &str, template: &str) {
        if self.template_ready(template).await {
            return;
        }
        self.execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
            .await;
        // Another process may have finished it while this one waited for the lock.
        if !self.template_ready(template).await {
            let quoted = quote_ident(template);
            // Left half-made by a process that died mid-way.
            self.execute(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
                .await;
            self.execute(&format!("CREATE DATABASE {quoted}")).await;
            migrate(&with_database(admin_url, template))
                .await
                .unwrap_or_else(|e| panic!("cannot migrate the template database {template}: {e}"));
            self.execute(&format!("ALTER DATABASE {quoted} WITH IS_TEMPLATE true"))
                .await;
        }
        self.execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"))
            .await;
    }

    /// `CREATE DATABASE`, retried while the template still has a session open (the
    /// migrator's connection may take a moment to end on the server side).
    async fn create_database(&self, name: &str, template: Option<&str>) {
        let sql = match template {
            Some(t) => format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(name),
                quote_ident(t)
            ),
            None => format!("CREATE DATABASE {}", quote_ident(name)),
        };
        let mut attempts = 0;
        loop {
            match self.client.batch_execute(&sql).await {
                Ok(()) => return,
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempts < 100 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot create test database {name}: {e}"),
            }
        }
    }

    async fn execute(&self, sql: &str) {
        self.client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("test database setup failed on `{sql}`: {e}"));
    }
}

/// Replaces the database of a `postgres://` URL (the path), keeping credentials and query.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{database}{query}", &base[..path_start])
}

/// Test database names come from `unique_name` (lower-case, digits, `_`), but quote anyway.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t"),
            "postgres://h:5432/t"
        );
    }

    #[test]
    fn template_name_is_a_short_identifier() {
        let name = template_name();
        assert!(name.len() < 63 && name.starts_with("ents_tpl_"), "{name}");
    }
}
