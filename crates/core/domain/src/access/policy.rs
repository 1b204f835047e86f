use super::scope::{Operation, check_scope};
use crate::DomainError;
use crate::auth::{Caller, NO_CREDENTIALS};
use crate::users::UserId;

/// Deployment-wide settings of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Anyone may read cells and their data (DirtViz is a public dashboard).
    pub public_read: bool,
}

impl Default for AccessPolicy {
    fn default() -> Self {
        Self { public_read: true }
    }
}

/// What kind of thing is being accessed (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Cell,
    Logger,
    Tag,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cell => "cell",
            Self::Logger => "logger",
            Self::Tag => "tag",
        }
    }
}

/// What the caller wants to do with one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read it and its data.
    Read,
    /// Change or delete it, or its tags.
    Write,
    /// Upload measurements to it (the only action an ingest-scoped API key may take).
    Ingest,
    /// See who its members are (e-mail addresses: members only, never an ingest key).
    ListMembers,
    /// Share it, or change who its members are.
    ManageMembers,
}

impl Action {
    /// What the scope rule calls this action: uploading, or using the account.
    pub fn operation(self) -> Operation {
        match self {
            Self::Ingest => Operation::Upload,
            Self::Read | Self::Write | Self::ListMembers | Self::ManageMembers => {
                Operation::UseAccount
            }
        }
    }
}

/// Who owns the resource and who it was shared with. A tag has its creator as owner and no
/// members. A resource without an owner (rows from upstream, created without `userEmail`)
/// can be read but not changed by anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceFacts {
    pub kind: ResourceKind,
    pub owner: Option<UserId>,
    pub members: Vec<UserId>,
}

impl ResourceFacts {
    pub fn new(kind: ResourceKind, owner: Option<UserId>, members: Vec<UserId>) -> Self {
        Self {
            kind,
            owner,
            members,
        }
    }

    fn is_owner(&self, user: UserId) -> bool {
        self.owner == Some(user)
    }

    fn is_member(&self, user: UserId) -> bool {
        self.members.contains(&user)
    }
}

/// Whether `caller` may take `action` on the resource described by `facts`. The caller's
/// credential must allow the action's operation (the scope table, [`super::permits`]) even
/// where anonymous callers may read: an ingest key reads nothing.
/// Errors: `Unauthenticated(NO_CREDENTIALS)` when an anonymous caller needs to identify
/// itself (401); `Forbidden` when the identified caller may not (403).
pub fn authorize(
    policy: AccessPolicy,
    caller: Option<&Caller>,
    action: Action,
    facts: &ResourceFacts,
) -> Result<(), DomainError> {
    if let Some(caller) = caller {
        check_scope(caller, action.operation())?;
    }
    if action == Action::Read && policy.public_read {
        return Ok(());
    }
    let caller = caller.ok_or_else(|| DomainError::Unauthenticated(NO_CREDENTIALS.to_owned()))?;
    let user = caller.user_id;
    let allowed = match action {
        Action::Read | Action::Write | Action::Ingest | Action::ListMembers => {
            facts.is_owner(user) || facts.is_member(user)
        }
        Action::ManageMembers => facts.is_owner(user),
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden(denial(action, facts.kind)))
    }
}

/// The identified caller, for actions that need one but concern no existing resource
/// (creating a cell, logger or tag: the caller becomes the owner — never a `userEmail`
/// from the body, D-15). An ingest-only key creates nothing.
/// Errors: `Unauthenticated(NO_CREDENTIALS)`; `Forbidden(INGEST_KEY_ONLY)`.
pub fn require_caller(caller: Option<&Caller>) -> Result<&Caller, DomainError> {
    let caller = caller.ok_or_else(|| DomainError::Unauthenticated(NO_CREDENTIALS.to_owned()))?;
    check_scope(caller, Operation::UseAccount)?;
    Ok(caller)
}

fn denial(action: Action, kind: ResourceKind) -> String {
    let kind = kind.as_str();
    match action {
        Action::Read | Action::ListMembers => format!("You do not have access to this {kind}"),
        Action::Write | Action::Ingest => {
            format!("You do not have permission to modify this {kind}")
        }
        Action::ManageMembers => format!("Only the owner may share this {kind}"),
    }
}
