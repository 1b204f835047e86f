use async_trait::async_trait;

use super::model::{Cell, CellChanges, CellFilter, Member, NewCell};
use crate::DomainError;
use crate::access::CellFactsSource;
use crate::tags::Tag;
use crate::users::UserId;

/// Cells, their tags and their members (upstream `cell`, `cell_tag`, `cell_user`).
///
/// Errors: `NotFound("Cell not found")` for an unknown cell id; `Unavailable` when the
/// store cannot be reached in time; `Internal` otherwise, unless a method says more. Every
/// method is one transaction: nothing is half-written.
#[async_trait]
pub trait CellRepository: CellFactsSource {
    /// Stores the cell, its owner as first member, and its tags.
    /// Errors: `Conflict(DuplicateName, DUPLICATE_CELL_NAME)`;
    /// `NotFound("Tag with ID <id> not found")`.
    async fn create(&self, new: NewCell) -> Result<Cell, DomainError>;

    async fn get(&self, id: i32) -> Result<Cell, DomainError>;

    /// The cells matching every set filter, ordered by id.
    async fn list(&self, filter: CellFilter) -> Result<Vec<Cell>, DomainError>;

    /// Errors: `Conflict(DuplicateName, DUPLICATE_CELL_NAME)`;
    /// `NotFound("Tag with ID <id> not found")`.
    async fn update(&self, id: i32, changes: CellChanges) -> Result<Cell, DomainError>;

    /// Deletes the cell with everything that hangs off it: its measurements (power, TEROS,
    /// sensors and their data), memberships and tag links.
    async fn delete(&self, id: i32) -> Result<(), DomainError>;

    /// The cell's tags, ordered by id.
    async fn tags(&self, id: i32) -> Result<Vec<Tag>, DomainError>;

    /// Replaces the cell's tags. Errors: `NotFound("Tag with ID <id> not found")`.
    async fn set_tags(&self, id: i32, tag_ids: &[i32]) -> Result<Vec<Tag>, DomainError>;

    /// Errors: `NotFound("Tag not found")`;
    /// `Conflict(AlreadyLinked, "Tag already assigned to cell")`.
    async fn add_tag(&self, id: i32, tag_id: i32) -> Result<Tag, DomainError>;

    /// Errors: `NotFound("Tag not found")`; `NotFound("Tag not assigned to this cell")`.
    async fn remove_tag(&self, id: i32, tag_id: i32) -> Result<(), DomainError>;

    /// The cell's members (the owner included), ordered by e-mail.
    async fn members(&self, id: i32) -> Result<Vec<Member>, DomainError>;

    /// Replaces the members; the owner always stays one.
    /// Errors: `NotFound("User with ID <id> not found")`.
    async fn set_members(&self, id: i32, users: &[UserId]) -> Result<Vec<Member>, DomainError>;

    /// Errors: `NotFound("User not found")`;
    /// `Conflict(AlreadyLinked, "User already assigned to cell")`.
    async fn add_member(&self, id: i32, user: UserId) -> Result<Member, DomainError>;

    /// Errors: `NotFound("User not found")`; `NotFound("User not assigned to this cell")`;
    /// `Conflict(OwnerStays)` for the owner (who cannot lose access to their own cell).
    async fn remove_member(&self, id: i32, user: UserId) -> Result<(), DomainError>;

    /// The member with this exact e-mail address, or `None` when no user has it.
    async fn find_user_by_email(&self, email: &str) -> Result<Option<Member>, DomainError>;

    /// A user as members are shown. Errors: `NotFound("User not found")`.
    async fn user(&self, user: UserId) -> Result<Member, DomainError>;
}
