//! Google's signing keys, fetched from the JWKS URL and cached (for the `max-age` Google
//! sends, one hour when it sends none). An unknown `kid` triggers one refetch — Google
//! rotates keys — but at most once every [`MIN_REFETCH`], so forged `kid`s cannot make us
//! hammer Google.

use std::time::{Duration, Instant};

use ents_domain::DomainError;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use tokio::sync::Mutex;

const DEFAULT_TTL: Duration = Duration::from_secs(3600);
const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
const MIN_REFETCH: Duration = Duration::from_secs(30);

struct Cached {
    keys: JwkSet,
    fetched: Instant,
    ttl: Duration,
}

pub(super) struct JwksCache {
    url: String,
    http: reqwest::Client,
    cached: Mutex<Option<Cached>>,
}

impl JwksCache {
    pub fn new(url: String, http: reqwest::Client) -> Self {
        Self {
            url,
            http,
            cached: Mutex::new(None),
        }
    }

    /// The key with id `kid`. Errors: `Unavailable` when the keys cannot be fetched;
    /// `Ok(None)` when Google has no such key.
    pub async fn key(&self, kid: &str) -> Result<Option<Jwk>, DomainError> {
        // One lock for lookup and refetch: concurrent sign-ins wait for one fetch instead of
        // each starting their own.
        let mut cached = self.cached.lock().await;
        let fresh = cached.as_ref().is_some_and(|c| c.fetched.elapsed() < c.ttl);
        if fresh && let Some(key) = cached.as_ref().and_then(|c| c.keys.find(kid)) {
            return Ok(Some(key.clone()));
        }
        let may_refetch = cached
            .as_ref()
            .is_none_or(|c| !fresh || c.fetched.elapsed() >= MIN_REFETCH);
        if may_refetch {
            *cached = Some(self.fetch().await?);
        }
        Ok(cached.as_ref().and_then(|c| c.keys.find(kid)).cloned())
    }

    async fn fetch(&self) -> Result<Cached, DomainError> {
        let unavailable = |e: reqwest::Error| {
            tracing::warn!(error = %e, "cannot fetch Google's signing keys");
            DomainError::Unavailable("Google sign-in is unavailable".to_owned())
        };
        let response = self
            .http
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?;
        let ttl = max_age(response.headers())
            .unwrap_or(DEFAULT_TTL)
            .min(MAX_TTL);
        let keys = response.json::<JwkSet>().await.map_err(unavailable)?;
        tracing::debug!(
            keys = keys.keys.len(),
            ?ttl,
            "fetched Google's signing keys"
        );
        Ok(Cached {
            keys,
            fetched: Instant::now(),
            ttl,
        })
    }
}

/// `Cache-Control: …, max-age=N, …`.
fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::CACHE_CONTROL)?.to_str().ok()?;
    value.split(',').find_map(|directive| {
        let (name, seconds) = directive.trim().split_once('=')?;
        (name.eq_ignore_ascii_case("max-age"))
            .then(|| seconds.trim().parse().ok().map(Duration::from_secs))?
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            "public, max-age=22009, must-revalidate, no-transform"
                .parse()
                .unwrap(),
        );
        assert_eq!(max_age(&headers), Some(Duration::from_secs(22009)));
        headers.insert(reqwest::header::CACHE_CONTROL, "no-cache".parse().unwrap());
        assert_eq!(max_age(&headers), None);
    }
}
