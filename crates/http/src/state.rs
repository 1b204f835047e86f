use std::sync::Arc;

use ents_domain::health::ReadinessProbe;

/// Everything handlers need, built once in `main` from concrete adapters. Handlers see
/// only domain ports and use cases.
#[derive(Clone, Default)]
pub struct AppState {
    /// Dependencies reported by `/readyz` (database; broker when configured).
    pub readiness: Vec<Arc<dyn ReadinessProbe>>,
}
