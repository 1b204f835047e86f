use lapin::options::{BasicQosOptions, ConfirmSelectOptions};
use lapin::{Channel, Connection, ConnectionProperties};

use crate::error::AmqpError;
use crate::settings::AmqpSettings;
use crate::topology::Topology;

/// How long a polite close waits for the broker's close-ok.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// What a session's channel is for; decides how it is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Publisher confirms on.
    Publisher,
    /// Bounded prefetch for manual acks.
    Consumer,
}

impl Role {
    fn connection_name(self) -> &'static str {
        match self {
            Self::Publisher => "ents-publisher",
            Self::Consumer => "ents-consumer",
        }
    }
}

/// One connection with one ready channel and the topology declared on it.
///
/// Never reused after a failure: lapin's auto-recovery is off, so the owner drops a
/// broken session and opens a new one, which re-declares everything.
pub(crate) struct Session {
    pub(crate) connection: Connection,
    pub(crate) channel: Channel,
}

impl Session {
    /// Connects, opens the channel, declares the topology and sets the channel up for
    /// `role`, all within `connect_timeout`.
    pub(crate) async fn open(
        settings: &AmqpSettings,
        topology: &Topology,
        role: Role,
    ) -> Result<Self, AmqpError> {
        let after = settings.connect_timeout;
        tokio::time::timeout(after, Self::open_unbounded(settings, topology, role))
            .await
            .map_err(|_| AmqpError::Timeout {
                what: "connecting to the broker",
                after,
            })?
    }

    async fn open_unbounded(
        settings: &AmqpSettings,
        topology: &Topology,
        role: Role,
    ) -> Result<Self, AmqpError> {
        let properties =
            ConnectionProperties::default().with_connection_name(role.connection_name().into());
        let connection = Connection::connect(&settings.url, properties).await?;
        let channel = connection.create_channel().await?;
        topology.declare(&channel).await?;
        match role {
            Role::Publisher => {
                channel
                    .confirm_select(ConfirmSelectOptions::default())
                    .await?
            }
            Role::Consumer => {
                channel
                    .basic_qos(settings.prefetch, BasicQosOptions { global: false })
                    .await?;
            }
        }
        Ok(Self {
            connection,
            channel,
        })
    }

    /// Both the connection and the channel are usable right now (as far as the client knows;
    /// a dead peer is noticed by the heartbeat or the next write).
    pub(crate) fn is_open(&self) -> bool {
        self.connection.status().connected() && self.channel.status().connected()
    }

    /// Closes politely when still open (pending confirms and acks are flushed by the
    /// broker's close handshake); a broken session is just dropped. Bounded by
    /// [`CLOSE_TIMEOUT`]: a connection opened inside a runtime that has since stopped (an
    /// HTTP worker's, at shutdown) never sees the broker's close-ok, and shutdown must not
    /// wait for it.
    pub(crate) async fn close(&self) {
        if !self.connection.status().connected() {
            return;
        }
        match tokio::time::timeout(CLOSE_TIMEOUT, self.connection.close(200, "OK".into())).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "closing the broker connection failed"),
            Err(_) => tracing::debug!("the broker did not confirm the close in time; dropping"),
        }
    }
}
