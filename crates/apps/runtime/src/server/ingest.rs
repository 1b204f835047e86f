//! Wiring of device ingestion: the store (direct: PostgreSQL, through the group commit unless
//! it is off; queued: RabbitMQ, written by the `ents-worker` binary's upload consumer), the
//! live feed, and the HTTP-side options.

use std::sync::Arc;

use ents_amqp::AmqpIngestQueue;
use ents_coalesce::CoalesceSettings;
use ents_config::{IngestMode, Settings};
use ents_domain::ingest::{DeviceAuthorizer, IngestService, IngestSettings, MeasurementStore};
use ents_domain::live::LiveFeed;
use ents_http::{IngestEndpoints, IngestHttpSettings, WebhookSecret};
use ents_persistence::{CoalescingLiveFeed, Db, GroupCommitStore, PgMeasurementStore};

use secrecy::ExposeSecret;

use crate::settings::ingest_amqp_settings;

/// The upload routes' state; `authorizer` checks an `X-API-Key` sent with an upload.
pub(super) fn endpoints(
    settings: &Settings,
    db: &Db,
    live: Arc<dyn LiveFeed>,
    authorizer: Arc<dyn DeviceAuthorizer>,
) -> anyhow::Result<IngestEndpoints> {
    let pg = Arc::new(PgMeasurementStore::new(db.clone()));
    let store: Arc<dyn MeasurementStore> = match settings.ingest.mode {
        IngestMode::Direct if settings.ingest.group_commit_writers > 0 => {
            Arc::new(GroupCommitStore::start((*pg).clone(), grouping(settings)))
        }
        IngestMode::Direct => pg.clone(),
        IngestMode::Queued => {
            let amqp = ingest_amqp_settings(settings)
                .ok_or_else(|| anyhow::anyhow!("ingest.mode = queued needs amqp.url"))?;
            Arc::new(AmqpIngestQueue::new(amqp, pg.clone(), grouping(settings))?)
        }
    };
    let service = IngestService::new(
        Arc::new(crate::metrics::MeteredStore(store)),
        pg,
        IngestSettings {
            require_api_key: settings.ingest.require_api_key,
        },
    )
    .with_authorizer(authorizer)
    // Uploads' events are coalesced: one publish (one NOTIFY transaction) for many uploads.
    .with_live_feed(Arc::new(CoalescingLiveFeed::start(live)));
    Ok(IngestEndpoints {
        service,
        settings: http_settings(settings),
    })
}

/// Uploads arriving while `group_commit_writers` transactions (direct) or confirmed publishes
/// (queued) are busy go together into the next one.
fn grouping(settings: &Settings) -> CoalesceSettings {
    CoalesceSettings {
        slots: settings.ingest.group_commit_writers.max(1),
        max_batch: settings.ingest.group_commit_max_uploads,
        // Uploads waiting beyond this make their requests wait to enqueue (back-pressure).
        queue_depth: 4096,
    }
}

fn http_settings(settings: &Settings) -> IngestHttpSettings {
    IngestHttpSettings {
        body_limit_bytes: settings.ingest.body_limit_bytes,
        ttn_webhook_secret: settings
            .ttn
            .webhook_secret
            .as_ref()
            .map(|secret| WebhookSecret {
                header: settings.ttn.webhook_secret_header.clone(),
                value: secret.expose_secret().to_owned(),
            }),
    }
}
