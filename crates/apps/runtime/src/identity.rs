//! Wiring of identity: token, password, key and Google adapters, the PostgreSQL
//! repositories, the domain use cases, and the HTTP identity layer. Used by `serve` and by
//! the `user` subcommands.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ents_auth::{
    Argon2Hasher, GoogleClient, GoogleSettings, JwtTokens, Sha256Secrets, SigningSecret,
    TokenSettings,
};
use ents_config::Settings;
use ents_domain::auth::{
    ApiKeyService, FailureLimiter, FailureLimits, GoogleLogin, Limit, LocalAccounts,
    SessionService, SessionSettings, SystemClock,
};
use ents_domain::users::UserService;
use ents_http::auth::{Identity, IdentityServices, IdentitySettings, TrustedProxies};
use ents_persistence::{
    Db, PgApiKeyRepository, PgFailureStore, PgRefreshTokenRepository, PgUserRepository,
};

/// Bound on each call to Google.
const GOOGLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often expired refresh tokens and ended brute-force windows are deleted.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// The identity use cases, built from the configuration.
pub(crate) struct IdentityWiring {
    pub services: IdentityServices,
    /// False when `REFRESH_TOKEN_SECRET` is unset (a random per-process key): refresh
    /// tokens minted by another process (the CLI) would not be accepted by the server.
    pub refresh_secret_configured: bool,
}

/// Builds the identity use cases on `db`. Errors: unusable secrets or Google URLs.
pub(crate) fn wire(settings: &Settings, db: &Db) -> anyhow::Result<IdentityWiring> {
    let auth = &settings.auth;
    let access_secret =
        SigningSecret::from_config(auth.access_token_secret.as_ref(), "ACCESS_TOKEN_SECRET")?;
    let refresh_secret =
        SigningSecret::from_config(auth.refresh_token_secret.as_ref(), "REFRESH_TOKEN_SECRET")?;
    let refresh_secret_configured = !refresh_secret.ephemeral;
    // The Google flow's key is derived from the refresh secret: instances that share the
    // configuration agree on it, and no extra secret has to be configured.
    let flow_key = refresh_secret.derive("ents google oauth flow v1");
    let tokens = Arc::new(JwtTokens::new(&TokenSettings {
        access_secret,
        refresh_secret,
        access_ttl: Duration::from_secs(auth.access_token_ttl_secs),
        refresh_ttl: Duration::from_secs(auth.refresh_token_ttl_secs),
    })?);
    let google = &settings.google;
    let google_client = Arc::new(
        GoogleClient::new(GoogleSettings {
            client_id: google.client_id.clone(),
            client_secret: google.client_secret.clone(),
            redirect_uri: google.redirect_uri.clone(),
            authorization_url: google.authorization_url.clone(),
            token_url: google.token_url.clone(),
            jwks_url: google.jwks_url.clone(),
            timeout: GOOGLE_TIMEOUT,
            flow_key,
        })
        .context("configuring Google sign-in")?,
    );

    let users = Arc::new(PgUserRepository::new(db.clone()));
    let secrets = Arc::new(Sha256Secrets);
    let clock = Arc::new(SystemClock);
    let hasher = Arc::new(Argon2Hasher::new()?);
    let grace = i64::try_from(auth.refresh_reuse_grace_secs).unwrap_or(i64::MAX);

    let services = IdentityServices {
        sessions: SessionService::new(
            Arc::new(PgRefreshTokenRepository::new(db.clone())),
            tokens.clone(),
            tokens,
            secrets.clone(),
            clock.clone(),
            SessionSettings {
                reuse_grace: chrono::Duration::try_seconds(grace)
                    .unwrap_or(chrono::Duration::seconds(10)),
            },
        ),
        users: UserService::new(users.clone()),
        accounts: LocalAccounts::new(users.clone(), hasher),
        google: GoogleLogin::new(google_client, users),
        api_keys: ApiKeyService::new(
            Arc::new(PgApiKeyRepository::new(db.clone())),
            secrets,
            clock,
        ),
        failures: FailureLimiter::new(
            Arc::new(PgFailureStore::new(db.clone())),
            failure_limits(auth),
        ),
    };
    Ok(IdentityWiring {
        services,
        refresh_secret_configured,
    })
}

/// The HTTP identity layer for `serve`, and a background task that forgets expired refresh
/// tokens and ended brute-force windows. Errors: those of [`wire`]; a malformed `http.trusted_proxies` entry.
pub(crate) fn http_identity(settings: &Settings, db: &Db) -> anyhow::Result<Arc<Identity>> {
    let wiring = wire(settings, db)?;
    let trusted_proxies = TrustedProxies::parse(&settings.http.trusted_proxies)
        .map_err(|problem| anyhow::anyhow!("http.trusted_proxies: {problem}"))?;
    let identity = Identity::new(
        wiring.services,
        IdentitySettings {
            allowed_origins: settings.http.allowed_origins(),
            trusted_proxies,
            allow_registration: settings.auth.allow_registration,
        },
    );
    let sessions = identity.sessions.clone();
    let failures = identity.failures_limiter();
    // For the life of the process.
    tokio::spawn(crate::periodic::every(
        PURGE_INTERVAL,
        std::future::pending(),
        move || purge_expired(sessions.clone(), failures.clone()),
    ));
    Ok(identity)
}

/// The brute-force budgets of `auth.*`, one window length for both.
fn failure_limits(auth: &ents_config::AuthConfig) -> FailureLimits {
    let window = Duration::from_secs(auth.failure_window_secs.max(1));
    FailureLimits {
        login: Limit {
            max_failures: auth.max_login_failures.max(1),
            window,
        },
        credential: Limit {
            max_failures: auth.max_credential_failures.max(1),
            window,
        },
    }
}

async fn purge_expired(sessions: SessionService, failures: FailureLimiter) {
    match sessions.purge_expired().await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "expired refresh tokens deleted"),
        Err(error) => tracing::warn!(%error, "could not delete expired refresh tokens"),
    }
    match failures.purge_ended().await {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "ended brute-force windows deleted"),
        Err(error) => tracing::warn!(%error, "could not delete ended brute-force windows"),
    }
}
