//! Helpers for tests only. Never a dependency of production code.

mod chaos_proxy;
mod env;
mod exposition;
mod logs;
mod queues;
mod silent_peer;
mod smtp_sink;
mod wait;

pub use chaos_proxy::ChaosProxy;
pub use env::{amqp_url, postgres_admin_url, unique_name};
pub use exposition::{exposes, sample};
pub use logs::{CapturedLogs, init_logs};
pub use queues::{delete_queues, messages_ready};
pub use silent_peer::{SilentPeer, closed_port};
pub use smtp_sink::{ReceivedMail, SmtpSink};
pub use wait::{PATIENCE, wait_until};
