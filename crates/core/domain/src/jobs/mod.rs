//! Long-running work (exports, TTN registration, imports) executed outside the request.
//!
//! The job *record* lives in a [`JobRepository`] (PostgreSQL), so clients can poll it and a
//! redelivered message never runs a finished job again. The *message* that says "run job X"
//! travels through a [`JobQueue`] (RabbitMQ, or an in-process queue). [`JobRunner`] is the
//! transport-independent use case that every consumer calls for each delivery.

mod model;
mod ports;
mod runner;
mod service;
mod view;

pub use model::{Job, JobCounts, JobId, JobState, NewJob};
pub use ports::{Claim, JobFailure, JobHandler, JobQueue, JobRepository, ProgressSink, QueueError};
pub use runner::{Execution, HandlerRegistry, JobRunner, RunnerSettings};
pub use service::JobService;
pub use view::JobView;
