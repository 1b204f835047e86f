//! Configuration → adapter and use-case settings, shared by both processes so they agree on
//! queue names, retry policy and timeouts.

use std::time::Duration;

use ents_amqp::AmqpSettings;
use ents_config::Settings;
use ents_domain::access::AccessPolicy;
use ents_domain::exports::ExportSettings;
use ents_domain::jobs::RunnerSettings;
use ents_persistence::PoolSettings;
use ents_ttn::TtnSettings;
use secrecy::ExposeSecret;

use crate::jobs::WorkerSettings;

/// The broker settings, when a broker is configured (`amqp.url`).
pub fn amqp_settings(settings: &Settings) -> Option<AmqpSettings> {
    let url = settings.amqp.url.as_ref()?;
    Some(AmqpSettings {
        url: url.expose_secret().to_owned(),
        queue: settings.amqp.queue.clone(),
        prefetch: settings.amqp.prefetch,
        confirm_timeout: Duration::from_millis(settings.amqp.confirm_timeout_ms),
        // `confirm_timeout_ms` bounds a whole publish, reconnects included: it is what an
        // upload in queued mode (or a request that starts a job) can wait for the broker.
        publish_deadline: Duration::from_millis(settings.amqp.confirm_timeout_ms),
        ..AmqpSettings::default()
    })
}

/// How jobs are run: lease, back-off.
pub fn runner_settings(settings: &Settings) -> RunnerSettings {
    let jobs = &settings.jobs;
    RunnerSettings {
        lease: Duration::from_secs(jobs.lease_secs),
        retry_backoff: Duration::from_millis(jobs.retry_backoff_ms),
        max_backoff: Duration::from_secs(jobs.max_backoff_secs),
    }
}

/// The RabbitMQ job consumer's settings, when a broker is configured.
pub fn worker_settings(settings: &Settings) -> Option<WorkerSettings> {
    Some(WorkerSettings {
        amqp: amqp_settings(settings)?,
        sweep_interval: Duration::from_secs(settings.jobs.sweep_interval_secs),
        stale_grace: Duration::from_secs(settings.jobs.sweep_grace_secs),
    })
}

/// The database pool, as both processes size it.
pub fn pool_settings(settings: &Settings) -> PoolSettings {
    let db = &settings.database;
    PoolSettings {
        url: settings.database_url().expose_secret().to_owned(),
        max_size: db.pool_max_size,
        wait_timeout: db.wait_timeout(),
        create_timeout: db.create_timeout(),
        recycle_timeout: db.recycle_timeout(),
        connect_timeout: db.connect_timeout(),
        statement_timeout: db.statement_timeout(),
        operation_timeout: db.operation_timeout(),
        track_functions: db.track_functions,
    }
}

/// The broker settings of the queued ingest mode: those of the jobs, on `ingest.queue`.
pub fn ingest_amqp_settings(settings: &Settings) -> Option<AmqpSettings> {
    amqp_settings(settings).map(|amqp| amqp.with_queue(settings.ingest.queue.clone()))
}

/// How the worker groups queued uploads into transactions.
pub fn ingest_batch_settings(settings: &Settings) -> ents_amqp::BatchSettings {
    ents_amqp::BatchSettings {
        max: settings.ingest.batch_max,
        wait: Duration::from_millis(settings.ingest.batch_wait_ms),
    }
}

/// The TTN adapter's settings, when registration is configured (API key and app id).
pub fn ttn_settings(settings: &Settings) -> Option<TtnSettings> {
    let ttn = &settings.ttn;
    Some(TtnSettings {
        identity_server_url: ttn.identity_server_url.clone(),
        cluster_url: ttn.cluster_url.clone(),
        app_id: ttn.app_id.clone()?,
        api_key: ttn.api_key.clone()?,
        timeout: ttn.request_timeout(),
    })
}

/// The export handler's tunables.
pub fn export_settings(settings: &Settings) -> ExportSettings {
    ExportSettings {
        batch_rows: settings.exports.batch_rows,
        retention: settings.exports.retention(),
        progress_interval: Duration::from_secs(1),
    }
}

/// The authorization policy's settings.
pub fn access_policy(settings: &Settings) -> AccessPolicy {
    AccessPolicy {
        public_read: settings.access.public_read,
    }
}
