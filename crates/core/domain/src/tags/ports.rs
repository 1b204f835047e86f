use async_trait::async_trait;

use super::model::{NewTag, Tag, TagChanges};
use crate::DomainError;
use crate::cells::Cell;

/// Tags (upstream `tag`, linked to cells through `cell_tag`).
///
/// Errors: `NotFound("Tag not found")` for an unknown id where noted; `Unavailable` when the
/// store cannot be reached in time; `Internal` otherwise. Nothing is half-written.
#[async_trait]
pub trait TagRepository: Send + Sync + 'static {
    /// Errors: `Conflict(DuplicateName, DUPLICATE_TAG_NAME)`.
    async fn create(&self, new: NewTag) -> Result<Tag, DomainError>;

    /// Errors: `NotFound`.
    async fn get(&self, id: i32) -> Result<Tag, DomainError>;

    /// Tags whose name contains `search` (case-insensitive), or all; ordered by id.
    async fn list(&self, search: Option<&str>) -> Result<Vec<Tag>, DomainError>;

    /// Errors: `NotFound`; `Conflict(DuplicateName, DUPLICATE_TAG_NAME)`.
    async fn update(&self, id: i32, changes: TagChanges) -> Result<Tag, DomainError>;

    /// Deletes the tag and its links to cells. Errors: `NotFound`.
    async fn delete(&self, id: i32) -> Result<(), DomainError>;

    /// The tag and the cells carrying it, ordered by id. Errors: `NotFound`.
    async fn cells(&self, id: i32) -> Result<(Tag, Vec<Cell>), DomainError>;
}
