//! `[smtp]` and `[webhook]`: defaults, the environment, validation, and the password kept
//! out of `ents config`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use ents_config::{Settings, SmtpTls};
use figment::Jail;
use secrecy::ExposeSecret;

#[test]
fn without_a_host_no_mail_is_configured_and_webhooks_have_a_timeout() {
    Jail::expect_with(|_| {
        let s = Settings::load(None).unwrap();
        assert!(s.smtp.host.is_none());
        assert_eq!(s.smtp.tls, SmtpTls::Starttls);
        assert_eq!(s.smtp.effective_port(), 587);
        assert_eq!(s.smtp.timeout_ms, 10_000);
        assert_eq!(s.webhook.timeout_ms, 10_000);
        assert!(s.webhook.user_agent.is_none());
        assert!(!s.webhook.allow_private_targets);
        Ok(())
    });
}

#[test]
fn the_environment_configures_the_mail_server_and_the_password_stays_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("ENTS_SMTP__HOST", "smtp.example.org");
        jail.set_env("ENTS_SMTP__TLS", "tls");
        jail.set_env("ENTS_SMTP__USERNAME", "alerts");
        jail.set_env("ENTS_SMTP__PASSWORD", "123456789"); // looks like a number, is text
        jail.set_env("ENTS_SMTP__FROM", "ENTS alerts <alerts@example.org>");
        jail.set_env("ENTS_SMTP__TIMEOUT_MS", "2500");
        jail.set_env("ENTS_WEBHOOK__TIMEOUT_MS", "3000");
        jail.set_env("ENTS_WEBHOOK__USER_AGENT", "dirtviz-alerts/1");
        jail.set_env("ENTS_WEBHOOK__ALLOW_PRIVATE_TARGETS", "true");
        let s = Settings::load(None).unwrap();
        assert_eq!(s.smtp.host.as_deref(), Some("smtp.example.org"));
        assert_eq!(s.smtp.tls, SmtpTls::Tls);
        assert_eq!(s.smtp.effective_port(), 465);
        assert_eq!(
            s.smtp.password.as_ref().unwrap().expose_secret(),
            "123456789"
        );
        assert_eq!(s.smtp.timeout().as_millis(), 2500);
        assert_eq!(s.webhook.timeout().as_millis(), 3000);
        assert_eq!(s.webhook.user_agent.as_deref(), Some("dirtviz-alerts/1"));
        assert!(s.webhook.allow_private_targets);

        let printed = s.redacted();
        assert_eq!(printed["smtp"]["password"], "[redacted]");
        assert_eq!(printed["smtp"]["username"], "alerts");
        assert!(!printed.to_string().contains("123456789"));
        Ok(())
    });
}

#[test]
fn a_toml_port_wins_over_the_modes_default() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "ents.toml",
            "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"a@b.org\"\n",
        )?;
        let s = Settings::load(None).unwrap();
        assert_eq!(s.smtp.tls, SmtpTls::None);
        assert_eq!(s.smtp.effective_port(), 2525);
        Ok(())
    });
}

#[test]
fn inconsistent_mail_settings_are_refused_naming_the_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("ENTS_SMTP__HOST", "smtp.example.org")], "smtp.from"),
        (
            &[
                ("ENTS_SMTP__HOST", "smtp.example.org"),
                ("ENTS_SMTP__FROM", "alerts"),
            ],
            "smtp.from",
        ),
        (&[("ENTS_SMTP__USERNAME", "alerts")], "smtp.username"),
        (&[("ENTS_SMTP__PASSWORD", "secret")], "smtp.username"),
        (&[("ENTS_SMTP__TLS", "ssl")], "tls"),
        (&[("ENTS_SMTP__TIMEOUT_MS", "0")], "smtp.timeout_ms"),
        (&[("ENTS_WEBHOOK__TIMEOUT_MS", "0")], "webhook.timeout_ms"),
    ];
    for (vars, key) in cases {
        Jail::expect_with(|jail| {
            for (name, value) in *vars {
                jail.set_env(name, value);
            }
            let err = Settings::load(None).unwrap_err().to_string();
            assert!(err.contains(key), "{vars:?}: {err}");
            Ok(())
        });
    }
}
