use serde::{Deserialize, Serialize};

/// One e-mail, rendered: plain text and HTML alternatives of the same message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Recipients' addresses (at least one).
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One webhook POST: the JSON body is sent as it is and signed with the rule's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Where to POST (http or https).
    pub url: String,
    /// The JSON document, exactly the bytes that are signed.
    pub body: String,
    /// The shared secret the HMAC-SHA256 signature is computed with (never logged).
    pub secret: String,
    /// Identifies this delivery to the receiver (`X-ENTS-Delivery`), the same on every retry
    /// so a receiver can drop duplicates.
    pub delivery_id: String,
}

/// What the receiver answered to a [`WebhookDelivery`] it accepted (2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookOutcome {
    pub status: u16,
    pub elapsed_ms: u64,
}
