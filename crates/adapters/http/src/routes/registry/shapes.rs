//! The JSON shapes of the registry, in upstream's key order (docs/compatibility.md#registry).

use ents_domain::cells::{Cell, Member};
use ents_domain::tags::Tag;
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::isoformat::isoformat;

/// A cell: `id, name, location, latitude, longitude, archive`, in this order (the owner is not
/// shown).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CellJson {
    id: i32,
    name: String,
    location: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    archive: bool,
}

impl From<Cell> for CellJson {
    fn from(c: Cell) -> Self {
        Self {
            id: c.id,
            name: c.name,
            location: c.location,
            latitude: c.latitude,
            longitude: c.longitude,
            archive: c.archive,
        }
    }
}

pub(crate) fn cells_json(cells: Vec<Cell>) -> Vec<CellJson> {
    cells.into_iter().map(CellJson::from).collect()
}

/// A tag: `cell_count, id, name, description, created_at`, in this order (the creator is not
/// shown).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TagJson {
    cell_count: i64,
    id: i32,
    name: String,
    description: Option<String>,
    /// Naive ISO 8601 (UTC), microseconds when non-zero.
    created_at: Option<String>,
}

impl From<Tag> for TagJson {
    fn from(t: Tag) -> Self {
        Self {
            cell_count: t.cell_count,
            id: t.id,
            name: t.name,
            description: t.description,
            created_at: t.created_at.map(isoformat),
        }
    }
}

pub(crate) fn tags_json(tags: Vec<Tag>) -> Vec<TagJson> {
    tags.into_iter().map(TagJson::from).collect()
}

/// A member of a cell: `id, first_name, last_name, email`. Never a key or other secret.
// Upstream's user shape also carried the member's plaintext `api_key` (D-1).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberJson {
    id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
}

impl From<Member> for MemberJson {
    fn from(m: Member) -> Self {
        Self {
            id: m.id.0.to_string(),
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
        }
    }
}

pub(crate) fn members_json(members: Vec<Member>) -> Vec<MemberJson> {
    members.into_iter().map(MemberJson::from).collect()
}

/// `POST /api/cell/` success, in upstream's key order (`json!` would sort the keys).
#[derive(Debug, Serialize)]
pub(crate) struct CellCreated {
    pub message: &'static str,
    pub id: i32,
    pub name: String,
}

/// `GET /api/tags/<id>/cells`: `{"tag": …, "cells": […]}`.
#[derive(Debug, Serialize)]
pub(crate) struct TagWithCells {
    pub tag: TagJson,
    pub cells: Vec<CellJson>,
}

/// `GET /api/users/<id>/cells`: `{"user": …, "cells": […]}`.
#[derive(Debug, Serialize)]
pub(crate) struct UserWithCells {
    pub user: MemberJson,
    pub cells: Vec<CellJson>,
}
