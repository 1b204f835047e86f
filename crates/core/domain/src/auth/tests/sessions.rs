//! Refresh-token rotation, reuse detection with grace, logout, cookie identity.

use std::sync::Arc;

use chrono::Duration;

use super::fakes::*;
use crate::DomainError;
use crate::auth::*;
use crate::users::UserId;

struct Setup {
    clock: Arc<FakeClock>,
    repo: Arc<FakeRefreshTokens>,
    sessions: SessionService,
}

fn setup() -> Setup {
    let clock = Arc::new(FakeClock::new());
    let repo = Arc::new(FakeRefreshTokens::default());
    let tokens = Arc::new(FakeTokens::default());
    let sessions = SessionService::new(
        repo.clone(),
        tokens.clone(),
        tokens,
        Arc::new(FakeSecrets::default()),
        clock.clone(),
        SessionSettings {
            reuse_grace: Duration::seconds(10),
        },
    );
    Setup {
        clock,
        repo,
        sessions,
    }
}

fn is_invalid(result: Result<Session, DomainError>) -> bool {
    matches!(result, Err(DomainError::Forbidden(m)) if m == INVALID_REFRESH_TOKEN)
}

#[tokio::test]
async fn a_refresh_rotates_the_token_and_keeps_the_family() {
    let s = setup();
    let user = UserId::new();
    let first = s.sessions.start(user).await.unwrap();
    let second = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    assert_eq!(second.user_id, user);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    let family = s.repo.family_of(&format!("sha({})", first.refresh_token));
    assert_eq!(
        s.repo.family_of(&format!("sha({})", second.refresh_token)),
        family
    );
    // The successor keeps working, again and again.
    let third = s
        .sessions
        .refresh(Some(&second.refresh_token))
        .await
        .unwrap();
    assert_eq!(third.user_id, user);
}

