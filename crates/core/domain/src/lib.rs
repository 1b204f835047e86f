//! The ENTS domain: what the backend *is*, independent of how it is reached or stored.
//!
//! Adapters (HTTP, PostgreSQL, RabbitMQ, …) depend on this crate; it depends on no I/O crate.
//! Ports are `async_trait` traits so the composition root can hold them as `Arc<dyn Port>`;
//! each port documents the errors it may return.

pub mod access;
pub mod alerts;
pub mod auth;
pub mod cells;
pub mod correlation;
pub mod equations;
pub mod error;
pub mod exports;
pub mod health;
pub mod imports;
pub mod ingest;
pub mod jobs;
pub mod live;
pub mod loggers;
pub mod measurements;
pub mod notifications;
pub mod series;
pub mod sta;
pub mod tags;
pub mod users;

pub use error::{ConflictKind, DomainError, FieldErrors};
