//! Local accounts from the command line (`ents user …`), and the cookie hook of the
//! conformance suite (`ENTS_COOKIE_LOGIN_HOOK="ents user cookie"`).

use anyhow::bail;
use ents_config::Settings;
use ents_domain::auth::Password;
use ents_domain::users::{Email, NewUser, UserId};
use ents_http::auth::IdentityServices;
use ents_persistence::Db;
use uuid::Uuid;

use crate::identity::wire;

/// The identity use cases on the configured database (prepared as `ents serve` would).
pub struct UserAdmin {
    services: IdentityServices,
    /// See [`crate::identity::IdentityWiring`].
    refresh_secret_configured: bool,
    _db: Db,
}

/// A user to create.
#[derive(Debug)]
pub struct NewAccount {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// With one, the user can sign in with it; without, only through Google.
    pub password: Option<String>,
}

fn password(password: String) -> anyhow::Result<Password> {
    Password::new(password).map_err(|e| anyhow::anyhow!("password: {e:?}"))
}

impl UserAdmin {
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let db = crate::database::prepare_and_pool(settings).await?;
        let wiring = wire(settings, &db)?;
        Ok(Self {
            services: wiring.services,
            refresh_secret_configured: wiring.refresh_secret_configured,
            _db: db,
        })
    }

    /// Creates a user; returns its id.
    pub async fn create(&self, account: NewAccount) -> anyhow::Result<Uuid> {
        let NewAccount {
            email,
            first_name,
            last_name,
            password: secret,
        } = account;
        let user = match secret {
            Some(secret) => {
                self.services
                    .accounts
                    .register(&email, password(secret)?, first_name, last_name)
                    .await?
            }
            None => {
                self.services
                    .users
                    .repository()
                    .create(NewUser {
                        email: Email::parse(&email, "email")?.into_string(),
                        first_name,
                        last_name,
                        google_sub: None,
                        password_hash: None,
                    })
                    .await?
            }
        };
        Ok(user.id.0)
    }

    /// Sets (or replaces) the password of the user with `email`; returns its id.
    pub async fn set_password(&self, email: &str, secret: String) -> anyhow::Result<Uuid> {
        let email = Email::parse(email, "email")?;
        let Some(user) = self
            .services
            .users
            .repository()
            .find_by_email(email.as_str())
            .await?
        else {
            bail!("no user with e-mail address {}", email.as_str());
        };
        self.services
            .accounts
            .set_password(user.id, password(secret)?)
            .await?;
        Ok(user.id.0)
    }

    /// Logs the user `id` in (checked against `email`) and returns the value of its
    /// `refresh-token` cookie. A test hook: the server must share this configuration's
    /// REFRESH_TOKEN_SECRET and database.
    pub async fn refresh_cookie(&self, id: Uuid, email: &str) -> anyhow::Result<String> {
        if !self.refresh_secret_configured {
            bail!("REFRESH_TOKEN_SECRET is not set: the server would not accept the cookie");
        }
        let user = self.services.users.profile(UserId(id)).await?;
        if user.email.as_deref() != Some(email) {
            bail!("user {id} does not have the e-mail address {email}");
        }
        let session = self.services.sessions.start(user.id).await?;
        Ok(session.refresh_token)
    }
}
