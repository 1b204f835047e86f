use std::sync::Arc;

use super::model::{Cell, CellChanges, CellFilter, Member, NewCell};
use super::ports::CellRepository;
use crate::access::{AccessPolicy, Action, authorize, authorize_cells, require_caller};
use crate::auth::Caller;
use crate::tags::Tag;
use crate::users::UserId;
use crate::{ConflictKind, DomainError};

/// Upstream's share messages, which the dashboard shows.
pub const EMAIL_REQUIRED: &str = "email is required";
pub const EMAIL_EMPTY: &str = "email cannot be empty";
pub const ALREADY_MEMBER: &str = "User already has access to this cell";

/// What `share` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareOutcome {
    pub member: Member,
}

/// The cell use cases: each loads the facts the policy needs, asks it, then acts.
#[derive(Clone)]
pub struct CellService {
    repo: Arc<dyn CellRepository>,
    policy: AccessPolicy,
}

impl CellService {
    pub fn new(repo: Arc<dyn CellRepository>, policy: AccessPolicy) -> Self {
        Self { repo, policy }
    }

    /// Errors: `NotFound("Cell not found")`, then the policy's.
    async fn check(
        &self,
        caller: Option<&Caller>,
        action: Action,
        id: i32,
    ) -> Result<(), DomainError> {
        let facts = self.repo.cell_facts(&[id]).await?;
        for facts in &facts {
            authorize(self.policy, caller, action, facts)?;
        }
        Ok(())
    }

    /// Whether `caller` may read the data and metadata of every listed cell (series,
    /// availability, catalog, sensors): anyone while `access.public_read` is on (a credential
    /// still within its scope: never an ingest key); otherwise an owner or member of each.
    /// Ids below 1 name no cell and need nothing more than an identified caller.
    /// Errors: `Unauthenticated` (anonymous, private mode); `Forbidden`; `NotFound("Cell not
    /// found")` for an unknown id in private mode.
    pub async fn authorize_data_read(
        &self,
        caller: Option<&Caller>,
        cell_ids: &[i32],
    ) -> Result<(), DomainError> {
        let cells: Vec<i32> = cell_ids.iter().copied().filter(|id| *id > 0).collect();
        authorize_cells(self.policy, caller, Action::Read, &*self.repo, &cells).await
    }

    /// Reads that are public unless `access.public_read` is off; then only the cells the
    /// caller owns or is a member of are visible.
    fn visible(
        &self,
        caller: Option<&Caller>,
        mut filter: CellFilter,
    ) -> Result<CellFilter, DomainError> {
        if !self.policy.public_read {
            let caller = caller.ok_or_else(|| {
                DomainError::Unauthenticated(crate::auth::NO_CREDENTIALS.to_owned())
            })?;
            filter.member = Some(caller.user_id);
        }
        Ok(filter)
    }

    /// `GET /api/cell/id` and `GET /api/cell/` (with `mine` for `?user=`).
    pub async fn list(
        &self,
        caller: Option<&Caller>,
        filter: CellFilter,
    ) -> Result<Vec<Cell>, DomainError> {
        let filter = self.visible(caller, filter)?;
        self.repo.list(filter).await
    }

    pub async fn get(&self, caller: Option<&Caller>, id: i32) -> Result<Cell, DomainError> {
        self.check(caller, Action::Read, id).await?;
        self.repo.get(id).await
    }

