//! Opportunistic batching ("group commit"): concurrent callers submit one item each and wait
//! for their own result; a dispatcher hands the items to a [`BatchHandler`] in batches.
//!
//! Nothing waits on a timer. An item that arrives while a handler slot is free is handled at
//! once, alone; items that arrive while every slot is busy queue up, and the next free slot
//! takes all of them (up to `max_batch`). So batches grow exactly as far as the load makes
//! the handler the bottleneck, and an idle system answers with no added latency.
//!
//! A caller either waits for its output ([`Coalescer::submit`]) or hands the item over and
//! goes on ([`Coalescer::try_submit`]: nothing waits, and a full queue refuses the item).
//!
//! Used by the direct ingest mode (one PostgreSQL transaction for the uploads that arrived
//! together), the queued mode (one broker message, one confirm, for them) and the live push
//! (one `pg_notify` transaction for the events of many uploads).

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// Handles a batch of items.
#[async_trait]
pub trait BatchHandler: Send + Sync + 'static {
    type Item: Send + 'static;
    type Output: Send + 'static;

    /// One output per item, in the items' order. Outputs missing from the end answer their
    /// callers with [`Stopped`] (so a handler that cannot produce them should say why
    /// instead, in `Output`).
    async fn handle(&self, items: Vec<Self::Item>) -> Vec<Self::Output>;
}

/// How far batches may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoalesceSettings {
    /// Batches handled at once (at least 1).
    pub slots: usize,
    /// Most items per batch (at least 1).
    pub max_batch: usize,
    /// Items waiting for a slot before `submit` itself waits (back-pressure).
    pub queue_depth: usize,
}

/// The dispatcher is gone (its runtime is shutting down), or the handler returned no output
/// for this item: the item may or may not have been handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the batch handler stopped before answering")
    }
}

impl std::error::Error for Stopped {}

/// Why [`Coalescer::try_submit`] did not take an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotTaken {
    /// `queue_depth` items are already waiting.
    Full,
    /// The dispatcher is gone (its runtime is shutting down).
    Stopped,
}

impl std::fmt::Display for NotTaken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Full => "the batch queue is full",
            Self::Stopped => "the batch handler has stopped",
        })
    }
}

impl std::error::Error for NotTaken {}

/// Where an item's output goes: its waiting caller, or nowhere (`try_submit`).
type Reply<H> = Option<oneshot::Sender<<H as BatchHandler>::Output>>;

/// The callers' side; see the crate docs. Dropping it stops the dispatcher once the queued
/// items are handled.
pub struct Coalescer<H: BatchHandler> {
    queue: mpsc::Sender<(H::Item, Reply<H>)>,
}

impl<H: BatchHandler> Coalescer<H> {
    /// Starts the dispatcher on the current Tokio runtime.
    pub fn start(handler: Arc<H>, settings: CoalesceSettings) -> Self {
        let (queue, receiver) = mpsc::channel(settings.queue_depth.max(1));
        tokio::spawn(dispatch(handler, receiver, settings));
        Self { queue }
    }

    /// Hands `item` to the handler (alone or with others) and waits for its output.
    pub async fn submit(&self, item: H::Item) -> Result<H::Output, Stopped> {
        let (reply, output) = oneshot::channel();
        self.queue
            .send((item, Some(reply)))
            .await
            .map_err(|_| Stopped)?;
        output.await.map_err(|_| Stopped)
    }

    /// Hands `item` to the handler (alone or with others) without waiting, neither for room
    /// in the queue nor for the output, which is dropped. Items taken this way are handled
    /// in the order they were taken (with `slots = 1`, also in that order across batches).
    pub fn try_submit(&self, item: H::Item) -> Result<(), NotTaken> {
        self.queue
            .try_send((item, None))
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => NotTaken::Full,
                mpsc::error::TrySendError::Closed(_) => NotTaken::Stopped,
            })
    }
}

