use std::sync::Arc;

use async_trait::async_trait;

use super::policy::{AccessPolicy, Action, ResourceFacts, authorize};
use super::scope::check_scope;
use crate::DomainError;
use crate::auth::{Caller, NO_CREDENTIALS};

/// Who owns each cell and who it was shared with: what the policy needs to decide about
/// cells (implemented by the registry's store).
///
/// Errors: `NotFound("Cell not found")` when any listed id is unknown; `Unavailable` when
/// the store cannot be reached in time; `Internal` otherwise.
#[async_trait]
pub trait CellFactsSource: Send + Sync + 'static {
    /// The facts of each listed cell, in the order given.
    async fn cell_facts(&self, cell_ids: &[i32]) -> Result<Vec<ResourceFacts>, DomainError>;
}

/// [`authorize`] for every listed cell: `Ok` only when `caller` may take `action` on all of
/// them. Public reads need no lookup, and neither does a refusal that does not depend on the
/// cells (an anonymous caller, a credential out of scope), so that it cannot reveal which
/// cells exist. Errors: those of [`authorize`] and of the source.
pub async fn authorize_cells(
    policy: AccessPolicy,
    caller: Option<&Caller>,
    action: Action,
    source: &dyn CellFactsSource,
    cell_ids: &[i32],
) -> Result<(), DomainError> {
    if let Some(caller) = caller {
        check_scope(caller, action.operation())?;
    }
    if action == Action::Read && policy.public_read {
        return Ok(());
    }
    if caller.is_none() {
        return Err(DomainError::Unauthenticated(NO_CREDENTIALS.to_owned()));
    }
    for facts in source.cell_facts(cell_ids).await? {
        authorize(policy, caller, action, &facts)?;
    }
    Ok(())
}

/// The policy with the cell facts it decides on: how a service that acts on cells (exports,
/// imports) checks its caller, written once.
#[derive(Clone)]
pub struct CellAccess {
    policy: AccessPolicy,
    facts: Arc<dyn CellFactsSource>,
}

impl CellAccess {
    pub fn new(policy: AccessPolicy, facts: Arc<dyn CellFactsSource>) -> Self {
        Self { policy, facts }
    }

    /// [`authorize_cells`] with this policy and source.
    pub async fn authorize(
        &self,
        caller: Option<&Caller>,
        action: Action,
        cell_ids: &[i32],
    ) -> Result<(), DomainError> {
        authorize_cells(self.policy, caller, action, self.facts.as_ref(), cell_ids).await
    }
}
