//! Header handling shared by both transports.

use actix_web::http::header::{self, HeaderMap};

/// Headers that describe one hop's connection, not the message (RFC 9110 §7.6.1), plus
/// `Host` (the internal hop has its own) and `Content-Length` (recomputed from the body).
const NOT_FORWARDED: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

pub(super) fn forwarded(name: &str) -> bool {
    !NOT_FORWARDED.contains(&name) && name != "content-length"
}

pub(super) fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}
