//! Echoes the request id chosen by `tracing-actix-web` in an `X-Request-Id` response header,
//! so a client report can be matched with the server's log lines; and keeps it in the request
//! span's extensions, where work done for many requests at once finds it
//! ([`ents_domain::correlation::RequestId`]).

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Span;
use tracing_actix_web::RequestId;
use tracing_subscriber::Registry;
use tracing_subscriber::registry::LookupSpan;

pub(crate) async fn echo_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut response = next.call(req).await?;
    if let Some(id) = id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

/// Stores `id` in `span`'s extensions. Needs a subscriber built on `tracing-subscriber`'s
/// registry (both processes' and the tests'); with any other, or a disabled span, nothing is
/// stored and the ids are simply not named.
pub(crate) fn tag_span(span: &Span, id: RequestId) {
    span.with_subscriber(|(span_id, dispatch)| {
        if let Some(span) = dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(span_id))
        {
            span.extensions_mut()
                .replace(ents_domain::correlation::RequestId(id.to_string()));
        }
    });
}
