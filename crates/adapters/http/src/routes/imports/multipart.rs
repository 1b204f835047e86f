//! The one file part of a `multipart/form-data` body (RFC 7578), read from the buffered
//! body. A few lines over bytes already in memory (bounded by `http.body_limit_bytes`)
//! rather than a streaming multipart crate: the import needs the whole file anyway, and only
//! this route takes multipart.

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let essence = parts.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    parts.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        (!value.is_empty()).then(|| value.to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}

/// The content of the one part that is a file (its `Content-Disposition` names a
/// `filename`). Errors: a message saying what is wrong (no part, no file, several files,
/// a part without its end).
pub(super) fn file_part(body: &[u8], boundary: &str) -> Result<Vec<u8>, String> {
    let delimiter = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let mut at = find(body, delimiter.as_bytes(), 0)
        .ok_or("the multipart body has no part (boundary not found)")?
        + delimiter.len();
    let mut file: Option<Vec<u8>> = None;
    loop {
        // After a delimiter: `--` ends the body, a line break starts a part.
        if body[at..].starts_with(b"--") {
            break;
        }
        let headers_start = find(body, b"\r\n", at).ok_or("a multipart part has no headers")? + 2;
        // A part without headers starts with the blank line at once.
        let (headers_end, content_start) = if body[headers_start..].starts_with(b"\r\n") {
            (headers_start, headers_start + 2)
        } else {
            let end = find(body, b"\r\n\r\n", headers_start)
                .ok_or("a multipart part has no end of headers")?;
            (end, end + 4)
        };
        let headers = String::from_utf8_lossy(&body[headers_start..headers_end]);
        let content_end = find(body, next.as_bytes(), content_start)
            .ok_or("a multipart part is not terminated by its boundary")?;
        let is_file = headers.lines().any(|line| {
            let lower = line.to_ascii_lowercase();
            lower.starts_with("content-disposition:") && lower.contains("filename")
        });
        if is_file {
            if file.is_some() {
                return Err("the multipart body holds several files: send one".to_owned());
            }
            file = Some(body[content_start..content_end].to_vec());
        }
        at = content_end + next.len();
    }
    file.ok_or_else(|| "the multipart body holds no file part".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_the_boundary_quoted_or_not() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("text/csv"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn takes_the_file_part_and_skips_fields() {
        let body = b"--XY\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
Content-Type: text/csv\r\n\r\na,b\r\n1,2\n\r\n--XY--\r\n";
        assert_eq!(file_part(body, "XY").unwrap(), b"a,b\r\n1,2\n");
    }

    #[test]
    fn refuses_no_file_several_files_and_truncated_bodies() {
        let field = b"--XY\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--XY--\r\n";
        assert!(file_part(field, "XY").unwrap_err().contains("no file"));
        let two =
            b"--XY\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a\"\r\n\r\n1\r\n\
--XY\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b\"\r\n\r\n2\r\n--XY--\r\n";
        assert!(file_part(two, "XY").unwrap_err().contains("several"));
        let cut = b"--XY\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a\"\r\n\r\n1,2";
        assert!(file_part(cut, "XY").is_err());
        assert!(file_part(b"nothing", "XY").is_err());
    }
}
