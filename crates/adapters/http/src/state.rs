use std::sync::Arc;

use ents_domain::access::AccessPolicy;
use ents_domain::alerts::AlertService;
use ents_domain::exports::ExportService;
use ents_domain::health::ReadinessProbe;
use ents_domain::imports::ImportService;
use ents_domain::loggers::LoggerService;
use ents_domain::series::SeriesRepository;
use ents_domain::sta::StaService;

use crate::auth::Identity;
use crate::routes::ingest::IngestEndpoints;
use crate::routes::registry::Registry;
use crate::routes::socketio::SocketIoUpstream;

/// Everything handlers need, built once by the composition root (`ents-runtime`) from
/// concrete adapters. Handlers see only domain ports and use cases, and every one of them
/// is there: a route never asks whether its port exists.
#[derive(Clone)]
pub struct AppState {
    /// Dependencies reported by `/readyz` (database; broker when configured).
    pub readiness: Vec<Arc<dyn ReadinessProbe>>,
    /// Sign-in, sessions, API keys.
    pub identity: Arc<Identity>,
    /// Who may read and write (docs/compatibility.md#authorization), for
    /// `ents_domain::access::authorize`.
    pub access: AccessPolicy,
    /// Where `/socket.io/` is forwarded (the in-process Socket.IO server of the live push).
    pub socketio: SocketIoUpstream,
    /// Stored measurement series (power, TEROS, generic sensors), for the data reads.
    pub series: Arc<dyn SeriesRepository>,
    /// Cells, tags and memberships.
    pub registry: Registry,
    /// Loggers and their TTN registration.
    pub loggers: Arc<LoggerService>,
    /// Device uploads.
    pub ingest: IngestEndpoints,
    /// CSV exports, run as jobs.
    pub exports: Arc<ExportService>,
    /// CSV imports over HTTP, run as jobs.
    pub imports: Arc<ImportService>,
    /// The read-only SensorThings API (served when `HttpSettings::sta_prefix` is set).
    pub sta: StaService,
    /// Alert rules and their history.
    pub alerts: Arc<AlertService>,
}