#[tokio::test]
async fn parallel_refreshes_within_the_grace_all_get_a_working_session() {
    let s = setup();
    let first = s.sessions.start(UserId::new()).await.unwrap();
    // The dashboard fires three refreshes with the same cookie.
    let a = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    s.clock.advance(Duration::seconds(2));
    let b = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    let c = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    // Whichever cookie the browser ends up with, the session goes on.
    for session in [a, b, c] {
        s.sessions
            .refresh(Some(&session.refresh_token))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn losing_a_rotation_race_counts_as_a_parallel_refresh() {
    let s = setup();
    let first = s.sessions.start(UserId::new()).await.unwrap();
    *s.repo.lose_next_race.lock().unwrap() = true;
    let session = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    s.sessions
        .refresh(Some(&session.refresh_token))
        .await
        .unwrap();
}

#[tokio::test]
async fn reuse_after_the_grace_revokes_the_whole_family() {
    let s = setup();
    let first = s.sessions.start(UserId::new()).await.unwrap();
    let second = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    let family = s.repo.family_of(&format!("sha({})", first.refresh_token));
    s.clock.advance(Duration::seconds(11));
    assert!(is_invalid(
        s.sessions.refresh(Some(&first.refresh_token)).await
    ));
    assert_eq!(s.repo.active_in_family(family), 0);
    // The legitimate holder of the successor is logged out too: the family is burnt.
    assert!(is_invalid(
        s.sessions.refresh(Some(&second.refresh_token)).await
    ));
}

#[tokio::test]
async fn reuse_in_one_login_leaves_other_logins_alone() {
    let s = setup();
    let user = UserId::new();
    let laptop = s.sessions.start(user).await.unwrap();
    let phone = s.sessions.start(user).await.unwrap();
    s.sessions
        .refresh(Some(&laptop.refresh_token))
        .await
        .unwrap();
    s.clock.advance(Duration::seconds(30));
    assert!(is_invalid(
        s.sessions.refresh(Some(&laptop.refresh_token)).await
    ));
    s.sessions
        .refresh(Some(&phone.refresh_token))
        .await
        .unwrap();
}

#[tokio::test]
async fn missing_forged_unknown_and_expired_tokens_are_refused() {
    let s = setup();
    assert!(is_invalid(s.sessions.refresh(None).await));
    assert!(is_invalid(s.sessions.refresh(Some("")).await));
    assert!(is_invalid(s.sessions.refresh(Some("junk")).await));
    // Well-formed but never issued (not in the store).
    let unknown = format!("refresh:{}:999", UserId::new());
    assert!(is_invalid(s.sessions.refresh(Some(&unknown)).await));
    // An access token is not a refresh token.
    let first = s.sessions.start(UserId::new()).await.unwrap();
    assert!(is_invalid(
        s.sessions.refresh(Some(&first.access_token)).await
    ));
    s.clock.advance(Duration::days(1) + Duration::seconds(1));
    assert!(is_invalid(
        s.sessions.refresh(Some(&first.refresh_token)).await
    ));
}

#[tokio::test]
async fn a_token_signed_for_another_user_is_refused() {
    let s = setup();
    s.sessions.start(UserId::new()).await.unwrap();
    // Same stored digest, different signed user: only possible with a forged token, but
    // the store's owner wins.
    let other = UserId::new();
    let forged = format!("refresh:{other}:x");
    s.repo.rows.lock().unwrap()[0].0.digest = crate::auth::Digest(format!("sha({forged})"));
    let result = s.sessions.refresh(Some(&forged)).await;
    assert!(matches!(result, Err(DomainError::Forbidden(m)) if m == UNAUTHORIZED_USER));
}

#[tokio::test]
async fn logout_revokes_only_the_callers_own_login() {
    let s = setup();
    let alice = s.sessions.start(UserId::new()).await.unwrap();
    let alice_phone = s.sessions.start(alice.user_id).await.unwrap();
    let bob = s.sessions.start(UserId::new()).await.unwrap();
    s.sessions.logout(Some(&alice.refresh_token)).await.unwrap();
    assert!(is_invalid(
        s.sessions.refresh(Some(&alice.refresh_token)).await
    ));
    s.sessions.refresh(Some(&bob.refresh_token)).await.unwrap();
    s.sessions
        .refresh(Some(&alice_phone.refresh_token))
        .await
        .unwrap();
}

#[tokio::test]
async fn logout_without_or_with_an_unknown_cookie_changes_nothing() {
    let s = setup();
    let bob = s.sessions.start(UserId::new()).await.unwrap();
    s.sessions.logout(None).await.unwrap();
    s.sessions.logout(Some("junk")).await.unwrap();
    s.sessions.refresh(Some(&bob.refresh_token)).await.unwrap();
}

#[tokio::test]
async fn logout_also_ends_the_successors_of_a_parallel_refresh() {
    let s = setup();
    let first = s.sessions.start(UserId::new()).await.unwrap();
    let a = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    let b = s
        .sessions
        .refresh(Some(&first.refresh_token))
        .await
        .unwrap();
    s.sessions.logout(Some(&a.refresh_token)).await.unwrap();
    assert!(is_invalid(s.sessions.refresh(Some(&b.refresh_token)).await));
}

#[tokio::test]
async fn the_cookie_identifies_its_user_without_rotating() {
    let s = setup();
    let session = s.sessions.start(UserId::new()).await.unwrap();
    let user = s
        .sessions
        .cookie_identity(&session.refresh_token)
        .await
        .unwrap();
    assert_eq!(user, session.user_id);
    // Still the current token: a refresh with it is no reuse.
    let next = s
        .sessions
        .refresh(Some(&session.refresh_token))
        .await
        .unwrap();
    // The replaced cookie counts during the grace only.
    assert!(
        s.sessions
            .cookie_identity(&session.refresh_token)
            .await
            .is_ok()
    );
    s.clock.advance(Duration::seconds(11));
    assert!(
        s.sessions
            .cookie_identity(&session.refresh_token)
            .await
            .is_err()
    );
    assert!(
        s.sessions
            .cookie_identity(&next.refresh_token)
            .await
            .is_ok()
    );
    s.sessions.logout(Some(&next.refresh_token)).await.unwrap();
    assert!(
        s.sessions
            .cookie_identity(&next.refresh_token)
            .await
            .is_err()
    );
}
