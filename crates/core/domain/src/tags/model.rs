use chrono::NaiveDateTime;

use crate::users::UserId;

pub const TAG_NOT_FOUND: &str = "Tag not found";
pub const DUPLICATE_TAG_NAME: &str = "Tag with this name already exists";

/// Upstream's message for an unknown id in a `tag_ids` list.
pub fn tag_id_not_found(id: i32) -> String {
    format!("Tag with ID {id} not found")
}

/// A tag (upstream `tag` table) with the number of cells carrying it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    /// Naive UTC, as upstream stores it.
    pub created_at: Option<NaiveDateTime>,
    pub created_by: Option<UserId>,
    pub cell_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTag {
    pub name: String,
    pub description: Option<String>,
    pub created_by: UserId,
}

/// `None` leaves a field as it is; `description: Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}
