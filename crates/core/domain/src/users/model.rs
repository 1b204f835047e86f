use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

/// Identifies a user: the upstream `"user".id` (a UUID, no database default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl UserId {
    /// A fresh random id (v4, as upstream's ORM used).
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A user as the rest of the domain sees it. Deliberately without the password hash and the
/// API key: nothing that holds a `User` can leak them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The Google account (`sub` of its ID tokens) linked to this user, if any.
    pub google_sub: Option<String>,
}

/// A syntactically plausible e-mail address, trimmed and lower-cased so that local sign-in
/// does not depend on the case the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Longest address the upstream column (`varchar(255)`) holds.
    pub const MAX_LEN: usize = 255;

    /// Errors: `Invalid` naming `field` when the value is not `local@domain`.
    pub fn parse(raw: &str, field: &str) -> Result<Self, DomainError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= Self::MAX_LEN
            && !email.chars().any(char::is_whitespace)
            && email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if valid {
            Ok(Self(email))
        } else {
            Err(DomainError::invalid_field(
                field,
                "must be an e-mail address",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What creating a user needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub google_sub: Option<String>,
    /// An Argon2id PHC string for local sign-in.
    pub password_hash: Option<String>,
}

/// `PUT /api/user`: only the names can change, as upstream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl ProfileUpdate {
    /// Longest name the upstream columns (`varchar(255)`) hold.
    pub const MAX_LEN: usize = 255;

    /// Errors: `Invalid` naming each name that is too long.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut fields = crate::FieldErrors::new();
        for (name, value) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
        ] {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > Self::MAX_LEN)
            {
                fields.insert(
                    name.to_owned(),
                    vec![format!("at most {} characters", Self::MAX_LEN)],
                );
            }
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(fields))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Ada@Example.COM ", "email").unwrap();
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn implausible_emails_are_refused() {
        for raw in ["", "ada", "@example.com", "ada@localhost", "a da@x.org"] {
            assert!(Email::parse(raw, "email").is_err(), "{raw}");
        }
    }

    #[test]
    fn overlong_names_are_refused() {
        let update = ProfileUpdate {
            first_name: Some("x".repeat(256)),
            last_name: Some("ok".into()),
        };
        let Err(DomainError::Invalid(fields)) = update.validate() else {
            panic!("expected Invalid");
        };
        assert!(fields.contains_key("first_name"));
        assert!(!fields.contains_key("last_name"));
    }
}
