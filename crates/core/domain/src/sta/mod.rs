//! A read-only OGC SensorThings API (STA) v1.1 view of the same tables (docs/sensorthings.md).
//!
//! Our model maps onto STA's without a copy: a cell is a Thing, its coordinates a Location
//! and its site the FeatureOfInterest; each series of a cell (power's voltage, current and
//! power, TEROS' four fields, each numeric generic sensor) is a Datastream whose
//! Observations are the stored rows. Ids are derived from ours ([`ids`]), so they are
//! stable. Small entity sets are built in memory; Observations are read keyset-paged through
//! [`StaRepository`], never loaded whole.

pub mod filter;
pub mod ids;
mod model;
mod options;
mod ports;
mod service;

#[cfg(test)]
mod tests;

pub use ids::{ObservationId, SeriesKey, Slot};
pub use model::{
    Datastream, Entity, EntitySet, HistoricalLocation, Observation, ObservedProperty, Sensor,
    StaCell,
};
pub use options::{DEFAULT_TOP, Expand, MAX_TOP, Order, OrderBy, QueryOptions};
pub use ports::{ObservationPage, StaRepository, StaScope};
pub use service::{NextPage, Page, StaService, View};
