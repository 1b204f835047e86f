//! Reading measurement series: the column-array answers of `/api/power/<id>`,
//! `/api/teros/<id>` and `/api/sensor/`, data availability, the sensor catalog
//! (docs/compatibility.md#reading-data).
//!
//! The query is a [`SeriesQuery`]: a closed time range on the device timestamp and a
//! [`ReadMode`] (raw rows, the server-time stream, or time buckets). Every answer is a list
//! of [`Point`]s in time order; a raw row is a bucket of one, so the HTTP layer shapes both
//! the same way and the opt-in per-bucket statistics come for free.
//!
//! Units are the ones the clients read: power in mV, µA and µW; TEROS VWC in percent,
//! normalised once per row before any averaging (fix of D-49).

mod availability;
mod catalog;
mod model;
mod ports;
mod resample;
mod time;

#[cfg(test)]
mod tests;

pub use availability::{Availability, RECENT_DAYS, parse_cell_ids};
pub use catalog::{CatalogEntry, CatalogFacts, CatalogSensor, catalog_entries};
pub use model::{
    Fields, Point, ReadMode, SensorInfo, SensorKind, SensorSeries, SeriesQuery, Stats, TimeRange,
};
pub use ports::SeriesRepository;
pub use resample::{Resample, RollupWidth};
pub use time::{DEFAULT_RANGE_DAYS, format_http_date, parse_time};