async fn dispatch<H: BatchHandler>(
    handler: Arc<H>,
    mut receiver: mpsc::Receiver<(H::Item, Reply<H>)>,
    settings: CoalesceSettings,
) {
    let slots = Arc::new(Semaphore::new(settings.slots.max(1)));
    let max_batch = settings.max_batch.max(1);
    let mut batch = Vec::with_capacity(max_batch);
    while receiver.recv_many(&mut batch, max_batch).await > 0 {
        // Waiting here for a free slot is what lets the next items accumulate; once one is
        // free, take whatever else arrived meanwhile.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return; // never closed
        };
        while batch.len() < max_batch {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let taken = std::mem::replace(&mut batch, Vec::with_capacity(max_batch));
        let handler = handler.clone();
        tokio::spawn(async move {
            let (items, replies): (Vec<_>, Vec<_>) = taken.into_iter().unzip();
            tracing::trace!(items = items.len(), "handling a batch");
            let outputs = handler.handle(items).await;
            drop(slot);
            for (reply, output) in replies.into_iter().zip(outputs) {
                // A caller that went away does not undo its item.
                if let Some(reply) = reply {
                    let _ = reply.send(output);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    /// Doubles numbers, slowly, and records the batch sizes and items it saw.
    #[derive(Default)]
    struct Doubler {
        batches: Mutex<Vec<usize>>,
        items: Mutex<Vec<u32>>,
    }

    #[async_trait]
    impl BatchHandler for Doubler {
        type Item = u32;
        type Output = u32;

        async fn handle(&self, items: Vec<u32>) -> Vec<u32> {
            self.batches.lock().unwrap().push(items.len());
            self.items.lock().unwrap().extend(&items);
            tokio::time::sleep(Duration::from_millis(20)).await;
            items.into_iter().map(|n| n * 2).collect()
        }
    }

    fn settings(slots: usize, max_batch: usize) -> CoalesceSettings {
        CoalesceSettings {
            slots,
            max_batch,
            queue_depth: 1024,
        }
    }

    #[tokio::test]
    async fn each_caller_gets_its_own_output_and_busy_slots_make_batches() {
        let handler = Arc::new(Doubler::default());
        let coalescer = Arc::new(Coalescer::start(handler.clone(), settings(1, 50)));
        let tasks: Vec<_> = (0..200u32)
            .map(|n| {
                let coalescer = coalescer.clone();
                tokio::spawn(async move { (n, coalescer.submit(n).await.unwrap()) })
            })
            .collect();
        for task in tasks {
            let (n, doubled) = task.await.unwrap();
            assert_eq!(doubled, n * 2);
        }
        let batches = handler.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 200);
        assert!(batches.iter().all(|&b| b <= 50), "{batches:?}");
        assert!(
            batches.len() < 200,
            "items waiting for the busy slot went together"
        );
    }

    #[tokio::test]
    async fn an_idle_handler_takes_an_item_at_once_alone() {
        let handler = Arc::new(Doubler::default());
        let coalescer = Coalescer::start(handler.clone(), settings(2, 50));
        assert_eq!(coalescer.submit(21).await, Ok(42));
        assert_eq!(coalescer.submit(4).await, Ok(8));
        assert_eq!(*handler.batches.lock().unwrap(), [1, 1]);
    }

    #[tokio::test]
    async fn handed_over_items_are_handled_in_order_without_waiting() {
        let handler = Arc::new(Doubler::default());
        let coalescer = Coalescer::start(handler.clone(), settings(1, 50));
        for n in 0..200 {
            coalescer.try_submit(n).unwrap();
        }
        // A waiting submit queues behind them: once answered, every earlier item is handled.
        assert_eq!(coalescer.submit(200).await, Ok(400));
        let batches = handler.batches.lock().unwrap().clone();
        assert!(
            batches.len() < 201,
            "items waiting for the busy slot went together"
        );
        assert_eq!(
            *handler.items.lock().unwrap(),
            (0..=200).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_a_handed_over_item() {
        let coalescer = Coalescer::start(
            Arc::new(Doubler::default()),
            CoalesceSettings {
                slots: 1,
                max_batch: 1,
                queue_depth: 1,
            },
        );
        let refused = (0..100)
            .map(|n| coalescer.try_submit(n))
            .find(Result::is_err);
        assert_eq!(refused, Some(Err(NotTaken::Full)));
    }

    /// Returns no output at all.
    struct Mute;

    #[async_trait]
    impl BatchHandler for Mute {
        type Item = u32;
        type Output = u32;

        async fn handle(&self, _: Vec<u32>) -> Vec<u32> {
            Vec::new()
        }
    }

    #[tokio::test]
    async fn a_missing_output_is_stopped_not_a_hang() {
        let coalescer = Coalescer::start(Arc::new(Mute), settings(1, 10));
        assert_eq!(coalescer.submit(1).await, Err(Stopped));
    }
}
