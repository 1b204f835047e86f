#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use ents_config::{ConfigError, IngestMode, Settings};
use figment::Jail;
use secrecy::ExposeSecret;

fn load() -> Result<Settings, ConfigError> {
    Settings::load(None)
}

#[test]
fn defaults_listen_where_the_clients_expect() {
    Jail::expect_with(|_| {
        let s = load().unwrap();
        assert_eq!(s.http.listen, "127.0.0.1:8000");
        assert!(s.access.public_read);
        assert_eq!(s.ingest.mode, IngestMode::Direct);
        assert!(s.amqp.url.is_none());
        Ok(())
    });
}

#[test]
fn upstream_database_variables_build_the_connection() {
    Jail::expect_with(|jail| {
        jail.set_env("DB_USER", "ents");
        jail.set_env("DB_PASS", "12345"); // looks like a number, is text
        jail.set_env("DB_HOST", "db.internal");
        jail.set_env("DB_PORT", "6543");
        jail.set_env("DB_DATABASE", "dirtviz");
        let s = load().unwrap();
        assert_eq!(
            s.database_url().expose_secret(),
            "host='db.internal' port=6543 dbname='dirtviz' user='ents' password='12345'"
        );
        Ok(())
    });
}

#[test]
fn database_url_overrides_the_parts() {
    Jail::expect_with(|jail| {
        jail.set_env("DB_HOST", "ignored");
        jail.set_env("DATABASE_URL", "postgres://u:p@h:1/d");
        assert_eq!(
            load().unwrap().database_url().expose_secret(),
            "postgres://u:p@h:1/d"
        );
        Ok(())
    });
}

#[test]
fn upstream_secrets_and_ids_are_read() {
    Jail::expect_with(|jail| {
        jail.set_env("ACCESS_TOKEN_SECRET", "a-secret");
        jail.set_env("REFRESH_TOKEN_SECRET", "r-secret");
        jail.set_env("GOOGLE_CLIENT_ID", "cid");
        jail.set_env("GOOGLE_CLIENT_SECRET", "csecret");
        jail.set_env("OAUTH_REDIRECT_URI", "http://localhost:3000/auth/callback");
        jail.set_env("CLIENT_URL", "http://localhost:3000");
        jail.set_env("PUBLIC_URL", "https://dirtviz.example.org/");
        jail.set_env("TTN_API_KEY", "NNSXS.key");
        jail.set_env("TTN_APP_ID", "4242");
        let s = load().unwrap();
        assert_eq!(
            s.auth.access_token_secret.unwrap().expose_secret(),
            "a-secret"
        );
        assert_eq!(
            s.auth.refresh_token_secret.unwrap().expose_secret(),
            "r-secret"
        );
        assert_eq!(s.google.client_id.as_deref(), Some("cid"));
        assert_eq!(s.google.client_secret.unwrap().expose_secret(), "csecret");
        assert_eq!(
            s.google.redirect_uri.as_deref(),
            Some("http://localhost:3000/auth/callback")
        );
        assert_eq!(s.ttn.app_id.as_deref(), Some("4242"));
        assert_eq!(s.ttn.api_key.unwrap().expose_secret(), "NNSXS.key");
        assert_eq!(
            s.http.allowed_origins(),
            vec!["http://localhost:3000", "https://dirtviz.example.org"]
        );
        Ok(())
    });
}

#[test]
fn file_then_environment_with_ents_prefix_wins() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "ents.toml",
            r#"
            [http]
            listen = "0.0.0.0:9000"
            cors_allowed_origins = ["http://localhost:5173"]
            [database]
            pool_max_size = 4
            "#,
        )?;
        let s = load().unwrap();
        assert_eq!(s.http.listen, "0.0.0.0:9000");
        assert_eq!(s.database.pool_max_size, 4);

        jail.set_env("ENTS_DATABASE__POOL_MAX_SIZE", "32");
        jail.set_env(
            "ENTS_HTTP__CORS_ALLOWED_ORIGINS",
            "http://a.test, http://b.test",
        );
        let s = load().unwrap();
        assert_eq!(s.database.pool_max_size, 32);
        assert_eq!(
            s.http.cors_allowed_origins,
            vec!["http://a.test", "http://b.test"]
        );

        // ENTS_ wins over the upstream name for the same key.
        jail.set_env("DB_HOST", "upstream-host");
        jail.set_env("ENTS_DATABASE__HOST", "ents-host");
        assert_eq!(load().unwrap().database.host, "ents-host");
        Ok(())
    });
}

#[test]
fn a_bad_value_names_its_key() {
    Jail::expect_with(|jail| {
        jail.set_env("DB_PORT", "not-a-port");
        let err = load().unwrap_err().to_string();
        assert!(
            err.contains("database.port") || err.contains("port"),
            "{err}"
        );
        assert!(err.contains("DB_PORT"), "the source is named: {err}");
        Ok(())
    });
}

