//! A deadline on receiving a request's body.
//!
//! actix bounds the wait for a request's head (`client_request_timeout`) but not for its body:
//! a client that declares `Content-Length: 100` and sends 10 bytes would hold its connection
//! and a handler for ever. Every body is therefore read through a stream that fails once the
//! deadline has passed, and a request whose body timed out answers 408 (and closes its
//! connection), whatever the handler made of the failed read. Upgraded connections (the
//! WebSocket) are exempt: their payload is the stream of frames.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::Stream;
use tokio::time::Sleep;

use crate::error::ApiError;

/// Reads the body of `req` under `timeout`, counted from now; see the module docs.
pub(crate) async fn enforce(
    timeout: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // After an upgrade (the live push's WebSocket) the payload is the connection's whole
    // life, not a body: no deadline.
    if req.head().upgrade() {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expired = Arc::new(AtomicBool::new(false));
    let body = Deadline {
        inner: req.take_payload(),
        timer: Box::pin(tokio::time::sleep(timeout)),
        expired: expired.clone(),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    let response = next.call(req).await;
    if expired.load(Ordering::Relaxed) {
        tracing::info!(?timeout, "request body not received in time");
        // Handlers' errors are responses by now; an `Err` here is a middleware's, kept as is.
        let (req, _) = response?.into_parts();
        let answer = ApiError::RequestTimeout.error_response();
        return Ok(ServiceResponse::new(req, answer).map_into_right_body());
    }
    response.map(ServiceResponse::map_into_left_body)
}

/// The request's payload, failing with `TimedOut` once `timer` fires before its end.
struct Deadline {
    inner: Payload,
    timer: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.expired.store(true, Ordering::Relaxed);
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "request body not received in time",
        )))))
    }
}
