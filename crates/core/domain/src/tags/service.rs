use std::sync::Arc;

use super::model::{NewTag, Tag, TagChanges};
use super::ports::TagRepository;
use crate::DomainError;
use crate::access::{AccessPolicy, Action, ResourceFacts, ResourceKind, authorize, require_caller};
use crate::auth::{Caller, NO_CREDENTIALS};
use crate::cells::{Cell, CellFilter, CellRepository};

/// The tag use cases.
#[derive(Clone)]
pub struct TagService {
    tags: Arc<dyn TagRepository>,
    cells: Arc<dyn CellRepository>,
    policy: AccessPolicy,
}

impl TagService {
    pub fn new(
        tags: Arc<dyn TagRepository>,
        cells: Arc<dyn CellRepository>,
        policy: AccessPolicy,
    ) -> Self {
        Self {
            tags,
            cells,
            policy,
        }
    }

    /// Tags themselves are public vocabulary.
    pub async fn list(&self, search: Option<&str>) -> Result<Vec<Tag>, DomainError> {
        self.tags.list(search).await
    }

    pub async fn get(&self, id: i32) -> Result<Tag, DomainError> {
        self.tags.get(id).await
    }

    /// The creator becomes the owner (`created_by`).
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        name: String,
        description: Option<String>,
    ) -> Result<Tag, DomainError> {
        let caller = require_caller(caller)?;
        self.tags
            .create(NewTag {
                name,
                description,
                created_by: caller.user_id,
            })
            .await
    }

    async fn check_owner(&self, caller: Option<&Caller>, id: i32) -> Result<(), DomainError> {
        let tag = self.tags.get(id).await?;
        let facts = ResourceFacts::new(ResourceKind::Tag, tag.created_by, Vec::new());
        authorize(self.policy, caller, Action::Write, &facts)
    }

    pub async fn update(
        &self,
        caller: Option<&Caller>,
        id: i32,
        changes: TagChanges,
    ) -> Result<Tag, DomainError> {
        self.check_owner(caller, id).await?;
        self.tags.update(id, changes).await
    }

    pub async fn delete(&self, caller: Option<&Caller>, id: i32) -> Result<(), DomainError> {
        self.check_owner(caller, id).await?;
        self.tags.delete(id).await
    }

    /// The tag and its cells; without `access.public_read`, only the cells the caller may
    /// read.
    pub async fn cells(
        &self,
        caller: Option<&Caller>,
        id: i32,
    ) -> Result<(Tag, Vec<Cell>), DomainError> {
        let (tag, mut cells) = self.tags.cells(id).await?;
        if !self.policy.public_read {
            let caller =
                caller.ok_or_else(|| DomainError::Unauthenticated(NO_CREDENTIALS.to_owned()))?;
            let visible: Vec<i32> = self
                .cells
                .list(CellFilter {
                    member: Some(caller.user_id),
                    ..CellFilter::default()
                })
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            cells.retain(|c| visible.contains(&c.id));
        }
        Ok((tag, cells))
    }
}
