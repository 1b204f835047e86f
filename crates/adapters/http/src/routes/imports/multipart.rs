//! The one file part of a `multipart/form-data` body (RFC 7578), parsed by `multer` from
//! the body already buffered within `http.body_limit_bytes` (the import needs the whole file
//! anyway, and the limit and its 413 stay where every other body's are).

use actix_web::web::Bytes;

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(super) fn boundary(content_type: &str) -> Option<String> {
    let essence = content_type.split(';').next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    multer::parse_boundary(content_type).ok()
}

/// The content of the one part that is a file (its `Content-Disposition` names a
/// `filename`); other fields are skipped. Errors: a message saying what is wrong (no file,
/// several files, a malformed or truncated body).
pub(super) async fn file_part(body: Bytes, boundary: &str) -> Result<Vec<u8>, String> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        if field.file_name().is_none() {
            continue;
        }
        if file.is_some() {
            return Err("the multipart body holds several files: send one".to_owned());
        }
        file = Some(field.bytes().await.map_err(malformed)?.to_vec());
    }
    file.ok_or_else(|| "the multipart body holds no file part".to_owned())
}

fn malformed(error: multer::Error) -> String {
    format!("the multipart body is malformed: {error}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    async fn part(body: &'static [u8]) -> Result<Vec<u8>, String> {
        file_part(Bytes::from_static(body), "XY").await
    }

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

    #[actix_web::test]
    async fn takes_the_file_part_and_skips_fields() {
        let body = b"--XY\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
--XY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
Content-Type: text/csv\r\n\r\na,b\r\n1,2\n\r\n--XY--\r\n";
        assert_eq!(part(body).await.unwrap(), b"a,b\r\n1,2\n");
    }

    #[actix_web::test]
    async fn refuses_no_file_several_files_and_truncated_bodies() {
        let field = b"--XY\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--XY--\r\n";
        assert!(part(field).await.unwrap_err().contains("no file"));
        let two =
            b"--XY\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a\"\r\n\r\n1\r\n\
--XY\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b\"\r\n\r\n2\r\n--XY--\r\n";
        assert!(part(two).await.unwrap_err().contains("several"));
        let cut = b"--XY\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a\"\r\n\r\n1,2";
        assert!(part(cut).await.is_err());
        assert!(part(b"nothing").await.is_err());
    }
}
