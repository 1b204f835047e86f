//! Every way a presented token can be bad, and the compatible forms that must pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use secrecy::SecretString;

use super::*;
use crate::encoding::base64url;

const ACCESS: &str = "access-secret-0123456789abcdef0123456789";
const REFRESH: &str = "refresh-secret-0123456789abcdef012345678";

fn tokens() -> JwtTokens {
    JwtTokens::new(&TokenSettings {
        access_secret: SigningSecret::from_config(Some(&SecretString::from(ACCESS)), "a").unwrap(),
        refresh_secret: SigningSecret::from_config(Some(&SecretString::from(REFRESH)), "r")
            .unwrap(),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(86_400),
    })
    .unwrap()
}

/// Signs arbitrary claims with HS256 and `secret` (what a client library would do).
fn hs256(claims: serde_json::Value, secret: &str) -> String {
    let key = EncodingKey::from_secret(secret.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
}

fn in_15_min() -> i64 {
    Utc::now().timestamp() + 900
}

#[test]
fn issued_tokens_have_upstreams_shape_and_verify() {
    let t = tokens();
    let user = UserId::new();
    let access = t.access_token(user, Utc::now()).unwrap();
    let claims: serde_json::Value =
        jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&access.token)
            .unwrap()
            .claims;
    assert_eq!(claims["uid"], format!("urn:uuid:{}", user.0));
    assert!(claims["exp"].is_i64());
    assert_eq!(claims.as_object().unwrap().len(), 2);
    assert_eq!(t.verify_access(&access.token), Ok(user));
    let header = jsonwebtoken::decode_header(&access.token).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
}

#[test]
fn the_urn_bare_simple_and_braced_uid_forms_are_accepted() {
    let t = tokens();
    let user = UserId::new();
    for uid in [
        user.0.urn().to_string(),
        user.0.to_string(),
        user.0.simple().to_string(),
        user.0.braced().to_string(),
    ] {
        let token = hs256(serde_json::json!({"uid": uid, "exp": in_15_min()}), ACCESS);
        assert_eq!(t.verify_access(&token), Ok(user), "{uid}");
    }
}

#[test]
fn refresh_tokens_are_distinct_and_do_not_pass_as_access_tokens() {
    let t = tokens();
    let user = UserId::new();
    let now = Utc::now();
    let a = t.refresh_token(user, now).unwrap();
    let b = t.refresh_token(user, now).unwrap();
    assert_ne!(a.token, b.token);
    assert_eq!(t.verify_refresh(&a.token), Ok(user));
    assert_eq!(t.verify_access(&a.token), Err(TokenRejection::Invalid));
    let access = t.access_token(user, now).unwrap();
    assert_eq!(
        t.verify_refresh(&access.token),
        Err(TokenRejection::Invalid)
    );
}

#[test]
fn bad_tokens_are_rejected_with_the_right_reason() {
    let t = tokens();
    let uid = Uuid::new_v4().to_string();
    let now = Utc::now().timestamp();
    let header_none = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let header_rs256 = base64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let header_hs512 = base64url(br#"{"alg":"HS512","typ":"JWT"}"#);
    let payload = base64url(format!(r#"{{"uid":"{uid}","exp":{}}}"#, now + 900).as_bytes());
    let valid = hs256(serde_json::json!({"uid": uid, "exp": now + 900}), ACCESS);
    let signature = valid.rsplit('.').next().unwrap().to_owned();
    let cases: Vec<(&str, String, TokenRejection)> = vec![
        (
            "the frontend's logged-out token",
            "undefined".into(),
            TokenRejection::Invalid,
        ),
        ("empty", String::new(), TokenRejection::Invalid),
        ("garbage", "a.b.c".into(), TokenRejection::Invalid),
        (
            "alg none, no signature",
            format!("{header_none}.{payload}."),
            TokenRejection::Invalid,
        ),
        (
            "alg none with a signature",
            format!("{header_none}.{payload}.{signature}"),
            TokenRejection::Invalid,
        ),
        (
            "RS256 header on an HMAC signature (algorithm confusion)",
            format!("{header_rs256}.{payload}.{signature}"),
            TokenRejection::Invalid,
        ),
        (
            "HS512 header",
            format!("{header_hs512}.{payload}.{signature}"),
            TokenRejection::Invalid,
        ),
        (
            "wrong secret",
            hs256(
                serde_json::json!({"uid": uid, "exp": now + 900}),
                "not-the-secret",
            ),
            TokenRejection::Invalid,
        ),
        (
            "signed with the refresh secret",
            hs256(serde_json::json!({"uid": uid, "exp": now + 900}), REFRESH),
            TokenRejection::Invalid,
        ),
        (
            "missing exp",
            hs256(serde_json::json!({"uid": uid}), ACCESS),
            TokenRejection::Invalid,
        ),
        (
            "exp not a number",
            hs256(serde_json::json!({"uid": uid, "exp": "tomorrow"}), ACCESS),
            TokenRejection::Invalid,
        ),
        (
            "tampered payload",
            {
                let other = base64url(
                    format!(r#"{{"uid":"{}","exp":{}}}"#, Uuid::new_v4(), now + 900).as_bytes(),
                );
                let mut parts = valid.split('.');
                let head = parts.next().unwrap();
                format!("{head}.{other}.{signature}")
            },
            TokenRejection::Invalid,
        ),
        (
            "expired",
            hs256(serde_json::json!({"uid": uid, "exp": now - 5}), ACCESS),
            TokenRejection::Expired,
        ),
        (
            "not valid before an hour from now",
            hs256(
                serde_json::json!({"uid": uid, "exp": now + 7200, "nbf": now + 3600}),
                ACCESS,
            ),
            TokenRejection::Invalid,
        ),
        (
            "nbf not a number",
            hs256(
                serde_json::json!({"uid": uid, "exp": now + 900, "nbf": "now"}),
                ACCESS,
            ),
            TokenRejection::Invalid,
        ),
        (
            "uid not a UUID",
            hs256(
                serde_json::json!({"uid": "idksomeid", "exp": now + 900}),
                ACCESS,
            ),
            TokenRejection::BadSubject,
        ),
        (
            "uid missing",
            hs256(serde_json::json!({"exp": now + 900}), ACCESS),
            TokenRejection::BadSubject,
        ),
        (
            "uid a number",
            hs256(serde_json::json!({"uid": 7, "exp": now + 900}), ACCESS),
            TokenRejection::BadSubject,
        ),
    ];
    for (name, token, expected) in cases {
        assert_eq!(t.verify_access(&token), Err(expected), "{name}");
    }
}

#[test]
fn nbf_is_honoured_with_a_small_leeway_for_clock_skew() {
    let t = tokens();
    let uid = Uuid::new_v4().to_string();
    let now = chrono::Utc::now().timestamp();
    for nbf in [now - 3600, now, now + super::NBF_LEEWAY_SECS / 2] {
        let token = hs256(
            serde_json::json!({"uid": uid, "exp": now + 900, "nbf": nbf}),
            ACCESS,
        );
        assert!(t.verify_access(&token).is_ok(), "nbf {nbf} (now {now})");
    }
}
