//! Delivering relayed events to this instance's Socket.IO rooms.

use async_trait::async_trait;
use ents_domain::live::{LiveSubscribers, RelayedEvent};
use serde_json::value::RawValue;
use socketioxide::SocketIo;

/// [`LiveSubscribers`] as emits to room `cell_<cell id>` of the default namespace, each as
/// its event name (`measurement_received`, `alert`).
#[derive(Clone)]
pub struct SocketIoSubscribers {
    io: SocketIo,
}

impl SocketIoSubscribers {
    pub(crate) fn new(io: SocketIo) -> Self {
        Self { io }
    }
}

#[async_trait]
impl LiveSubscribers for SocketIoSubscribers {
    async fn deliver(&self, events: &[RelayedEvent]) {
        let Some(default_ns) = self.io.of("/") else {
            tracing::error!("the default Socket.IO namespace is not registered");
            return;
        };
        for event in events {
            // Sent as the bytes the producing instance encoded: keys stay in the order encoded
            // (upstream's, for `measurement_received`).
            let payload = match RawValue::from_string(event.json.clone()) {
                Ok(payload) => payload,
                Err(error) => {
                    tracing::warn!(%error, "ignored a relayed event that is not JSON");
                    continue;
                }
            };
            let sent = default_ns
                .clone()
                .to(event.room())
                .emit(event.event.as_str(), &*payload)
                .await;
            if let Err(error) = sent {
                tracing::debug!(
                    %error, room = %event.room(), event = event.event.as_str(),
                    "live event not sent to every subscriber"
                );
            }
        }
    }
}
