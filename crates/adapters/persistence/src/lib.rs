//! The PostgreSQL adapter: a connection pool that fails fast and heals ([`Db`]), the schema
//! migrations (embedded, able to adopt an upstream database: [`migrate()`]), the diesel
//! [`schema`], and the implementations of the domain ports that live in PostgreSQL
//! ([`PgJobRepository`], [`PgReadiness`], the live push's [`PgLiveFeed`] and
//! [`PgLiveListener`]).
//!
//! Pure Rust: diesel's query builder with diesel-async over tokio-postgres, no libpq.
//! Every connection runs in UTC (see `migrations/20260703000000_upstream_baseline/up.sql`
//! for why the upstream tables keep `timestamp without time zone`).

pub mod alerts;
pub mod api_keys;
pub mod auth_failures;
mod bootstrap;
pub mod cells;
mod connect;
pub mod error;
pub mod exports;
pub mod health;
pub mod import_uploads;
pub mod imports;
pub mod jobs;
pub mod live_notify;
pub mod loggers;
pub mod measurements;
pub mod metrics;
pub mod migrate;
pub mod pool;
pub mod refresh_tokens;
pub mod rollup_stats;
pub mod schema;
pub mod series;
pub mod sta;
pub mod tags;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod users;

pub use alerts::{PgAlertRepository, PgAlertSignals};
pub use api_keys::PgApiKeyRepository;
pub use auth_failures::PgFailureStore;
pub use bootstrap::ensure_database;
pub use cells::PgCellRepository;
pub use error::PersistenceError;
pub use exports::PgExportRowSource;
pub use health::PgReadiness;
pub use import_uploads::PgImportUploadStore;
pub use imports::PgImportStore;
pub use jobs::PgJobRepository;
pub use live_notify::{CoalescingLiveFeed, ListenerSettings, PgLiveFeed, PgLiveListener};
pub use loggers::PgLoggerRepository;
pub use measurements::{GroupCommitStore, PgMeasurementStore};
pub use migrate::{MigrationReport, migrate};
pub use pool::{Db, PoolSettings, PooledConnection};
pub use refresh_tokens::PgRefreshTokenRepository;
pub use rollup_stats::{RollupMaintenance, rollup_maintenance};
pub use series::PgSeriesRepository;
pub use sta::PgStaRepository;
pub use tags::PgTagRepository;
pub use users::PgUserRepository;
