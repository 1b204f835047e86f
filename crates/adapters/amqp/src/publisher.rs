use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ents_domain::jobs::{Job, JobQueue, QueueError};
use ents_wire::job_message::JobMessage;
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Confirmation};
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::error::AmqpError;
use crate::properties;
use crate::readiness::AmqpReadiness;
use crate::session::{Role, Session};
use crate::settings::AmqpSettings;
use crate::topology::{Topology, short};

/// Publishes job messages to RabbitMQ; the [`JobQueue`] of the API side and the consumer's
/// way to schedule retries and dead letters.
///
/// Every message is persistent and `mandatory` on a confirm-mode channel, and a publish
/// returns `Ok` only once the broker has acknowledged it, so an `Ok` survives a broker
/// restart. The connection is opened lazily, shared by concurrent publishes, and replaced
/// (with back-off, within `publish_deadline`) when it breaks: an outage costs a bounded
/// wait and an `Unavailable`, never a publisher stuck on a dead connection.
///
/// Cheap to clone (one shared connection).
#[derive(Clone)]
pub struct AmqpJobQueue {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AmqpSettings,
    topology: Topology,
    /// The session in use. A plain mutex: held only to clone or swap the `Arc`.
    current: Mutex<Option<Arc<Session>>>,
    /// Serializes (re)connections, so an outage causes one reconnect, not one per caller.
    connecting: tokio::sync::Mutex<()>,
}

