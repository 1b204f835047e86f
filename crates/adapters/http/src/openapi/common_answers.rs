//! The error answers every route shares, added to each operation of the document.
//!
//! They come from machinery common to all routes rather than from one handler — the input
//! guard, the extractors, the credential check and the one `DomainError` mapping — so the
//! handlers' own annotations leave them out. Without them a client (or schemathesis) reading
//! the document meets statuses it was never told about. An answer a handler documents itself
//! keeps its own description.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{OpenApi, RefOr, Response};

/// Paths whose operations answer without looking at credentials or the database.
const PROBES: &[&str] = &["/healthz", "/api/openapi.json"];

/// Adds the shared answers to every operation of `api`.
pub(crate) fn document_common_answers(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let probe = PROBES.contains(&path.as_str());
        for operation in operations(item) {
            add_common_answers(operation, path, probe);
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
        item.head.as_mut(),
        item.options.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn add_common_answers(operation: &mut Operation, path: &str, probe: bool) {
    let has_body = operation.request_body.is_some();
    let has_input = has_body
        || path.contains('{')
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut answers: Vec<(&str, &str)> = Vec::new();
    if has_input {
        answers.push((
            "400",
            "Invalid input: a malformed or missing parameter or body field, or a NUL character \
             in any text (the JSON body names the field)",
        ));
    }
    if !probe {
        answers.push((
            "401",
            "The credentials sent are missing, malformed, expired or unknown, where the route \
             (or `access.public_read = false`) needs them",
        ));
        answers.push((
            "403",
            "The caller may not do this: not an owner or member of the cell, or a credential \
             whose scope does not cover the route (an ingest key uploads and nothing else)",
        ));
    }
    if path.contains('{') {
        answers.push(("404", "Nothing has this id"));
    }
    if has_body {
        answers.push((
            "408",
            "The body did not arrive within `http.body_read_timeout_ms`",
        ));
        answers.push((
            "413",
            "The body is larger than `http.json_limit_bytes` (JSON) or `http.body_limit_bytes`",
        ));
        answers.push(("415", "The body's Content-Type is not one this route reads"));
    }
    if !probe {
        answers.push((
            "503",
            "A dependency (the database, the broker) is unreachable or saturated; retry later",
        ));
    }
    for (status, description) in answers {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
}
