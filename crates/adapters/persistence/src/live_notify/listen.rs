//! Listening: one dedicated connection per instance (a pooled one cannot be kept in `LISTEN`
//! mode), re-established with back-off whenever it is lost.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ents_domain::live::LiveSubscribers;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls, Notification};

use super::CHANNEL;
use super::envelope::unpack;
use crate::error::PersistenceError;

/// Timing of the listener.
#[derive(Debug, Clone)]
pub struct ListenerSettings {
    /// Bound on opening the connection and issuing `LISTEN`.
    pub connect_timeout: Duration,
    /// How often the connection is checked. A peer that vanished without closing (a network
    /// partition) is noticed only by talking to it.
    pub check_interval: Duration,
    /// First and largest pause between reconnection attempts (doubling in between).
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// How long [`PgLiveListener::start`] waits for the first `LISTEN` before returning
    /// anyway (the database may be down at start; the listener keeps trying).
    pub start_wait: Duration,
}

impl Default for ListenerSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            check_interval: Duration::from_secs(30),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            start_wait: Duration::from_secs(5),
        }
    }
}

/// The running listener. Stops when dropped.
#[derive(Debug)]
pub struct PgLiveListener {
    task: JoinHandle<()>,
}

impl PgLiveListener {
    /// Starts listening on `url` and delivering to `subscribers`. Returns once the first
    /// `LISTEN` is in place (so what is published afterwards is not missed) or after
    /// `settings.start_wait`, whichever comes first.
    ///
    /// Errors: `InvalidUrl` only; an unreachable database is retried in the background.
    pub async fn start(
        url: &str,
        subscribers: Arc<dyn LiveSubscribers>,
        settings: ListenerSettings,
    ) -> Result<Self, PersistenceError> {
        let mut config =
            Config::from_str(url).map_err(|e| PersistenceError::InvalidUrl(e.to_string()))?;
        config.connect_timeout(settings.connect_timeout);
        config.application_name("ents-backend-live");
        let (ready_tx, ready_rx) = oneshot::channel();
        let start_wait = settings.start_wait;
        let task = tokio::spawn(run(config, subscribers, settings, ready_tx));
        if tokio::time::timeout(start_wait, ready_rx).await.is_err() {
            tracing::warn!(
                ?start_wait,
                "live push listener not connected yet; retrying in the background"
            );
        }
        Ok(Self { task })
    }

    /// Stops listening.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for PgLiveListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    config: Config,
    subscribers: Arc<dyn LiveSubscribers>,
    settings: ListenerSettings,
    ready: oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut backoff = settings.min_backoff;
    loop {
        let result = session(&config, subscribers.as_ref(), &settings, &mut ready).await;
        if ready.is_none() {
            // The session got as far as LISTEN at least once: the next failure starts over.
            backoff = settings.min_backoff;
        }
        match result {
            Ok(()) => tracing::warn!("live push listener connection closed; reconnecting"),
            Err(error) => {
                tracing::warn!(%error, ?backoff, "live push listener failed; reconnecting");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(settings.max_backoff);
    }
}

/// One connection's life: connect, `LISTEN`, deliver until the connection is lost.
async fn session(
    config: &Config,
    subscribers: &dyn LiveSubscribers,
    settings: &ListenerSettings,
    ready: &mut Option<oneshot::Sender<()>>,
) -> Result<(), PersistenceError> {
    // `_driver` stops driving the connection whatever way this function is left.
    let (client, mut notifications, _driver) = connect(config, settings.connect_timeout).await?;
    if let Some(ready) = ready.take() {
        let _ = ready.send(());
    }
    tracing::debug!(channel = CHANNEL, "live push listener connected");
    let mut check = tokio::time::interval(settings.check_interval);
    check.tick().await; // the first tick is immediate
    loop {
        tokio::select! {
            notification = notifications.recv() => match notification {
                Some(n) => deliver(subscribers, &n).await,
                None => return Ok(()),
            },
            _ = check.tick() => {
                match tokio::time::timeout(settings.connect_timeout, client.simple_query("")).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(e.into()),
                    Err(_) => return Err(PersistenceError::Connect(
                        "the listening connection stopped answering".to_owned(),
                    )),
                }
            }
        }
    }
}

type Notifications = mpsc::UnboundedReceiver<Notification>;

/// Opens the connection and issues `LISTEN`, within `timeout`. The returned task drives the
/// connection and forwards its notifications; the channel closes when the connection ends.
async fn connect(
    config: &Config,
    timeout: Duration,
) -> Result<(Client, Notifications, AbortOnDrop), PersistenceError> {
    let setup = async {
        let (client, mut connection) = config.connect(NoTls).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        let driver = tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(|cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(n)) => {
                        if tx.send(n).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::debug!(%error, "live push listener connection error");
                        return;
                    }
                }
            }
        });
        let driver = AbortOnDrop(driver);
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        Ok::<_, PersistenceError>((client, rx, driver))
    };
    match tokio::time::timeout(timeout, setup).await {
        Ok(result) => result,
        Err(_) => Err(PersistenceError::Connect(format!(
            "no LISTEN within {timeout:?}"
        ))),
    }
}

async fn deliver(subscribers: &dyn LiveSubscribers, notification: &Notification) {
    if notification.channel() != CHANNEL {
        return;
    }
    match unpack(notification.payload()) {
        Ok(events) => subscribers.deliver(&events).await,
        // Not ours (someone else's NOTIFY on the channel): nothing to deliver.
        Err(error) => tracing::warn!(%error, "ignored a malformed live push notification"),
    }
}

/// Aborts a background task when its owner goes away.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
