//! Cells: the registry of field sites (docs/compatibility.md#registry). Reading is public by
//! default; writes go through the access policy (`crate::access`), in [`CellService`].

mod model;
mod ports;
mod service;

pub use model::{
    CELL_NOT_FOUND, Cell, CellChanges, CellFilter, DUPLICATE_CELL_NAME, Member, NewCell,
};
pub use ports::CellRepository;
pub use service::{CellService, ShareOutcome};
