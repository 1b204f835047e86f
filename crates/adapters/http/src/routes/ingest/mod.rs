//! Device uploads (issue 5): `POST /api/sensor/` (protobuf and The Things Network webhooks),
//! `POST /api/sensor_json/`, and the legacy `POST /api/power/` and `/api/teros/`.
//!
//! Status codes and bodies are upstream's, byte for byte, where devices see them
//! (docs/wire-format.md#answers); bad input that upstream answered with a 500 gets the path's own
//! refusal instead (legacy `501 08 01`, generic `400` text), never a 500. Every difference:
//! docs/compatibility.md#ingestion.

mod body;
mod device;
mod named;
mod protobuf;
mod reply;
mod sensor;
mod sensor_json;

pub(crate) use body::read as read_body;
pub(crate) use named::{power_post, teros_post};
pub(crate) use sensor::sensor_post;
pub(crate) use sensor_json::sensor_json_post;

use std::fmt;

use ents_domain::ingest::IngestService;

/// What the upload routes need, built by the composition root.
#[derive(Clone)]
pub struct IngestEndpoints {
    pub service: IngestService,
    pub settings: IngestHttpSettings,
}

/// HTTP-side ingestion options.
#[derive(Clone)]
pub struct IngestHttpSettings {
    /// Largest accepted upload body; larger ones get 413 before being read.
    pub body_limit_bytes: usize,
    /// When set, TTN webhook requests (`POST /api/sensor/` with JSON) must carry this header
    /// with this value (`ttn.webhook_secret_header`, `ttn.webhook_secret`).
    pub ttn_webhook_secret: Option<WebhookSecret>,
}

impl Default for IngestHttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            ttn_webhook_secret: None,
        }
    }
}

/// The TTN shared secret and the header that carries it. `Debug` hides the value.
#[derive(Clone)]
pub struct WebhookSecret {
    pub header: String,
    pub value: String,
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSecret")
            .field("header", &self.header)
            .field("value", &"***")
            .finish()
    }
}
