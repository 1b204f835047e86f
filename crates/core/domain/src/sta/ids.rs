//! Entity ids derived from ours, so they are stable and need no table.
//!
//! A Datastream is a series key (a cell id for the legacy tables, a sensor id for a generic
//! sensor) and a [`Slot`]: `id = key * 16 + slot`. An Observation is a stored row and a
//! slot: `id = row_id * 16 + slot` (a power row holds three Observations, a TEROS row four).

/// Which value of which table a series reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// A generic sensor's `data` rows (key: the sensor id).
    Sensor = 0,
    /// `power_data` (key: the cell id): voltage (mV), current (µA), power (µW).
    Voltage = 1,
    Current = 2,
    Power = 3,
    /// `teros_data` (key: the cell id): VWC (%), temperature (°C), EC (µS/cm), raw VWC.
    Vwc = 4,
    Temperature = 5,
    Ec = 6,
    RawVwc = 7,
}

const SLOTS: u64 = 16;

impl Slot {
    pub const POWER: [Slot; 3] = [Slot::Voltage, Slot::Current, Slot::Power];
    pub const TEROS: [Slot; 4] = [Slot::Vwc, Slot::Temperature, Slot::Ec, Slot::RawVwc];

    fn from_index(index: i64) -> Option<Self> {
        Some(match index {
            0 => Self::Sensor,
            1 => Self::Voltage,
            2 => Self::Current,
            3 => Self::Power,
            4 => Self::Vwc,
            5 => Self::Temperature,
            6 => Self::Ec,
            7 => Self::RawVwc,
            _ => return None,
        })
    }

    /// The slot's position among the fields of its table (`power_data`: 0..3,
    /// `teros_data`: 0..4, `data`: 0).
    pub fn field(self) -> usize {
        match self {
            Self::Sensor | Self::Voltage | Self::Vwc => 0,
            Self::Current | Self::Temperature => 1,
            Self::Power | Self::Ec => 2,
            Self::RawVwc => 3,
        }
    }

    /// `(measurement, unit)` of a legacy slot, in the units the series API answers in.
    pub fn legacy_property(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Self::Sensor => return None,
            Self::Voltage => ("voltage", "mV"),
            Self::Current => ("current", "µA"),
            Self::Power => ("power", "µW"),
            Self::Vwc => ("vwc", "%"),
            Self::Temperature => ("temperature", "°C"),
            Self::Ec => ("ec", "µS/cm"),
            Self::RawVwc => ("raw_vwc", "raw"),
        })
    }

    pub fn is_power(self) -> bool {
        Self::POWER.contains(&self)
    }
}

fn split(id: i64) -> Option<(i32, Slot)> {
    let id = u64::try_from(id).ok()?;
    let key = i32::try_from(id / SLOTS).ok()?;
    let slot = Slot::from_index(i64::try_from(id % SLOTS).ok()?)?;
    Some((key, slot))
}

fn join(key: i32, slot: Slot) -> i64 {
    i64::from(key) * SLOTS as i64 + slot as i64
}

/// A series: the Datastream's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    /// The cell id (legacy slots) or the sensor id ([`Slot::Sensor`]).
    pub key: i32,
    pub slot: Slot,
}

impl SeriesKey {
    pub fn new(key: i32, slot: Slot) -> Self {
        Self { key, slot }
    }

    /// The Datastream id.
    pub fn id(self) -> i64 {
        join(self.key, self.slot)
    }

    /// `None` for an id no series can have.
    pub fn from_id(id: i64) -> Option<Self> {
        split(id).map(|(key, slot)| Self { key, slot })
    }
}

/// An Observation: a stored row (of the table the slot names) and the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObservationId {
    pub row_id: i32,
    pub slot: Slot,
}

impl ObservationId {
    pub fn new(row_id: i32, slot: Slot) -> Self {
        Self { row_id, slot }
    }

    pub fn id(self) -> i64 {
        join(self.row_id, self.slot)
    }

    pub fn from_id(id: i64) -> Option<Self> {
        split(id).map(|(row_id, slot)| Self { row_id, slot })
    }
}