    /// Creates a cell owned by the caller (never by a `userEmail` from the body).
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        mut new: NewCell,
    ) -> Result<Cell, DomainError> {
        new.owner = require_caller(caller)?.user_id;
        self.repo.create(new).await
    }

    pub async fn update(
        &self,
        caller: Option<&Caller>,
        id: i32,
        changes: CellChanges,
    ) -> Result<Cell, DomainError> {
        self.check(caller, Action::Write, id).await?;
        self.repo.update(id, changes).await
    }

    pub async fn delete(&self, caller: Option<&Caller>, id: i32) -> Result<(), DomainError> {
        self.check(caller, Action::Write, id).await?;
        self.repo.delete(id).await
    }

    pub async fn tags(&self, caller: Option<&Caller>, id: i32) -> Result<Vec<Tag>, DomainError> {
        self.check(caller, Action::Read, id).await?;
        self.repo.tags(id).await
    }

    pub async fn set_tags(
        &self,
        caller: Option<&Caller>,
        id: i32,
        tag_ids: &[i32],
    ) -> Result<Vec<Tag>, DomainError> {
        self.check(caller, Action::Write, id).await?;
        self.repo.set_tags(id, tag_ids).await
    }

    pub async fn add_tag(
        &self,
        caller: Option<&Caller>,
        id: i32,
        tag_id: i32,
    ) -> Result<Tag, DomainError> {
        self.check(caller, Action::Write, id).await?;
        self.repo.add_tag(id, tag_id).await
    }

    pub async fn remove_tag(
        &self,
        caller: Option<&Caller>,
        id: i32,
        tag_id: i32,
    ) -> Result<(), DomainError> {
        self.check(caller, Action::Write, id).await?;
        self.repo.remove_tag(id, tag_id).await
    }

    /// Who has access: visible to the owner and members only (e-mail addresses are
    /// personal data; upstream showed them, with API keys, to anyone, D-1).
    pub async fn members(
        &self,
        caller: Option<&Caller>,
        id: i32,
    ) -> Result<Vec<Member>, DomainError> {
        self.check(caller, Action::ListMembers, id).await?;
        self.repo.members(id).await
    }

    pub async fn set_members(
        &self,
        caller: Option<&Caller>,
        id: i32,
        users: &[UserId],
    ) -> Result<Vec<Member>, DomainError> {
        self.check(caller, Action::ManageMembers, id).await?;
        self.repo.set_members(id, users).await
    }

    pub async fn add_member(
        &self,
        caller: Option<&Caller>,
        id: i32,
        user: UserId,
    ) -> Result<Member, DomainError> {
        self.check(caller, Action::ManageMembers, id).await?;
        self.repo.add_member(id, user).await
    }

    pub async fn remove_member(
        &self,
        caller: Option<&Caller>,
        id: i32,
        user: UserId,
    ) -> Result<(), DomainError> {
        self.check(caller, Action::ManageMembers, id).await?;
        self.repo.remove_member(id, user).await
    }

    /// Shares the cell with the user who has this e-mail address, in upstream's order of
    /// checks: unknown cell, (then the policy), missing or empty e-mail (`BadRequest`),
    /// unknown user (`NotFound`), already a member (`Conflict(AlreadyLinked)`).
    pub async fn share(
        &self,
        caller: Option<&Caller>,
        id: i32,
        email: Option<&str>,
    ) -> Result<ShareOutcome, DomainError> {
        self.check(caller, Action::ManageMembers, id).await?;
        let email = email.ok_or_else(|| DomainError::BadRequest(EMAIL_REQUIRED.to_owned()))?;
        if email.trim().is_empty() {
            return Err(DomainError::BadRequest(EMAIL_EMPTY.to_owned()));
        }
        let user =
            self.repo.find_user_by_email(email).await?.ok_or_else(|| {
                DomainError::NotFound(format!("User with email {email} not found"))
            })?;
        self.repo
            .add_member(id, user.id)
            .await
            .map(|member| ShareOutcome { member })
            .map_err(|e| e.refine_conflict(ConflictKind::AlreadyLinked, ALREADY_MEMBER))
    }

    /// `GET /api/users/<uuid>/cells`: a user's own cells, for that user only.
    pub async fn cells_of_user(
        &self,
        caller: Option<&Caller>,
        user: UserId,
    ) -> Result<(Member, Vec<Cell>), DomainError> {
        let caller = require_caller(caller)?;
        if caller.user_id != user {
            return Err(DomainError::Forbidden(
                "You may only list your own cells".to_owned(),
            ));
        }
        let member = self.repo.user(user).await?;
        let cells = self
            .repo
            .list(CellFilter {
                member: Some(user),
                ..CellFilter::default()
            })
            .await?;
        Ok((member, cells))
    }
}
