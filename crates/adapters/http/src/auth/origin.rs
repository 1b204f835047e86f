//! The CSRF guard of the cookie identity (docs/compatibility.md#authorization): the browser's
//! refresh cookie identifies a caller only when the request says, through `Origin` (or failing that
//! `Referer`), that it comes from the dashboard — one of the configured origins, or this server's
//! own origin. Browsers do not let a page forge these headers.

use actix_web::HttpRequest;
use actix_web::http::header;

/// `scheme://host[:port]` of a URL, lower-cased, without path.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || !matches!(scheme, "http" | "https") {
        return None;
    }
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Whether the request comes from an allowed origin. `false` when it names none.
pub(crate) fn from_allowed_origin(req: &HttpRequest, allowed: &[String]) -> bool {
    let headers = req.headers();
    let named = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v != "null")
        .and_then(origin_of)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of)
        });
    let Some(origin) = named else {
        return false;
    };
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(&origin))
    {
        return true;
    }
    // Same origin: the page was served by this server (its Host, as the browser used it).
    let host = req.connection_info().host().to_ascii_lowercase();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn allowed() -> Vec<String> {
        vec![
            "https://dirtviz.example".into(),
            "http://localhost:3000/".into(),
        ]
    }

    #[test]
    fn configured_and_same_origins_pass_others_do_not() {
        let cases = [
            (Some("https://dirtviz.example"), None, true),
            (Some("http://localhost:3000"), None, true),
            (None, Some("https://dirtviz.example/profile/cells"), true),
            (
                Some("https://evil.example"),
                Some("https://dirtviz.example/"),
                false,
            ),
            (Some("null"), None, false),
            (None, Some("https://evil.example/x"), false),
            (None, None, false),
            (Some("http://api.example:8000"), None, true),
        ];
        for (origin, referer, expected) in cases {
            let mut req = TestRequest::default().insert_header(("host", "api.example:8000"));
            if let Some(o) = origin {
                req = req.insert_header(("origin", o));
            }
            if let Some(r) = referer {
                req = req.insert_header(("referer", r));
            }
            assert_eq!(
                from_allowed_origin(&req.to_http_request(), &allowed()),
                expected,
                "{origin:?} {referer:?}"
            );
        }
    }
}
