use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::notifications::{WebhookDelivery, WebhookOutcome, WebhookSender};
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;

use crate::error::{BuildError, status_error, transport_error};
use crate::guard::{PublicOnlyResolver, refused_by_resolver, refused_literal};
use crate::signature::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};

/// How webhooks are sent.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Bound of each POST, from connecting to the answer's head.
    pub timeout: Duration,
    /// `User-Agent`; `None`: `ents-backend/<version>`.
    pub user_agent: Option<String>,
    /// Also POST to loopback, private, link-local and unspecified addresses (`false`: such
    /// targets are refused, `crate::guard`).
    pub allow_private_targets: bool,
}

/// POSTs signed JSON; holds only its settings and a connection pool, no delivery's secret.
#[derive(Debug, Clone)]
pub struct HttpWebhookSender {
    http: reqwest::Client,
    allow_private_targets: bool,
}

impl HttpWebhookSender {
    pub fn new(settings: WebhookSettings) -> Result<Self, BuildError> {
        let user_agent = settings
            .user_agent
            .unwrap_or_else(|| concat!("ents-backend/", env!("CARGO_PKG_VERSION")).to_owned());
        let mut http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A signed body goes only to the URL the rule names; a 3xx is the receiver's
            // misconfiguration, reported as a permanent failure.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent);
        if !settings.allow_private_targets {
            // The addresses connected to are the ones checked: resolved by the guard, and
            // no proxy from the environment resolving them instead.
            http = http.dns_resolver(Arc::new(PublicOnlyResolver)).no_proxy();
        }
        Ok(Self {
            http: http.build()?,
            allow_private_targets: settings.allow_private_targets,
        })
    }

    /// The delivery's URL and its host for messages; `BadRequest` for an unusable URL or,
    /// unless allowed, an address literal webhooks may not reach.
    fn target(&self, url: &str) -> Result<(Url, String), DomainError> {
        let (parsed, host) = target(url)?;
        if !self.allow_private_targets
            && let Some(ip) = parsed.host_str().and_then(refused_literal)
        {
            return Err(refused(&host, &format!("{ip} is not a public address")));
        }
        Ok((parsed, host))
    }
}

/// A target the guard refuses: permanent (the rule must change, or the operator allow
/// private targets).
fn refused(host: &str, why: &str) -> DomainError {
    DomainError::BadRequest(format!(
        "the webhook receiver at {host} is not allowed: {why} \
         (webhook.allow_private_targets is off)"
    ))
}

/// The delivery's URL if it is an absolute http(s) URL with a host; `BadRequest` otherwise.
fn target(url: &str) -> Result<(Url, String), DomainError> {
    let parsed = Url::parse(url)
        .map_err(|e| DomainError::BadRequest(format!("the webhook URL is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(DomainError::BadRequest(format!(
            "the webhook URL must be http or https, not {}",
            parsed.scheme()
        )));
    }
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => {
            return Err(DomainError::BadRequest(
                "the webhook URL has no host".into(),
            ));
        }
    };
    Ok((parsed, host))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn post(&self, delivery: &WebhookDelivery) -> Result<WebhookOutcome, DomainError> {
        let (url, host) = self.target(&delivery.url)?;
        let timestamp = unix_now();
        let signature = sign(
            delivery.secret.as_bytes(),
            timestamp,
            delivery.body.as_bytes(),
        )
        .map_err(|e| DomainError::internal(format!("could not sign the webhook: {e}")))?;
        let started = Instant::now();
        let sent = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(DELIVERY_HEADER, delivery.delivery_id.as_str())
            .body(delivery.body.clone())
            .send()
            .await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let result = match sent {
            Ok(response) if response.status().is_success() => Ok(WebhookOutcome {
                status: response.status().as_u16(),
                elapsed_ms,
            }),
            Ok(response) => Err(status_error(&host, response.status())),
            Err(e) => Err(match refused_by_resolver(&e) {
                Some(why) => refused(&host, &why),
                None => transport_error(&host, &e),
            }),
        };
        match &result {
            Ok(outcome) => tracing::debug!(
                %host, delivery = %delivery.delivery_id, status = outcome.status, elapsed_ms,
                "webhook delivered"
            ),
            Err(error) => tracing::debug!(
                %host, delivery = %delivery.delivery_id, elapsed_ms, %error,
                "webhook not delivered"
            ),
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_targets() {
        for bad in [
            "ftp://example.org/x",
            "file:///etc/passwd",
            "mailto:a@b.c",
            "/relative",
            "not a url",
        ] {
            assert!(
                matches!(target(bad), Err(DomainError::BadRequest(_))),
                "{bad}"
            );
        }
        let Ok((_, host)) = target("https://hooks.example.org:8443/T000/B000/secretpath?x=1")
        else {
            panic!("an https URL is a target");
        };
        assert_eq!(host, "hooks.example.org:8443");
    }
}
