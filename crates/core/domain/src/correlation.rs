//! Which request a piece of work was done for, when the work leaves the request's task.

/// The id the API gives each request: its `X-Request-Id` header and the `request_id` field of
/// its span and log lines. The HTTP adapter also keeps it in the request span's extensions
/// (`tracing-subscriber`'s registry), so an adapter that does one piece of work for many
/// requests at once, holding their spans — the ingest group commit — can name them on its
/// own lines without every port taking an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);
