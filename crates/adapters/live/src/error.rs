/// Failures of starting the Socket.IO server.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The internal listener could not be bound.
    #[error("cannot bind the internal Socket.IO listener: {0}")]
    Bind(#[source] std::io::Error),
}
