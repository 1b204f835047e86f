//! Legacy uploads: one reading of one sensor kind (protobuf `Measurement`, or the flat JSON dict
//! of `/api/sensor_json/`).
//!
//! Kind structs carry the values with their protobuf types and units as sent; bme280 is the
//! exception, holding the scaled values (see [`Bme280::from_raw`]).

use super::legacy_layout::{data_fields, saturating_i32, sensor_layout};
use super::live::MeasurementReceived;
use super::rows::{PowerRow, SensorRow, StoredRow, TerosRow};
use super::value::{DataFields, SensorValue};
use super::{IngestError, Meta};

/// One legacy reading. Built only through [`LegacyMeasurement::new`], which refuses values that
/// cannot be stored, so [`LegacyMeasurement::stored_rows`] cannot fail.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyMeasurement {
    meta: Meta,
    kind: LegacyKind,
    data: DataFields,
}

impl LegacyMeasurement {
    /// Validates `kind` for storage: every float finite, every integer within PostgreSQL
    /// `integer`, and a logger id for `power` (its row references the logger).
    pub fn new(meta: Meta, kind: LegacyKind) -> Result<Self, IngestError> {
        if matches!(kind, LegacyKind::Power(_)) && meta.logger_id.is_none() {
            return Err(IngestError::MissingLoggerId);
        }
        let data = data_fields(&kind)?;
        Ok(Self { meta, kind, data })
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn kind(&self) -> &LegacyKind {
        &self.kind
    }

    /// The decoded `data` dict upstream worked on: protobuf JSON names, field order, device
    /// units (bme280 already scaled).
    pub fn data(&self) -> &DataFields {
        &self.data
    }

    /// The rows this reading writes, in upstream's insert order.
    pub fn stored_rows(&self) -> Vec<StoredRow> {
        let cell_id = self.meta.cell_id;
        let ts = self.meta.ts.utc();
        match &self.kind {
            LegacyKind::Power(p) => vec![StoredRow::Power(PowerRow {
                cell_id,
                // `new` guarantees Some for power.
                logger_id: self.meta.logger_id.unwrap_or_default(),
                ts,
                voltage: p.voltage,
                current: p.current,
            })],
            LegacyKind::Teros12(t) => vec![StoredRow::Teros(TerosRow {
                cell_id,
                ts,
                vwc: t.vwc_adj,
                raw_vwc: t.vwc_raw,
                temp: t.temp,
                ec: t.ec.map(saturating_i32),
            })],
            kind => sensor_layout(kind)
                .map(|(name, columns)| {
                    columns
                        .iter()
                        .filter_map(|c| {
                            let value = self.data.get(c.key)?;
                            Some(StoredRow::Sensor(SensorRow {
                                cell_id,
                                name,
                                measurement: c.measurement,
                                unit: c.unit,
                                ts,
                                value,
                            }))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The one `measurement_received` event of this upload; `obj_count` = rows written.
    pub fn live_event(&self) -> MeasurementReceived {
        MeasurementReceived {
            kind: self.kind.type_name(),
            cell_id: self.meta.cell_id.get(),
            logger_id: self.meta.logger_id,
            timestamp: self.meta.ts,
            data: self.data.clone(),
            obj_count: self.stored_rows().len(),
        }
    }
}

/// Which sensor a legacy reading comes from: one variant per member of the `Measurement` oneof
/// (all 14), plus the two kinds only `/api/sensor_json/` carries (`co2`, `D10`).
#[derive(Debug, Clone, PartialEq)]
pub enum LegacyKind {
    Power(Power),
    Teros12(Teros12),
    Phytos31(Phytos31),
    Bme280(Bme280),
    Teros21(Teros21),
    Sen0308(Sen0308),
    Sen0257(Sen0257),
    Yfs210c(Yfs210c),
    Pcap02(Pcap02),
    D10(D10),
    Watermark200ss(Watermark200ss),
    Watermark200ts(Watermark200ts),
    Edu0157(Edu0157),
    WaterLevel(WaterLevel),
    /// JSON only: `type` `co2`.
    Co2(Co2),
    /// JSON only: `type` `D10` (upper case), which carries only `flow`.
    D10Json(D10Flow),
}

impl LegacyKind {
    /// The measurement "type" string: the oneof member name (`waterLevel`, `d10`…), or the JSON
    /// `type` for the JSON-only kinds (`co2`, `D10`). Also the Socket.IO `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Power(_) => "power",
            Self::Teros12(_) => "teros12",
            Self::Phytos31(_) => "phytos31",
            Self::Bme280(_) => "bme280",
            Self::Teros21(_) => "teros21",
            Self::Sen0308(_) => "sen0308",
            Self::Sen0257(_) => "sen0257",
            Self::Yfs210c(_) => "yfs210c",
            Self::Pcap02(_) => "pcap02",
            Self::D10(_) => "d10",
            Self::Watermark200ss(_) => "watermark200ss",
            Self::Watermark200ts(_) => "watermark200ts",
            Self::Edu0157(_) => "edu0157",
            Self::WaterLevel(_) => "waterLevel",
            Self::Co2(_) => "co2",
            Self::D10Json(_) => "D10",
        }
    }
}

/// Volts and amperes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Power {
    pub voltage: f64,
    pub current: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Teros12 {
    pub vwc_raw: f64,
    pub vwc_adj: f64,
    pub temp: f64,
    /// µS/cm. `None` only from `/api/sensor_json/` with an explicit `"ec": null`, stored
    /// as NULL like upstream did.
    pub ec: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Phytos31 {
    pub voltage: f64,
    pub leaf_wetness: f64,
}

/// Scaled values: hPa, °C, %.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bme280 {
    pub pressure: f64,
    pub temperature: f64,
    pub humidity: f64,
}

impl Bme280 {
    /// From the raw protobuf integers (0.1 hPa, 0.01 °C, 0.001 %): upstream's decoder divides by
    /// 10, 100 and 1000 before storing (docs/wire-format.md#legacy-measurements). JSON uploads are
    /// stored as given and do not come through here.
    pub fn from_raw(pressure: u32, temperature: i32, humidity: u32) -> Self {
        Self {
            pressure: f64::from(pressure) / 10.0,
            temperature: f64::from(temperature) / 100.0,
            humidity: f64::from(humidity) / 1000.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Teros21 {
    pub matric_pot: f64,
    pub temp: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sen0308 {
    pub voltage: f64,
    pub humidity: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sen0257 {
    pub voltage: f64,
    pub pressure: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Yfs210c {
    pub flow: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pcap02 {
    pub capacitance: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct D10 {
    pub flow: f64,
    pub volume_elapsed: u32,
    pub time_elapsed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Watermark200ss {
    pub soil_tension: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Watermark200ts {
    pub temperature: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Edu0157 {
    pub wind_speed: f64,
    pub wind_direction: u32,
    pub altitude: f64,
    pub pressure: f64,
    pub temperature: f64,
    pub humidity: f64,
}

/// ALSMPM2F water-level sensor (oneof member `waterLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WaterLevel {
    pub meters: f64,
    pub voltage: f64,
}

/// JSON-only CO2 sensor. Values keep the JSON number type (`int` or `float`), because upstream
/// created these series with the type of the first value it saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Co2 {
    /// JSON key `CO2`.
    pub co2: SensorValue,
    /// JSON key `state` (a JSON boolean is taken as 0/1).
    pub state: SensorValue,
    /// JSON key `Photoresistivity`.
    pub photoresistivity: SensorValue,
}

/// JSON-only `D10` flow reading; keeps the JSON number type like [`Co2`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct D10Flow {
    pub flow: SensorValue,
}
