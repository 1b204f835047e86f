//! The STA entities, as our data gives them.

use chrono::NaiveDateTime;

use super::filter::Value;
use super::ids::{ObservationId, SeriesKey, Slot};

/// The eight entity sets of STA 1.1 Part 1 (Sensing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntitySet {
    Things,
    Locations,
    HistoricalLocations,
    Datastreams,
    Sensors,
    ObservedProperties,
    Observations,
    FeaturesOfInterest,
}

impl EntitySet {
    pub const ALL: [EntitySet; 8] = [
        Self::Things,
        Self::Locations,
        Self::HistoricalLocations,
        Self::Datastreams,
        Self::Sensors,
        Self::ObservedProperties,
        Self::Observations,
        Self::FeaturesOfInterest,
    ];

    /// The set's name in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Things => "Things",
            Self::Locations => "Locations",
            Self::HistoricalLocations => "HistoricalLocations",
            Self::Datastreams => "Datastreams",
            Self::Sensors => "Sensors",
            Self::ObservedProperties => "ObservedProperties",
            Self::Observations => "Observations",
            Self::FeaturesOfInterest => "FeaturesOfInterest",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The navigation properties of an entity of this set: `(name, target set, to-many)`.
    pub fn navigation(self) -> &'static [(&'static str, EntitySet, bool)] {
        use EntitySet as S;
        match self {
            S::Things => &[
                ("Locations", S::Locations, true),
                ("HistoricalLocations", S::HistoricalLocations, true),
                ("Datastreams", S::Datastreams, true),
            ],
            S::Locations => &[
                ("Things", S::Things, true),
                ("HistoricalLocations", S::HistoricalLocations, true),
            ],
            S::HistoricalLocations => &[
                ("Thing", S::Things, false),
                ("Locations", S::Locations, true),
            ],
            S::Datastreams => &[
                ("Thing", S::Things, false),
                ("Sensor", S::Sensors, false),
                ("ObservedProperty", S::ObservedProperties, false),
                ("Observations", S::Observations, true),
            ],
            S::Sensors | S::ObservedProperties => &[("Datastreams", S::Datastreams, true)],
            S::Observations => &[
                ("Datastream", S::Datastreams, false),
                ("FeatureOfInterest", S::FeaturesOfInterest, false),
            ],
            S::FeaturesOfInterest => &[("Observations", S::Observations, true)],
        }
    }

    /// The navigation property `name` of this set, if any.
    pub fn navigate(self, name: &str) -> Option<(EntitySet, bool)> {
        self.navigation()
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, set, many)| (*set, *many))
    }

    /// The plain properties `$select` and `$orderby` may name (besides `id`).
    pub fn properties(self) -> &'static [&'static str] {
        match self {
            Self::Things => &["name", "description", "properties"],
            Self::Locations => &["name", "description", "encodingType", "location"],
            Self::HistoricalLocations => &["time"],
            Self::Datastreams => &[
                "name",
                "description",
                "unitOfMeasurement",
                "observationType",
                "phenomenonTime",
                "properties",
            ],
            Self::Sensors => &["name", "description", "encodingType", "metadata"],
            Self::ObservedProperties => &["name", "definition", "description"],
            Self::Observations => &["phenomenonTime", "resultTime", "result"],
            Self::FeaturesOfInterest => &["name", "description", "encodingType", "feature"],
        }
    }
}

/// A cell: a Thing, its Location (when it has coordinates) and its FeatureOfInterest.
#[derive(Debug, Clone, PartialEq)]
pub struct StaCell {
    pub id: i32,
    pub name: String,
    /// The cell's free-text location.
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub archive: bool,
    /// Tag names, sorted.
    pub tags: Vec<String>,
}

impl StaCell {
    /// `[longitude, latitude]` (GeoJSON order), when both are known.
    pub fn point(&self) -> Option<[f64; 2]> {
        Some([self.longitude?, self.latitude?])
    }
}