#[test]
fn semantic_errors_name_their_key() {
    Jail::expect_with(|jail| {
        jail.set_env("ENTS_HTTP__LISTEN", "nowhere");
        assert!(load().unwrap_err().to_string().contains("http.listen"));
        jail.set_env("ENTS_HTTP__LISTEN", "127.0.0.1:0");
        jail.set_env("ENTS_INGEST__MODE", "queued");
        assert!(load().unwrap_err().to_string().contains("ingest.mode"));
        jail.set_env("ENTS_INGEST__MODE", "sideways");
        assert!(load().unwrap_err().to_string().contains("mode"));
        Ok(())
    });
}

#[test]
fn metrics_listen_on_an_admin_port_unless_disabled() {
    Jail::expect_with(|jail| {
        let s = load().unwrap();
        assert_eq!(
            s.metrics_addr().unwrap(),
            Some("127.0.0.1:9464".parse().unwrap())
        );
        jail.set_env("ENTS_METRICS__LISTEN", "0.0.0.0:0");
        assert_eq!(
            load().unwrap().metrics_addr().unwrap(),
            Some("0.0.0.0:0".parse().unwrap())
        );
        jail.set_env("ENTS_METRICS__LISTEN", "nowhere");
        assert!(load().unwrap_err().to_string().contains("metrics.listen"));
        jail.set_env("ENTS_METRICS__ENABLED", "false");
        assert_eq!(load().unwrap().metrics_addr().unwrap(), None);
        Ok(())
    });
}

#[test]
fn traces_are_off_until_an_otlp_endpoint_is_set() {
    Jail::expect_with(|jail| {
        let s = load().unwrap();
        assert!(s.telemetry.otlp_endpoint.is_none());
        assert_eq!(s.telemetry.sampling_ratio, 1.0);
        jail.set_env("ENTS_TELEMETRY__OTLP_ENDPOINT", "http://collector:4318");
        jail.set_env("ENTS_TELEMETRY__SERVICE_NAME", "ents-eu");
        jail.set_env("ENTS_TELEMETRY__SAMPLING_RATIO", "0.25");
        let s = load().unwrap();
        assert_eq!(
            s.telemetry.otlp_endpoint.as_deref(),
            Some("http://collector:4318")
        );
        assert_eq!(s.telemetry.service_name.as_deref(), Some("ents-eu"));
        assert_eq!(s.telemetry.sampling_ratio, 0.25);
        jail.set_env("ENTS_TELEMETRY__SAMPLING_RATIO", "1.5");
        let error = load().unwrap_err().to_string();
        assert!(error.contains("telemetry.sampling_ratio"), "{error}");
        jail.set_env("ENTS_TELEMETRY__SAMPLING_RATIO", "1");
        jail.set_env("ENTS_TELEMETRY__OTLP_ENDPOINT", "collector:4318");
        let error = load().unwrap_err().to_string();
        assert!(error.contains("telemetry.otlp_endpoint"), "{error}");
        Ok(())
    });
}

#[test]
fn unknown_keys_in_the_file_are_refused() {
    Jail::expect_with(|jail| {
        jail.create_file("ents.toml", "[database]\npool_size = 4\n")?;
        let err = load().unwrap_err().to_string();
        assert!(err.contains("pool_size"), "{err}");
        Ok(())
    });
}

#[test]
fn an_explicit_missing_file_is_an_error() {
    Jail::expect_with(|_| {
        let err = Settings::load(Some(std::path::Path::new("nope.toml"))).unwrap_err();
        assert!(err.to_string().contains("nope.toml"));
        Ok(())
    });
}

#[test]
fn printed_configuration_never_shows_secrets() {
    Jail::expect_with(|jail| {
        jail.set_env("ACCESS_TOKEN_SECRET", "very-secret-value");
        jail.set_env("DB_PASS", "hunter2");
        jail.set_env("DATABASE_URL", "postgres://u:hunter2@h/d");
        let printed = load().unwrap().redacted().to_string();
        assert!(!printed.contains("very-secret-value"));
        assert!(!printed.contains("hunter2"));
        assert!(printed.contains("[redacted]"));
        Ok(())
    });
}

#[test]
fn other_ents_variables_are_not_configuration() {
    Jail::expect_with(|jail| {
        jail.set_env("ENTS_CONFIG", "ents.toml");
        jail.set_env("ENTS_BASE_URL", "http://127.0.0.1:8000/api");
        jail.set_env("ENTS_SHARED_DIR", "/somewhere");
        assert!(load().is_ok());
        // A typo in a nested key still fails fast.
        jail.set_env("ENTS_DATABASE__POOL_SIZE", "4");
        assert!(load().unwrap_err().to_string().contains("pool_size"));
        Ok(())
    });
}
