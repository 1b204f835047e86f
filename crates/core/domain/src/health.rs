//! Readiness of the dependencies the service needs to do useful work.

use async_trait::async_trait;

/// One dependency that `/readyz` reports on.
#[async_trait]
pub trait ReadinessProbe: Send + Sync + 'static {
    /// A short stable name shown in the readiness report (`database`, `broker`).
    fn name(&self) -> &'static str;

    /// `Ok(())` when the dependency answers now. `Err` carries a short reason that is safe
    /// to show to operators (no secrets, no connection strings). Must return within a bounded
    /// time: implementations apply their own timeout.
    async fn check(&self) -> Result<(), String>;
}