/// One series of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Datastream {
    pub key: SeriesKey,
    pub cell_id: i32,
    pub cell_name: String,
    /// The generic sensor's name (`power`, `teros12` for the legacy tables).
    pub sensor_name: String,
    pub measurement: String,
    pub unit: String,
    /// Integer values (`data_type = int`).
    pub integer: bool,
    /// The smallest sensor id with this sensor's name (generic sensors): what its
    /// [`Sensor`] id is derived from.
    pub sensor_group: i32,
    /// The smallest sensor id with this measurement (generic sensors): what its
    /// [`ObservedProperty`] id is derived from.
    pub property_group: i32,
    /// The first and last device timestamps; `None` without rows.
    pub span: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl Datastream {
    pub fn id(&self) -> i64 {
        self.key.id()
    }

    pub fn name(&self) -> String {
        format!(
            "{} {} {}",
            self.cell_name, self.sensor_name, self.measurement
        )
    }

    pub fn sensor(&self) -> Sensor {
        let (id, name) = match self.key.slot {
            Slot::Sensor => (
                SeriesKey::new(self.sensor_group, Slot::Sensor).id(),
                self.sensor_name.clone(),
            ),
            slot if slot.is_power() => (1, "power".to_owned()),
            _ => (2, "teros12".to_owned()),
        };
        Sensor { id, name }
    }

    pub fn observed_property(&self) -> ObservedProperty {
        let id = match self.key.slot {
            Slot::Sensor => SeriesKey::new(self.property_group, Slot::Sensor).id(),
            slot => slot as i64,
        };
        ObservedProperty {
            id,
            name: self.measurement.clone(),
        }
    }
}

/// A kind of sensor (a logger's power channel, a TEROS-12, a generic sensor name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensor {
    pub id: i64,
    pub name: String,
}

/// A measured quantity (voltage, vwc, each generic measurement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedProperty {
    pub id: i64,
    pub name: String,
}

/// One value of one stored row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub id: ObservationId,
    pub series: SeriesKey,
    /// The device time.
    pub phenomenon_time: NaiveDateTime,
    /// The server receive time, when recorded.
    pub result_time: Option<NaiveDateTime>,
    pub result: f64,
}

/// No cell moves, so there are none; the type keeps the entity set honest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoricalLocation {}

/// One entity of any set.
#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    Thing(StaCell),
    Location(StaCell),
    HistoricalLocation(HistoricalLocation),
    Datastream(Datastream),
    Sensor(Sensor),
    ObservedProperty(ObservedProperty),
    Observation(Observation),
    FeatureOfInterest(StaCell),
}

impl Entity {
    pub fn set(&self) -> EntitySet {
        match self {
            Self::Thing(_) => EntitySet::Things,
            Self::Location(_) => EntitySet::Locations,
            Self::HistoricalLocation(_) => EntitySet::HistoricalLocations,
            Self::Datastream(_) => EntitySet::Datastreams,
            Self::Sensor(_) => EntitySet::Sensors,
            Self::ObservedProperty(_) => EntitySet::ObservedProperties,
            Self::Observation(_) => EntitySet::Observations,
            Self::FeatureOfInterest(_) => EntitySet::FeaturesOfInterest,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Self::Thing(c) | Self::Location(c) | Self::FeatureOfInterest(c) => i64::from(c.id),
            Self::HistoricalLocation(never) => match *never {},
            Self::Datastream(d) => d.id(),
            Self::Sensor(s) => s.id,
            Self::ObservedProperty(p) => p.id,
            Self::Observation(o) => o.id.id(),
        }
    }

    /// The value of a property `$filter` and `$orderby` can compare (`id`, names,
    /// times, `result`); `None` when this set has no such property.
    pub fn property(&self, name: &str) -> Option<Value> {
        if name == "id" {
            return Some(Value::Number(self.id() as f64));
        }
        match (self, name) {
            (Self::Thing(c) | Self::Location(c) | Self::FeatureOfInterest(c), "name") => {
                Some(Value::Text(c.name.clone()))
            }
            (Self::Datastream(d), "name") => Some(Value::Text(d.name())),
            (Self::Datastream(d), "phenomenonTime") => {
                Some(d.span.map_or(Value::Null, |(start, _)| Value::Time(start)))
            }
            (Self::Sensor(s), "name") => Some(Value::Text(s.name.clone())),
            (Self::ObservedProperty(p), "name") => Some(Value::Text(p.name.clone())),
            (Self::Observation(o), "phenomenonTime") => Some(Value::Time(o.phenomenon_time)),
            (Self::Observation(o), "resultTime") => {
                Some(o.result_time.map_or(Value::Null, Value::Time))
            }
            (Self::Observation(o), "result") => Some(Value::Number(o.result)),
            _ => None,
        }
    }
}
