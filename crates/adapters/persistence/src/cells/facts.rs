//! Owners and members of cells, for the authorization policy: the [`CellFactsSource`] port.

use std::collections::HashMap;

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::access::{CellFactsSource, ResourceFacts, ResourceKind};
use ents_domain::users::UserId;
use uuid::Uuid;

use super::{CELL_NOT_FOUND, PgCellRepository};
use crate::schema::{cell, cell_user};

#[async_trait]
impl CellFactsSource for PgCellRepository {
    async fn cell_facts(&self, cell_ids: &[i32]) -> Result<Vec<ResourceFacts>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let owners: Vec<(i32, Option<Uuid>)> = cell::table
                    .filter(cell::id.eq_any(cell_ids))
                    .select((cell::id, cell::user_id))
                    .load(conn)
                    .await?;
                let members: Vec<(i32, Uuid)> = cell_user::table
                    .filter(cell_user::cell_id.eq_any(cell_ids))
                    .select((cell_user::cell_id, cell_user::user_id))
                    .load(conn)
                    .await?;
                let owners: HashMap<i32, Option<Uuid>> = owners.into_iter().collect();
                let mut by_cell: HashMap<i32, Vec<UserId>> = HashMap::new();
                for (cell_id, user_id) in members {
                    by_cell.entry(cell_id).or_default().push(UserId(user_id));
                }
                cell_ids
                    .iter()
                    .map(|id| {
                        let owner = owners
                            .get(id)
                            .ok_or_else(|| DomainError::NotFound(CELL_NOT_FOUND.to_owned()))?;
                        Ok(ResourceFacts::new(
                            ResourceKind::Cell,
                            owner.map(UserId),
                            by_cell.remove(id).unwrap_or_default(),
                        ))
                    })
                    .collect()
            })
            .await
    }
}
