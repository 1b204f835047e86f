//! Google sign-in: state check, matching by sub then verified e-mail, creation.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::fakes::*;
use crate::DomainError;
use crate::auth::*;
use crate::users::UserRepository;

struct FakeGoogle {
    identity: Mutex<GoogleIdentity>,
}

#[async_trait]
impl GoogleIdentityProvider for FakeGoogle {
    fn authorization_request(&self) -> Result<AuthorizationRequest, DomainError> {
        Ok(AuthorizationRequest {
            url: "https://google.test/auth?state=s1".into(),
            state: "s1".into(),
        })
    }
    async fn identify(&self, code: &str, _state: &str) -> Result<GoogleIdentity, DomainError> {
        if code == "bad" {
            return Err(DomainError::Unauthenticated(
                GOOGLE_AUTHENTICATION_ERROR.into(),
            ));
        }
        Ok(self.identity.lock().unwrap().clone())
    }
}

fn identity(sub: &str, email: &str, verified: bool) -> GoogleIdentity {
    GoogleIdentity {
        sub: sub.into(),
        email: Some(email.into()),
        email_verified: verified,
        given_name: Some("Ada".into()),
        family_name: None,
    }
}

fn setup(id: GoogleIdentity) -> (Arc<FakeUsers>, Arc<FakeGoogle>, GoogleLogin) {
    let users = Arc::new(FakeUsers::default());
    let google = Arc::new(FakeGoogle {
        identity: Mutex::new(id),
    });
    let login = GoogleLogin::new(google.clone(), users.clone());
    (users, google, login)
}

#[tokio::test]
async fn the_state_must_match_the_browsers_cookie() {
    let (_, _, login) = setup(identity("1", "ada@example.com", true));
    for (state, cookie) in [
        (None, Some("s1")),
        (Some("s1"), None),
        (Some("s1"), Some("s2")),
        (Some(""), Some("")),
    ] {
        let err = login.complete("code", state, cookie).await.unwrap_err();
        assert!(
            matches!(&err, DomainError::Forbidden(m) if m == INVALID_OAUTH_STATE),
            "{state:?} {cookie:?}"
        );
    }
}

#[tokio::test]
async fn first_sign_in_creates_the_user_then_finds_it_by_sub() {
    let (users, google, login) = setup(identity("sub-1", "ada@example.com", true));
    let user = login.complete("code", Some("s"), Some("s")).await.unwrap();
    assert_eq!(user.google_sub.as_deref(), Some("sub-1"));
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    assert_eq!(user.last_name.as_deref(), Some(""));
    // The address changed at Google: still the same user.
    *google.identity.lock().unwrap() = identity("sub-1", "ada@new.example.com", true);
    let again = login.complete("code", Some("s"), Some("s")).await.unwrap();
    assert_eq!(again.id, user.id);
    assert_eq!(users.count(), 1);
}

#[tokio::test]
async fn an_existing_user_is_linked_by_verified_email() {
    let (users, _, login) = setup(identity("sub-2", "grace@example.com", true));
    let existing = users.insert("grace@example.com", None);
    let user = login.complete("code", Some("s"), Some("s")).await.unwrap();
    assert_eq!(user.id, existing.id);
    assert_eq!(
        users.get(existing.id).await.unwrap().google_sub.as_deref(),
        Some("sub-2")
    );
}

#[tokio::test]
async fn an_unverified_email_neither_links_nor_creates() {
    let (users, _, login) = setup(identity("sub-3", "grace@example.com", false));
    users.insert("grace@example.com", None);
    let err = login
        .complete("code", Some("s"), Some("s"))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(_)));
    assert_eq!(users.count(), 1);
}

#[tokio::test]
async fn a_refused_code_is_an_authentication_error() {
    let (_, _, login) = setup(identity("sub-4", "x@example.com", true));
    let err = login
        .complete("bad", Some("s"), Some("s"))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(m) if m == GOOGLE_AUTHENTICATION_ERROR));
}
