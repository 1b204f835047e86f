//! Which methods each documented path serves, read from the OpenAPI document, so that a known
//! path asked with another method answers 405 with `Allow` (as Werkzeug did) instead of 404.
//! The document is built from the mounted handlers, so the two cannot disagree.

use utoipa::openapi::OpenApi;
use utoipa::openapi::path::PathItem;

/// The documented path templates and their methods.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownRoutes {
    routes: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Parameter,
}

impl KnownRoutes {
    pub(crate) fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| (segments(template), methods(item)))
            .filter(|(_, methods)| !methods.is_empty())
            .collect();
        Self { routes }
    }

    /// The methods served on `path` (a request path, already normalised), in a stable order;
    /// empty when the path is not a known route. Where several templates match, the most
    /// specific ones answer (`/api/cell/datas` serves GET, whatever `/api/cell/{cell_id}` serves).
    pub(crate) fn allowed(&self, path: &str) -> Vec<&'static str> {
        let parts: Vec<&str> = path.split('/').collect();
        let matching: Vec<&(Vec<Segment>, Vec<&'static str>)> = self
            .routes
            .iter()
            .filter(|(template, _)| matches(template, &parts))
            .collect();
        let most_specific = matching.iter().map(|(t, _)| literals(t)).max();
        let mut allowed: Vec<&'static str> = Vec::new();
        for (template, methods) in matching {
            if Some(literals(template)) == most_specific {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
        }
        allowed.sort_unstable_by_key(|m| ORDER.iter().position(|o| o == m));
        allowed
    }

    /// The methods of the most specific template matching `path` (the one with the most
    /// literal segments: `/api/cell/datas` over `/api/cell/{cell_id}`), when that template
    /// does not serve `method` but a less specific one does. The router would hand such a
    /// request to the parameter route (`PUT /api/cell/datas` to `PUT /api/cell/{cell_id}`),
    /// whose answer (an auth error, a 400 for a non-numeric id) is not the 405 a client must
    /// get for a documented path it asked with the wrong method.
    pub(crate) fn shadowed(&self, method: &str, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').collect();
        let matching: Vec<&(Vec<Segment>, Vec<&'static str>)> = self
            .routes
            .iter()
            .filter(|(template, _)| matches(template, &parts))
            .collect();
        let (specific, methods) = matching
            .iter()
            .max_by_key(|(template, _)| literals(template))?;
        let served = |methods: &[&str]| methods.contains(&method);
        let shadowing = matching
            .iter()
            .any(|(template, m)| literals(template) < literals(specific) && served(m));
        (!served(methods) && shadowing).then(|| methods.clone())
    }
}

fn literals(template: &[Segment]) -> usize {
    template
        .iter()
        .filter(|s| matches!(s, Segment::Literal(_)))
        .count()
}

const ORDER: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

fn matches(template: &[Segment], parts: &[&str]) -> bool {
    template.len() == parts.len()
        && template.iter().zip(parts).all(|(t, p)| match t {
            Segment::Literal(l) => l == p,
            Segment::Parameter => !p.is_empty(),
        })
}

fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, served)| served.then_some(method))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments_and_methods_are_merged() {
        let known = KnownRoutes::from_openapi(&crate::openapi::openapi());
        assert_eq!(known.allowed("/api/"), vec!["GET"]);
        assert_eq!(known.allowed("/api/cell/7"), vec!["GET", "PUT", "DELETE"]);
        assert!(known.allowed("/api/cell/7/nothing").is_empty());
        assert!(known.allowed("/api/cell").is_empty());
        assert!(known.allowed("/api/cell//").is_empty());
        assert_eq!(known.allowed("/api/cell/datas"), vec!["GET"]);
    }

    #[test]
    fn a_literal_path_is_not_shadowed_by_a_parameter_route() {
        let known = KnownRoutes::from_openapi(&crate::openapi::openapi());
        assert_eq!(known.shadowed("PUT", "/api/cell/datas"), Some(vec!["GET"]));
        assert_eq!(known.shadowed("DELETE", "/api/cell/id"), Some(vec!["GET"]));
        assert_eq!(known.shadowed("GET", "/api/cell/datas"), None);
        assert_eq!(known.shadowed("PUT", "/api/cell/7"), None);
        assert_eq!(known.shadowed("PUT", "/api/nothing"), None);
    }
}
