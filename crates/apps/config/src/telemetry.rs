//! `[telemetry]`: OpenTelemetry traces (docs/operations.md#traces). Off unless an endpoint is set.

use serde::{Deserialize, Serialize};

use crate::de;
use crate::error::ConfigError;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Base URL of an OTLP/HTTP receiver (an OpenTelemetry collector, Jaeger, Tempo), such as
    /// `http://otel-collector:4318`; spans are posted to `<endpoint>/v1/traces` as protobuf.
    /// Unset: no traces are exported (the default).
    #[serde(deserialize_with = "de::opt_text")]
    pub otlp_endpoint: Option<String>,
    /// The `service.name` resource attribute; unset: the binary's name (`ents`, `ents-worker`).
    #[serde(deserialize_with = "de::opt_text")]
    pub service_name: Option<String>,
    /// Fraction of new traces kept (0.0 ..= 1.0). A request that arrives with a `traceparent`
    /// follows its caller's sampling decision instead.
    pub sampling_ratio: f64,
    /// How long shutting down may wait for the last spans to be sent.
    pub shutdown_timeout_ms: u64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: None,
            service_name: None,
            sampling_ratio: 1.0,
            shutdown_timeout_ms: 5_000,
        }
    }
}

impl TelemetryConfig {
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(endpoint) = &self.otlp_endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            return Err(ConfigError::Invalid {
                key: "telemetry.otlp_endpoint",
                problem: format!("`{endpoint}` is not an http(s) URL"),
            });
        }
        if !(0.0..=1.0).contains(&self.sampling_ratio) {
            return Err(ConfigError::Invalid {
                key: "telemetry.sampling_ratio",
                problem: "must be between 0 and 1".into(),
            });
        }
        Ok(())
    }
}
