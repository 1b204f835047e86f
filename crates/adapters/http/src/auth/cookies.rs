//! The cookies of the identity flow, written by hand for byte-exact upstream attributes
//! (docs/compatibility.md#login-and-tokens):
//! `refresh-token=<jwt>; Expires=<HTTP-date>; Secure; HttpOnly; Path=/; SameSite=None`.

use actix_web::HttpRequest;
use actix_web::http::header;
use chrono::{DateTime, Utc};

/// The refresh token's cookie (upstream's name).
pub(crate) const REFRESH_COOKIE: &str = "refresh-token";
/// Binds a Google sign-in's `state` to the browser that started it.
pub(crate) const OAUTH_STATE_COOKIE: &str = "oauth-state";
/// How long a Google sign-in may take.
const OAUTH_STATE_MAX_AGE_SECS: u32 = 600;

fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `Set-Cookie` for a new refresh token.
pub(crate) fn refresh_cookie(token: &str, expires: DateTime<Utc>) -> String {
    format!(
        "{REFRESH_COOKIE}={token}; Expires={}; Secure; HttpOnly; Path=/; SameSite=None",
        http_date(expires)
    )
}

/// `Set-Cookie` that removes the refresh token (upstream's exact logout header).
pub(crate) fn clear_refresh_cookie() -> String {
    format!(
        "{REFRESH_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; Path=/; \
         SameSite=None"
    )
}

/// `Set-Cookie` binding a sign-in's state to the browser. `SameSite=Lax`: it must come back
/// on the dashboard's own request after Google redirects to it; `Path` limits it to the
/// callback endpoint.
pub(crate) fn oauth_state_cookie(state: &str) -> String {
    format!(
        "{OAUTH_STATE_COOKIE}={state}; Max-Age={OAUTH_STATE_MAX_AGE_SECS}; Secure; HttpOnly; \
         Path=/api/auth; SameSite=Lax"
    )
}

pub(crate) fn clear_oauth_state_cookie() -> String {
    format!(
        "{OAUTH_STATE_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; \
         HttpOnly; Path=/api/auth; SameSite=Lax"
    )
}

/// The value of cookie `name` in the request (the first one, as browsers send the most
/// specific path first).
pub(crate) fn read(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use actix_web::test::TestRequest;
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_refresh_cookie_has_upstreams_attributes() {
        let at = Utc.with_ymd_and_hms(2024, 1, 13, 20, 2, 42).unwrap();
        assert_eq!(
            refresh_cookie("abc", at),
            "refresh-token=abc; Expires=Sat, 13 Jan 2024 20:02:42 GMT; Secure; HttpOnly; Path=/; SameSite=None"
        );
        assert_eq!(
            clear_refresh_cookie(),
            "refresh-token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; Path=/; SameSite=None"
        );
    }

    #[test]
    fn cookies_are_read_by_name() {
        let req = TestRequest::default()
            .insert_header(("cookie", "a=1; refresh-token=xyz; b=2"))
            .to_http_request();
        assert_eq!(read(&req, "refresh-token").as_deref(), Some("xyz"));
        assert_eq!(read(&req, "missing"), None);
        let empty = TestRequest::default()
            .insert_header(("cookie", "refresh-token="))
            .to_http_request();
        assert_eq!(read(&empty, "refresh-token"), None);
    }
}