impl AmqpJobQueue {
    /// Validates the settings; connects on first use. Errors: `InvalidSettings`.
    pub fn new(settings: AmqpSettings) -> Result<Self, AmqpError> {
        settings.validate()?;
        let topology = Topology::new(&settings.queue);
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                topology,
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub fn topology(&self) -> &Topology {
        &self.inner.topology
    }

    pub fn settings(&self) -> &AmqpSettings {
        &self.inner.settings
    }

    /// Whether a usable connection is open right now (no I/O).
    pub fn is_connected(&self) -> bool {
        self.current().is_some()
    }

    /// Opens the connection now unless it is open (one attempt, `connect_timeout`), and
    /// declares the topology. Useful at start-up to fail fast or to log the broker's state.
    pub async fn ensure_connected(&self) -> Result<(), AmqpError> {
        self.session().await.map(drop)
    }

    /// Whether the broker answers within `within`: a round trip (a passive declare of the
    /// main queue) on the open session, opening one if needed. A connection that looks open
    /// to a broker gone silent (a partition: no RST) fails it, and is dropped then.
    /// Errors: `Timeout`, or those of connecting and declaring.
    pub async fn check(&self, within: Duration) -> Result<(), AmqpError> {
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let round_trip = async {
            let session = self.session().await?;
            let declared = session
                .channel
                .queue_declare(
                    short(&self.inner.topology.main),
                    passive,
                    FieldTable::default(),
                )
                .await;
            if declared.is_err() {
                self.discard(&session);
            }
            declared.map(drop).map_err(AmqpError::from)
        };
        match tokio::time::timeout(within, round_trip).await {
            Ok(result) => result,
            Err(_) => {
                if let Some(session) = self.current() {
                    self.discard(&session);
                }
                Err(AmqpError::Timeout {
                    what: "the broker's answer",
                    after: within,
                })
            }
        }
    }

    /// A probe for `/readyz` sharing this queue's connection.
    pub fn readiness(&self) -> AmqpReadiness {
        AmqpReadiness::new(self.clone())
    }

    /// Publishes "run this job" to the main queue; `Ok` after the broker's confirm.
    #[tracing::instrument(skip_all, fields(job.id = %message.job_id, job.kind = %message.kind))]
    pub async fn publish_job(&self, message: &JobMessage) -> Result<(), AmqpError> {
        let id = message.job_id.to_string();
        let body = message.to_bytes();
        let properties = properties::traced(properties::properties(Some(&id)));
        self.publish_confirmed(&self.inner.topology.main, &body, properties)
            .await
    }

    /// Publishes to the retry queue, from which the broker moves the message back to the
    /// main queue after `delay`. `Ok` after the broker's confirm.
    #[tracing::instrument(skip_all, fields(job.id = %message.job_id, job.kind = %message.kind, ?delay))]
    pub async fn publish_retry(
        &self,
        message: &JobMessage,
        delay: Duration,
    ) -> Result<(), AmqpError> {
        let id = message.job_id.to_string();
        let body = message.to_bytes();
        let properties = properties::traced(properties::properties(Some(&id)))
            .with_expiration(properties::expiration(delay).into());
        self.publish_confirmed(&self.inner.topology.retry, &body, properties)
            .await
    }

    /// Publishes `body` (the original delivery, even when unparsable) to the dead-letter
    /// queue with `reason` in the `x-ents-error` header. `Ok` after the broker's confirm.
    #[tracing::instrument(skip_all, fields(message_id))]
    pub async fn publish_dead(
        &self,
        body: &[u8],
        message_id: Option<&str>,
        reason: &str,
    ) -> Result<(), AmqpError> {
        if let Some(id) = message_id {
            tracing::Span::current().record("message_id", id);
        }
        let properties =
            properties::properties(message_id).with_headers(properties::error_header(reason));
        self.publish_confirmed(&self.inner.topology.dead, body, properties)
            .await
    }

    /// Closes the connection politely (waits for the broker's close-ok).
    pub async fn close(&self) {
        let session = self
            .inner
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(session) = session {
            session.close().await;
        }
    }

    /// Publishes with retries: a failed attempt drops the session and, after a back-off, the
    /// next attempt reconnects (re-declaring the topology). Gives up at `publish_deadline`.
    /// A retried attempt may duplicate a message whose confirm was lost; the job claim makes
    /// duplicates harmless.
    pub(crate) async fn publish_confirmed(
        &self,
        queue: &str,
        body: &[u8],
        properties: BasicProperties,
    ) -> Result<(), AmqpError> {
        let settings = &self.inner.settings;
        let deadline = Instant::now() + settings.publish_deadline;
        let mut backoff = Backoff::new(settings.reconnect_min, settings.reconnect_max);
        loop {
            let attempt = self.publish_once(queue, body, properties.clone());
            let error = match tokio::time::timeout_at(deadline, attempt).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(error)) => error,
                Err(_) => {
                    return Err(AmqpError::Timeout {
                        what: "a confirmed publish",
                        after: settings.publish_deadline,
                    });
                }
            };
            let pause = backoff.next_delay();
            if Instant::now() + pause >= deadline {
                tracing::warn!(%error, "publish failed; giving up");
                return Err(error);
            }
            tracing::warn!(%error, ?pause, "publish failed; reconnecting");
            metrics::counter!(crate::metrics::RECONNECTS, "role" => "publisher").increment(1);
            tokio::time::sleep(pause).await;
        }
    }

    /// One attempt on the current session (opened if needed). Any failure discards the
    /// session: after a lost confirm its state is unknown, and a fresh one is cheap.
    async fn publish_once(
        &self,
        queue: &str,
        body: &[u8],
        properties: BasicProperties,
    ) -> Result<(), AmqpError> {
        let session = self.session().await?;
        let result = self.send(&session, queue, body, properties).await;
        if result.is_err() {
            self.discard(&session);
        }
        result
    }

    async fn send(
        &self,
        session: &Session,
        queue: &str,
        body: &[u8],
        properties: BasicProperties,
    ) -> Result<(), AmqpError> {
        // `mandatory`: a message no queue takes comes back instead of vanishing.
        let options = BasicPublishOptions {
            mandatory: true,
            immediate: false,
        };
        let after = self.inner.settings.confirm_timeout;
        let publish = async {
            let confirm = session
                .channel
                .basic_publish("".into(), short(queue), options, body, properties)
                .await?;
            Ok::<_, AmqpError>(confirm.await?)
        };
        let started = std::time::Instant::now();
        let confirmation =
            tokio::time::timeout(after, publish)
                .await
                .map_err(|_| AmqpError::Timeout {
                    what: "the publisher confirm",
                    after,
                })??;
        metrics::histogram!(crate::metrics::CONFIRM_SECONDS)
            .record(started.elapsed().as_secs_f64());
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) => Err(AmqpError::Refused(format!(
                "returned as unroutable: {} {}",
                returned.reply_code, returned.reply_text
            ))),
            Confirmation::Nack(_) => Err(AmqpError::Refused("negative acknowledgement".to_owned())),
            // Session::open always enables confirms on publisher channels.
            Confirmation::NotRequested => Err(AmqpError::Refused(
                "publisher confirms are not enabled".to_owned(),
            )),
        }
    }

    fn current(&self) -> Option<Arc<Session>> {
        let current = self
            .inner
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|session| session.is_open())
            .cloned()
    }

    /// The open session, or a new one (one connection attempt).
    async fn session(&self) -> Result<Arc<Session>, AmqpError> {
        if let Some(session) = self.current() {
            return Ok(session);
        }
        let _connecting = self.inner.connecting.lock().await;
        // Another caller may have reconnected while this one waited.
        if let Some(session) = self.current() {
            return Ok(session);
        }
        let session = Arc::new(
            Session::open(&self.inner.settings, &self.inner.topology, Role::Publisher).await?,
        );
        tracing::info!(queue = %self.inner.topology.main, "publisher connected to the broker");
        let previous = self
            .inner
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(session.clone());
        drop(previous);
        Ok(session)
    }

    /// Forgets `session` unless it was already replaced by a newer one.
    fn discard(&self, session: &Arc<Session>) {
        let mut current = self
            .inner
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, session)) {
            *current = None;
        }
    }
}

#[async_trait]
impl JobQueue for AmqpJobQueue {
    async fn publish(&self, job: &Job) -> Result<(), QueueError> {
        Ok(self.publish_job(&JobMessage::from_job(job)).await?)
    }
}
