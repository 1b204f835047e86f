//! Helpers for tests only. Never a dependency of production code.

mod chaos_proxy;
mod env;
mod queues;

pub use chaos_proxy::ChaosProxy;
pub use env::{amqp_url, postgres_admin_url, unique_name};
pub use queues::delete_queues;
