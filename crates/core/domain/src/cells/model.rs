use crate::users::UserId;

/// Upstream's messages for cells, which the dashboard shows.
pub const CELL_NOT_FOUND: &str = "Cell not found";
pub const DUPLICATE_CELL_NAME: &str = "Duplicate cell name";

/// A cell (upstream `cell` table). `owner` is the creator: never shown in responses (as
/// upstream) but the base of the access policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub id: i32,
    pub name: String,
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub archive: bool,
    pub owner: Option<UserId>,
}

/// A cell to create: the owner is the caller (never a `userEmail`), who also becomes its first
/// member; `tag_ids` are linked in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCell {
    pub name: String,
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub archive: bool,
    pub owner: UserId,
    pub tag_ids: Vec<i32>,
}

/// Changes to a cell: `None` leaves a field as it is; `Some(None)` clears a nullable one.
/// `tag_ids`, when given, replaces all of the cell's tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellChanges {
    pub name: Option<String>,
    pub location: Option<Option<String>>,
    pub latitude: Option<Option<f64>>,
    pub longitude: Option<Option<f64>>,
    pub archive: Option<bool>,
    pub tag_ids: Option<Vec<i32>>,
}

/// Which cells to list (`GET /api/cell/`): all filters that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellFilter {
    /// Case-insensitive substring of the name (`%` and `_` are literal here).
    pub name: Option<String>,
    /// Only cells this user owns or is a member of.
    pub member: Option<UserId>,
    /// Only cells having any of these tags (empty: no filter).
    pub any_tag: Vec<i32>,
}

/// A member of a cell as other users may see it: never a key, hash or token
/// (upstream returned plaintext API keys here, D-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: UserId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}
