//! The registry: cells, their tags and members, and tags (docs/compatibility.md#registry).
//! Handlers parse and validate, then call the domain use cases, which apply the access
//! policy (docs/compatibility.md#authorization).

mod body;
mod cell_tags;
mod cell_users;
mod cells;
mod shapes;
mod tags;

pub(crate) use cell_tags::{
    add_cell_tag, cells_by_tag, list_cell_tags, remove_cell_tag, set_cell_tags,
};
pub(crate) use cell_users::{
    add_cell_user, cells_of_user, list_cell_users, remove_cell_user, set_cell_users, share_cell,
};
pub(crate) use cells::{create_cell, delete_cell, get_cell, list_cells, public_cells, update_cell};
pub(crate) use tags::{create_tag, delete_tag, get_tag, list_tags, update_tag};

use ents_domain::cells::CellService;
use ents_domain::tags::TagService;

use crate::error::ApiError;

/// The registry use cases, built once by the composition root.
#[derive(Clone)]
pub struct Registry {
    pub cells: CellService,
    pub tags: TagService,
}

/// A numeric id from the path; anything else, and ids beyond `i32`, is an unknown route
/// (404), as upstream's `<int:…>` converters.
fn path_id(raw: &str) -> Result<i32, ApiError> {
    super::path_int::path_int(raw)?.ok_or(ApiError::RouteNotFound)
}
