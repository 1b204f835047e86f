//! The [`CellRepository`] port, delegating to the files that do each part.

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::cells::{Cell, CellChanges, CellFilter, CellRepository, Member, NewCell};
use ents_domain::tags::Tag;
use ents_domain::users::UserId;

use super::PgCellRepository;

#[async_trait]
impl CellRepository for PgCellRepository {
    async fn create(&self, new: NewCell) -> Result<Cell, DomainError> {
        self.create_cell(new).await
    }

    async fn get(&self, id: i32) -> Result<Cell, DomainError> {
        self.get_cell(id).await
    }

    async fn list(&self, filter: CellFilter) -> Result<Vec<Cell>, DomainError> {
        self.list_cells(filter).await
    }

    async fn update(&self, id: i32, changes: CellChanges) -> Result<Cell, DomainError> {
        self.update_cell(id, changes).await
    }

    async fn delete(&self, id: i32) -> Result<(), DomainError> {
        self.delete_cell(id).await
    }

    async fn tags(&self, id: i32) -> Result<Vec<Tag>, DomainError> {
        self.cell_tags(id).await
    }

    async fn set_tags(&self, id: i32, tag_ids: &[i32]) -> Result<Vec<Tag>, DomainError> {
        self.set_cell_tags(id, tag_ids).await
    }

    async fn add_tag(&self, id: i32, tag_id: i32) -> Result<Tag, DomainError> {
        self.add_cell_tag(id, tag_id).await
    }

    async fn remove_tag(&self, id: i32, tag_id: i32) -> Result<(), DomainError> {
        self.remove_cell_tag(id, tag_id).await
    }

    async fn members(&self, id: i32) -> Result<Vec<Member>, DomainError> {
        self.cell_members(id).await
    }

    async fn set_members(&self, id: i32, users: &[UserId]) -> Result<Vec<Member>, DomainError> {
        self.set_cell_members(id, users).await
    }

    async fn add_member(&self, id: i32, user: UserId) -> Result<Member, DomainError> {
        self.add_cell_member(id, user).await
    }

    async fn remove_member(&self, id: i32, user: UserId) -> Result<(), DomainError> {
        self.remove_cell_member(id, user).await
    }

    async fn find_user_by_email(&self, email: &str) -> Result<Option<Member>, DomainError> {
        self.member_by_email(email).await
    }

    async fn user(&self, user: UserId) -> Result<Member, DomainError> {
        self.member(user).await
    }
}
