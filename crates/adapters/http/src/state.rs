use std::sync::Arc;

use ents_domain::access::AccessPolicy;
use ents_domain::exports::ExportService;
use ents_domain::health::ReadinessProbe;
use ents_domain::loggers::LoggerService;
use ents_domain::series::SeriesRepository;

use crate::auth::Identity;
use crate::routes::ingest::IngestEndpoints;
use crate::routes::registry::Registry;
use crate::routes::socketio::SocketIoUpstream;

/// Everything handlers need, built once in `main` from concrete adapters. Handlers see
/// only domain ports and use cases.
#[derive(Clone, Default)]
pub struct AppState {
    /// Dependencies reported by `/readyz` (database; broker when configured).
    pub readiness: Vec<Arc<dyn ReadinessProbe>>,
    /// Sign-in, sessions, API keys (issue 3). `None` only in tests of unrelated features:
    /// every presented credential is then answered with 503.
    pub identity: Option<Arc<Identity>>,
    /// Who may read and write (docs/compatibility.md#authorization), for
    /// `ents_domain::access::authorize`.
    pub access: AccessPolicy,
    /// Where `/socket.io/` is forwarded (the in-process Socket.IO server). `None`: the path
    /// is not served.
    pub socketio: Option<SocketIoUpstream>,
    /// Stored measurement series (power, TEROS, generic sensors), for the data reads.
    /// `None` only in tests of unrelated features: those routes then answer 503.
    pub series: Option<Arc<dyn SeriesRepository>>,
    /// Cells, tags and memberships (issue 4). `None` only in tests of unrelated features:
    /// those routes then answer 503.
    pub registry: Option<Registry>,
    /// Loggers and their TTN registration (issue 4). `None` only in tests of unrelated
    /// features: the logger routes then answer 503.
    pub loggers: Option<Arc<LoggerService>>,
    /// Device uploads (issue 5). `None` only in tests of unrelated features: the upload
    /// routes then answer 503.
    pub ingest: Option<IngestEndpoints>,
    /// CSV exports run by the worker (issue 6). `None` only in tests of unrelated features:
    /// the export routes then answer 503.
    pub exports: Option<Arc<ExportService>>,
}
