//! The client-visible messages of authentication failures. Upstream's wording where upstream had
//! the case, because the frontend and scripts print them (docs/compatibility.md#login-and-tokens).

/// No `Authorization` header, no API key, no usable cookie (401).
pub const NO_CREDENTIALS: &str = "No token or API key provided";
/// The access token's `exp` has passed (401).
pub const TOKEN_EXPIRED: &str = "Token expired";
/// Bad signature, malformed token, wrong algorithm, `Bearer undefined` (403).
pub const INVALID_TOKEN: &str = "Invalid token";
/// The token is signed correctly but names no valid user id, or the route needs another kind
/// of credential (403).
pub const AUTHENTICATION_FAILED: &str = "Authentication failed";
/// The token's user does not exist (404).
pub const USER_NOT_FOUND: &str = "User not found";
/// Unknown, rotated, revoked, expired or missing refresh token (403).
pub const INVALID_REFRESH_TOKEN: &str = "Invalid refresh token";
/// A refresh token whose signed user differs from its stored owner (403).
pub const UNAUTHORIZED_USER: &str = "Unauthorized user";
/// An `X-API-Key` that matches no active key (401).
pub const INVALID_API_KEY: &str = "Invalid API key";
/// Local sign-in failed; the same words whether or not the e-mail address exists (401).
pub const INVALID_LOGIN: &str = "Invalid email or password";
/// Google sign-in failed (the code was refused or the ID token did not verify) (401).
pub const GOOGLE_AUTHENTICATION_ERROR: &str = "Authentication Error";
/// The OAuth `state` does not match the browser's state cookie (403).
pub const INVALID_OAUTH_STATE: &str = "Invalid OAuth state";
/// Missing `code` on the OAuth callback (400).
pub const MISSING_AUTHORIZATION_CODE: &str = "Authorization code must be provided";
/// `POST /api/apikey/` while a key exists (409, upstream wording).
pub const API_KEY_EXISTS: &str =
    "API key already exists. Delete existing key before creating a new one.";
/// An ingest-only API key used for anything but uploads (403).
pub const INGEST_KEY_ONLY: &str = "This API key may only upload measurements";
