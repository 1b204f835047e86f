#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every change to the public API shows up here for review: run
//! `INSTA_UPDATE=always cargo test -p ents-http --test openapi_snapshot` (or `cargo insta
//! review`) after an intended change and commit the new snapshot.

#[test]
fn openapi_document_is_reviewed() {
    let doc = serde_json::to_value(ents_http::openapi()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}
