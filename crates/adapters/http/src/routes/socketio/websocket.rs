//! The WebSocket transport: the client's WebSocket ends here (actix-ws); a second one is
//! opened to the internal server, and frames are copied both ways until either side closes.

use std::net::SocketAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::unavailable;
use crate::error::ApiError;

/// Largest message accepted from the client: Engine.IO's `maxPayload` (1 MB) with room.
const MAX_MESSAGE: usize = 2 * 1024 * 1024;

type Upstream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Accepts the client's upgrade once the internal server has accepted ours, so a refusal
/// there (an unknown `sid`, a bad `EIO`) reaches the client as the same HTTP error.
pub(super) async fn bridge(
    req: &HttpRequest,
    body: web::Payload,
    internal: SocketAddr,
) -> Result<HttpResponse, ApiError> {
    // Validates the client's handshake first: nothing is opened for a malformed one.
    let (response, session, messages) = actix_ws::handle(req, body)
        .map_err(|e| ApiError::bad_request(format!("invalid WebSocket handshake: {e}")))?;
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/socket.io/", |p| p.as_str());
    let request = format!("ws://{internal}{path_and_query}")
        .into_client_request()
        .map_err(unavailable)?;
    let upstream = match tokio_tungstenite::connect_async(request).await {
        Ok((upstream, _)) => upstream,
        Err(tungstenite::Error::Http(refusal)) => return Ok(relay_refusal(&refusal)),
        Err(error) => return Err(unavailable(error)),
    };
    let messages = messages
        .max_frame_size(MAX_MESSAGE)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE);
    // actix-ws' session and stream are bound to this worker's thread.
    actix_web::rt::spawn(copy_frames(session, messages, upstream));
    Ok(response)
}

fn relay_refusal(refusal: &tungstenite::http::Response<Option<Vec<u8>>>) -> HttpResponse {
    let status = StatusCode::from_u16(refusal.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = HttpResponse::build(status);
    if let Some(content_type) = refusal.headers().get("content-type") {
        response.insert_header(("content-type", content_type.as_bytes()));
    }
    response.body(refusal.body().clone().unwrap_or_default())
}

/// Copies frames until one side closes or fails, then closes the other side with the
/// same code.
async fn copy_frames(
    mut session: Session,
    mut client: AggregatedMessageStream,
    upstream: Upstream,
) {
    let (mut to_server, mut from_server) = upstream.split();
    let close: Option<CloseReason> = loop {
        tokio::select! {
            message = client.next() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    if to_server.send(Message::text(text.to_string())).await.is_err() {
                        break Some(CloseCode::Away.into());
                    }
                }
                Some(Ok(AggregatedMessage::Binary(bytes))) => {
                    if to_server.send(Message::binary(bytes)).await.is_err() {
                        break Some(CloseCode::Away.into());
                    }
                }
                // WebSocket-level keep-alive is per hop: answered here, not relayed.
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        let _ = to_server.close().await;
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => {}
                Some(Ok(AggregatedMessage::Close(reason))) => {
                    let _ = to_server.send(Message::Close(reason.map(to_server_close))).await;
                    let _ = to_server.close().await;
                    // actix-ws answers the client's close when the session is closed.
                    let _ = session.close(None).await;
                    return;
                }
                Some(Err(error)) => {
                    tracing::debug!(%error, "live client sent an invalid WebSocket frame");
                    let _ = to_server.close().await;
                    break Some(CloseCode::Protocol.into());
                }
                None => {
                    let _ = to_server.close().await;
                    return;
                }
            },
            message = from_server.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if session.text(text.as_str().to_owned()).await.is_err() {
                        let _ = to_server.close().await;
                        return;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    if session.binary(bytes).await.is_err() {
                        let _ = to_server.close().await;
                        return;
                    }
                }
                Some(Ok(Message::Close(frame))) => break frame.map(to_client_close),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Err(error)) => {
                    tracing::debug!(%error, "internal Socket.IO WebSocket failed");
                    break Some(CloseCode::Error.into());
                }
                None => break Some(CloseCode::Away.into()),
            },
        }
    };
    let _ = session.close(close).await;
}

fn to_server_close(reason: CloseReason) -> CloseFrame {
    CloseFrame {
        code: u16::from(reason.code).into(),
        reason: reason.description.unwrap_or_default().into(),
    }
}

fn to_client_close(frame: CloseFrame) -> CloseReason {
    CloseReason {
        code: u16::from(frame.code).into(),
        description: (!frame.reason.is_empty()).then(|| frame.reason.to_string()),
    }
}
