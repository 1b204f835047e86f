//! STA resource paths: `Set`, `Set(id)`, `Set(id)/Navigation`, `Set(id)/property` and
//! `Set(id)/property/$value`.

use ents_domain::DomainError;
use ents_domain::sta::EntitySet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resource {
    /// The service root document.
    Root,
    Collection(EntitySet),
    Entity(EntitySet, i64),
    /// `Set(id)/Nav`: the target set, whether it is a collection.
    Related {
        set: EntitySet,
        id: i64,
        target: EntitySet,
        many: bool,
    },
    /// `Set(id)/property`, `raw` with `/$value`.
    Property {
        set: EntitySet,
        id: i64,
        name: String,
        raw: bool,
    },
}

fn not_found(path: &str) -> DomainError {
    DomainError::NotFound(format!("No SensorThings resource at '{path}'"))
}

/// `Set` or `Set(id)`.
fn segment(text: &str, whole: &str) -> Result<(EntitySet, Option<i64>), DomainError> {
    let (name, id) = match text.split_once('(') {
        Some((name, rest)) => {
            let inner = rest.strip_suffix(')').ok_or_else(|| not_found(whole))?;
            let id = inner.parse::<i64>().map_err(|_| {
                DomainError::BadRequest(format!("'{inner}' is not an id (ids are integers)"))
            })?;
            (name, Some(id))
        }
        None => (text, None),
    };
    let set = EntitySet::from_name(name).ok_or_else(|| not_found(whole))?;
    Ok((set, id))
}

pub(super) fn parse(path: &str) -> Result<Resource, DomainError> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(Resource::Root);
    }
    let parts: Vec<&str> = trimmed.split('/').collect();
    let (set, id) = segment(parts[0], path)?;
    let Some(id) = id else {
        return match parts.len() {
            1 => Ok(Resource::Collection(set)),
            _ => Err(not_found(path)),
        };
    };
    match parts.as_slice() {
        [_] => Ok(Resource::Entity(set, id)),
        [_, next] => match set.navigate(next) {
            Some((target, many)) => Ok(Resource::Related {
                set,
                id,
                target,
                many,
            }),
            None if *next == "id" || set.properties().contains(next) => Ok(Resource::Property {
                set,
                id,
                name: (*next).to_owned(),
                raw: false,
            }),
            None => Err(not_found(path)),
        },
        [_, name, "$value"] if *name == "id" || set.properties().contains(name) => {
            Ok(Resource::Property {
                set,
                id,
                name: (*name).to_owned(),
                raw: true,
            })
        }
        _ => Err(not_found(path)),
    }
}
