//! `<int:…>` path segments, as upstream's Flask converter reads them.

use crate::error::ApiError;

/// Unsigned decimal digits only, else the route does not exist (404, as upstream). `None`:
/// digits beyond `i32`, an id that exists nowhere — each route says what that means.
pub(crate) fn path_int(raw: &str) -> Result<Option<i32>, ApiError> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::RouteNotFound);
    }
    Ok(raw.parse::<i32>().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn digits_only_and_beyond_i32_is_none() {
        assert_eq!(path_int("42").unwrap(), Some(42));
        assert_eq!(path_int("007").unwrap(), Some(7));
        assert_eq!(path_int("2147483648").unwrap(), None);
        for bad in ["", "-1", "+1", "1.0", "１", "abc", "1 "] {
            assert!(path_int(bad).is_err(), "{bad:?}");
        }
    }
}
