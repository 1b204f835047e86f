//! Environment providers: the upstream variable names and the `ENTS_` namespace.

use figment::providers::Env;

/// Upstream variable → configuration key. These keep deployed `.env` files working.
pub const UPSTREAM_VARIABLES: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("DB_USER", "database.user"),
    ("DB_PASS", "database.password"),
    ("DB_HOST", "database.host"),
    ("DB_PORT", "database.port"),
    ("DB_DATABASE", "database.name"),
    ("ACCESS_TOKEN_SECRET", "auth.access_token_secret"),
    ("REFRESH_TOKEN_SECRET", "auth.refresh_token_secret"),
    ("GOOGLE_CLIENT_ID", "google.client_id"),
    ("GOOGLE_CLIENT_SECRET", "google.client_secret"),
    ("OAUTH_REDIRECT_URI", "google.redirect_uri"),
    ("CLIENT_URL", "http.client_url"),
    ("PUBLIC_URL", "http.public_url"),
    ("TTN_API_KEY", "ttn.api_key"),
    ("TTN_APP_ID", "ttn.app_id"),
];

/// The upstream names, mapped onto their keys.
pub(crate) fn upstream() -> Env {
    Env::raw().filter_map(|name| {
        UPSTREAM_VARIABLES
            .iter()
            .find(|(var, _)| name.as_str().eq_ignore_ascii_case(var))
            .map(|(_, key)| (*key).into())
    })
}

/// `ENTS_SECTION__KEY=value`. Only nested names count: other `ENTS_…` variables (`ENTS_CONFIG`,
/// the test suites' `ENTS_BASE_URL`, …) are not configuration keys and must not be refused as
/// unknown ones.
pub(crate) fn namespaced() -> Env {
    Env::prefixed("ENTS_")
        .filter(|key| key.as_str().contains("__"))
        .split("__")
}
