//! Serialising secrets for `config` output: whether they are set, never their value.

use secrecy::SecretString;
use serde::Serializer;

pub(crate) fn secret<S: Serializer>(value: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => s.serialize_str("[redacted]"),
        None => s.serialize_none(),
    }
}
