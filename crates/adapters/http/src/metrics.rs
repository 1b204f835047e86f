//! The request metrics of the API: actix-web-metrics on the `metrics` facade, a duration
//! histogram by route template, method and status.

use actix_web_metrics::{
    ActixWebMetrics, ActixWebMetricsBuilder, ActixWebMetricsConfig, LabelsConfig,
};

/// The label every unmatched path is recorded under: raw paths would make the label set
/// unbounded (any scanner's URL a new series).
const UNMATCHED: &str = "unmatched";

/// The request metrics middleware. Build it after the recorder is installed (it describes its
/// metrics then).
pub(crate) fn request_metrics() -> ActixWebMetrics {
    ActixWebMetricsBuilder::new()
        .mask_unmatched_patterns(UNMATCHED)
        .metrics_config(
            ActixWebMetricsConfig::default()
                .http_server_request_duration_name("http_server_request_duration_seconds")
                .http_server_request_body_size_name("http_server_request_body_size_bytes")
                .http_server_response_body_size_name("http_server_response_body_size_bytes")
                .http_server_active_requests_name("http_server_active_requests")
                .labels(
                    LabelsConfig::default()
                        .http_route("route")
                        .http_request_method("method")
                        .http_response_status_code("status")
                        .network_protocol_name("protocol")
                        .network_protocol_version("protocol_version")
                        .url_scheme("scheme"),
                ),
        )
        .build()
}
