//! Google OpenID Connect, authorization-code flow with PKCE (fixing D-9–D-11,
//! docs/compatibility.md#login-and-tokens):
//! - the authorization URL carries a random `state`, a PKCE S256 challenge and a nonce; the
//!   verifier and the nonce are derived from the state with a server key, so nothing but the
//!   state has to be remembered (the HTTP adapter binds it to the browser with a cookie);
//! - the code exchange sends the client secret in the form body (never in the URL) with a
//!   timeout;
//! - the ID token's signature is checked against Google's JWKS (cached), and its issuer,
//!   audience, expiry and nonce.
//!
//! Every Google URL comes from the configuration, so tests use a local fake provider.

mod client;
mod flow;
mod id_token;
mod jwks;

pub use client::{GoogleClient, GoogleSettings};
