//! Local accounts.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::fakes::*;
use crate::DomainError;
use crate::auth::*;

fn setup() -> (Arc<FakeUsers>, Arc<FakeHasher>, LocalAccounts) {
    let users = Arc::new(FakeUsers::default());
    let hasher = Arc::new(FakeHasher::default());
    let accounts = LocalAccounts::new(users.clone(), hasher.clone());
    (users, hasher, accounts)
}

fn pw(s: &str) -> Password {
    Password::new(s.to_owned()).unwrap()
}

#[tokio::test]
async fn register_then_login() {
    let (_, _, accounts) = setup();
    let user = accounts
        .register(
            " Ada@Example.com",
            pw("correct horse"),
            Some("Ada".into()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    let again = accounts
        .login(
            "ADA@example.com",
            Password::presented("correct horse".into()),
        )
        .await
        .unwrap();
    assert_eq!(again.id, user.id);
}

#[tokio::test]
async fn registering_a_taken_address_is_a_conflict() {
    let (_, _, accounts) = setup();
    accounts
        .register("ada@example.com", pw("correct horse"), None, None)
        .await
        .unwrap();
    let err = accounts
        .register("ada@example.com", pw("other password"), None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Conflict { message: m, .. } if m == "User already exists"));
}

#[tokio::test]
async fn every_failed_login_looks_the_same_and_does_the_same_work() {
    let (users, hasher, accounts) = setup();
    accounts
        .register("ada@example.com", pw("correct horse"), None, None)
        .await
        .unwrap();
    users.insert("google-only@example.com", None);
    for (email, password) in [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", "correct horse"),
        ("google-only@example.com", "anything at all"),
        ("not an address", "correct horse"),
    ] {
        let before = hasher.verifications.load(Ordering::Relaxed);
        let err = accounts
            .login(email, Password::presented(password.into()))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, DomainError::Unauthenticated(m) if m == INVALID_LOGIN),
            "{email}: {err:?}"
        );
        // One (possibly dummy) hash verification per attempt, whether the account exists.
        assert_eq!(
            hasher.verifications.load(Ordering::Relaxed),
            before + 1,
            "{email}"
        );
    }
    assert_eq!(hasher.dummy_verifications.load(Ordering::Relaxed), 3);
}

#[test]
fn new_passwords_have_a_minimum_and_maximum_length() {
    assert!(Password::new("short".into()).is_err());
    assert!(Password::new("x".repeat(Password::MAX_LEN + 1)).is_err());
    assert!(Password::new("long enough".into()).is_ok());
    assert_eq!(
        Password::presented("é".repeat(Password::MAX_LEN))
            .expose()
            .len(),
        Password::MAX_LEN
    );
    assert_eq!(format!("{:?}", pw("secret password")), "Password(***)");
}

#[tokio::test]
async fn set_password_lets_an_account_sign_in_locally() {
    let (users, _, accounts) = setup();
    let user = users.insert("grace@example.com", None);
    accounts
        .set_password(user.id, pw("new password"))
        .await
        .unwrap();
    let found = accounts
        .login(
            "grace@example.com",
            Password::presented("new password".into()),
        )
        .await
        .unwrap();
    assert_eq!(found.id, user.id);
}
