use async_trait::async_trait;
use chrono::NaiveDateTime;

use super::filter::Filter;
use super::ids::ObservationId;
use super::model::{Datastream, Observation, StaCell};
use crate::DomainError;
use crate::users::UserId;

/// Which cells a request may see (`access.public_read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaScope {
    /// Every cell (public reads).
    All,
    /// The cells this user owns or is a member of (private mode).
    Member(UserId),
    /// None (private mode, anonymous caller).
    Nothing,
}

/// One keyset page of a Datastream's Observations.
#[derive(Debug, Clone, Copy)]
pub struct ObservationPage<'a> {
    /// Start strictly after this `(phenomenonTime, row id)` in the page's order.
    pub after: Option<(NaiveDateTime, i32)>,
    /// Newest first.
    pub descending: bool,
    pub limit: usize,
    /// Checked against `EntitySet::Observations`.
    pub filter: Option<&'a Filter>,
}

/// The STA view of the stored data (PostgreSQL).
///
/// Observations are the rows of a series with a value (rows whose value is NULL are not
/// Observations), ordered by `(device time, row id)`. Errors: `Unavailable` when the store
/// cannot answer in time; `Internal` otherwise. An unknown id is `Ok(None)`, never an error.
#[async_trait]
pub trait StaRepository: Send + Sync + 'static {
    /// The cells the scope may see (never called with [`StaScope::Nothing`]), by id.
    async fn cells(&self, scope: StaScope) -> Result<Vec<StaCell>, DomainError>;

    /// The series of those cells, by Datastream id: power and TEROS when the cell has
    /// such rows, every numeric generic sensor, each with its time span.
    async fn datastreams(&self, scope: StaScope) -> Result<Vec<Datastream>, DomainError>;

    /// At most `page.limit` Observations of `stream`, in order, read with a keyset
    /// (the cost does not grow with how far into the series the page is).
    async fn observations(
        &self,
        stream: &Datastream,
        page: ObservationPage<'_>,
    ) -> Result<Vec<Observation>, DomainError>;

    /// How many Observations of `stream` pass `filter`.
    async fn count_observations(
        &self,
        stream: &Datastream,
        filter: Option<&Filter>,
    ) -> Result<i64, DomainError>;

    /// One Observation by id (whatever its cell: the caller checks visibility).
    async fn observation(&self, id: ObservationId) -> Result<Option<Observation>, DomainError>;
}
