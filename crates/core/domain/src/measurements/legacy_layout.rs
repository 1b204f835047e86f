//! Where each legacy kind is stored, and its decoded `data` dict.
//!
//! `power` and `teros12` go to their own tables (`power_data`, `teros_data`); every other kind
//! writes one generic `sensor`/`data` pair per column below, in this order.
//!
//! Upstream names and units are kept verbatim so existing series keep growing
//! (docs/wire-format.md#legacy-measurements). The kinds upstream dropped or broke are stored
//! too; the names chosen are:
//! * `pcap02` → `pcap02` / `Capacitance` (`Farads`): the series upstream's JSON path writes and
//!   its protobuf branch meant to write (it read the key `Capacitance`, the decoder yields
//!   `capacitance`: D-35).
//! * `d10` → sensor `D10`, the name upstream's dispatcher compared against (D-36: it tested
//!   `"D10"`, the oneof member is `d10`) and the one the dashboard charts: `flow` (`G/Min`) as
//!   upstream, plus `volumeElapsed` (`gal`, int) and `timeElapsed` (`s`, int), named by their
//!   protobuf JSON names with the units `ents` gives `D10_VOLUME_ELAPSED`/`D10_TIME_ELAPSED`.
//! * `watermark200ss`, `watermark200ts`, `edu0157`, `waterLevel` (never stored upstream, D-38):
//!   upstream style, sensor name = the oneof member name, measurement = the protobuf JSON field
//!   name, unit = the unit `ents` gives the matching generic `SensorType` (`Soil Tension` kPa,
//!   `Soil Temperature` C, `Wind Speed` m/s, `Wind Direction` degrees E of N, `Altitude` m,
//!   `Pressure` hPa, `Temperature` C, `Humidity` %, `Water Level` m, `Voltage` V).

use super::IngestError;
use super::legacy::LegacyKind;
use super::value::{DataFields, SensorValue, storable_float};

/// One stored measurement of a legacy kind: the `data` key it comes from, and the `sensor`
/// row's measurement and unit.
pub(super) struct Column {
    pub key: &'static str,
    pub measurement: &'static str,
    pub unit: &'static str,
}

const fn col(key: &'static str, measurement: &'static str, unit: &'static str) -> Column {
    Column {
        key,
        measurement,
        unit,
    }
}

/// Sensor name and columns for the kinds stored in the generic tables; `None` for `power` and
/// `teros12`.
pub(super) fn sensor_layout(kind: &LegacyKind) -> Option<(&'static str, &'static [Column])> {
    const PHYTOS31: &[Column] = &[
        col("voltage", "voltage", "V"),
        col("leafWetness", "leafWetness", "?"),
    ];
    const BME280: &[Column] = &[
        col("pressure", "pressure", "hPa"),
        col("temperature", "temperature", "C"),
        col("humidity", "humidity", "%"),
    ];
    const TEROS21: &[Column] = &[
        col("matricPot", "matricPot", "kPa"),
        col("temp", "temp", "C"),
    ];
    const SEN0308: &[Column] = &[
        col("voltage", "voltage", "V"),
        col("humidity", "humidity", "%"),
    ];
    // Upstream inserts pressure before voltage for this one.
    const SEN0257: &[Column] = &[
        col("pressure", "pressure", "kPa"),
        col("voltage", "voltage", "V"),
    ];
    const YFS210C: &[Column] = &[col("flow", "flow", "L/Min")];
    const PCAP02: &[Column] = &[col("capacitance", "Capacitance", "Farads")];
    const D10: &[Column] = &[
        col("flow", "flow", "G/Min"),
        col("volumeElapsed", "volumeElapsed", "gal"),
        col("timeElapsed", "timeElapsed", "s"),
    ];
    const D10_JSON: &[Column] = &[col("flow", "flow", "G/Min")];
    const WATERMARK200SS: &[Column] = &[col("soilTension", "soilTension", "kPa")];
    const WATERMARK200TS: &[Column] = &[col("temperature", "temperature", "C")];
    const EDU0157: &[Column] = &[
        col("windSpeed", "windSpeed", "m/s"),
        col("windDirection", "windDirection", "degrees E of N"),
        col("altitude", "altitude", "m"),
        col("pressure", "pressure", "hPa"),
        col("temperature", "temperature", "C"),
        col("humidity", "humidity", "%"),
    ];
    const WATER_LEVEL: &[Column] = &[col("meters", "meters", "m"), col("voltage", "voltage", "V")];
    const CO2: &[Column] = &[
        col("CO2", "CO2", "PPM"),
        col("state", "state", "Boolean"),
        col("Photoresistivity", "Photoresistivity", "Ohms"),
    ];

    Some(match kind {
        LegacyKind::Power(_) | LegacyKind::Teros12(_) => return None,
        LegacyKind::Phytos31(_) => ("phytos31", PHYTOS31),
        LegacyKind::Bme280(_) => ("bme280", BME280),
        LegacyKind::Teros21(_) => ("teros21", TEROS21),
        LegacyKind::Sen0308(_) => ("sen0308", SEN0308),
        LegacyKind::Sen0257(_) => ("sen0257", SEN0257),
        LegacyKind::Yfs210c(_) => ("yfs210c", YFS210C),
        LegacyKind::Pcap02(_) => ("pcap02", PCAP02),
        LegacyKind::D10(_) => ("D10", D10),
        LegacyKind::D10Json(_) => ("D10", D10_JSON),
        LegacyKind::Watermark200ss(_) => ("watermark200ss", WATERMARK200SS),
        LegacyKind::Watermark200ts(_) => ("watermark200ts", WATERMARK200TS),
        LegacyKind::Edu0157(_) => ("edu0157", EDU0157),
        LegacyKind::WaterLevel(_) => ("waterLevel", WATER_LEVEL),
        LegacyKind::Co2(_) => ("co2", CO2),
    })
}

/// A `data` value before validation.
enum Raw {
    Float(f64),
    Unsigned(u32),
    /// An explicit JSON `null` (teros12 `ec` only).
    Null,
    Value(SensorValue),
}

/// The decoded `data` dict of `kind` (protobuf JSON names, protobuf field order), validated for
/// storage. Field names in errors are `data.<key>`.
pub(super) fn data_fields(kind: &LegacyKind) -> Result<DataFields, IngestError> {
    raw_fields(kind)
        .into_iter()
        .map(|(key, raw)| {
            let value = match raw {
                Raw::Float(f) | Raw::Value(SensorValue::Float(f)) => Some(SensorValue::Float(
                    storable_float(&format!("data.{key}"), f)?,
                )),
                Raw::Unsigned(u) => {
                    Some(SensorValue::Int(i32::try_from(u).map_err(|_| {
                        IngestError::out_of_range(format!("data.{key}"))
                    })?))
                }
                Raw::Value(v @ SensorValue::Int(_)) => Some(v),
                Raw::Null => None,
            };
            Ok((key, value))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(DataFields::new)
}

/// For values already checked by [`data_fields`]; saturates instead of panicking.
pub(super) fn saturating_i32(u: u32) -> i32 {
    i32::try_from(u).unwrap_or(i32::MAX)
}

fn raw_fields(kind: &LegacyKind) -> Vec<(&'static str, Raw)> {
    use Raw::{Float as F, Unsigned as U, Value as V};
    match kind {
        LegacyKind::Power(p) => vec![("voltage", F(p.voltage)), ("current", F(p.current))],
        LegacyKind::Teros12(t) => vec![
            ("vwcRaw", F(t.vwc_raw)),
            ("vwcAdj", F(t.vwc_adj)),
            ("temp", F(t.temp)),
            ("ec", t.ec.map_or(Raw::Null, U)),
        ],
        LegacyKind::Phytos31(p) => vec![
            ("voltage", F(p.voltage)),
            ("leafWetness", F(p.leaf_wetness)),
        ],
        LegacyKind::Bme280(b) => vec![
            ("pressure", F(b.pressure)),
            ("temperature", F(b.temperature)),
            ("humidity", F(b.humidity)),
        ],
        LegacyKind::Teros21(t) => vec![("matricPot", F(t.matric_pot)), ("temp", F(t.temp))],
        LegacyKind::Sen0308(s) => vec![("voltage", F(s.voltage)), ("humidity", F(s.humidity))],
        LegacyKind::Sen0257(s) => vec![("voltage", F(s.voltage)), ("pressure", F(s.pressure))],
        LegacyKind::Yfs210c(y) => vec![("flow", F(y.flow))],
        LegacyKind::Pcap02(p) => vec![("capacitance", F(p.capacitance))],
        LegacyKind::D10(d) => vec![
            ("flow", F(d.flow)),
            ("volumeElapsed", U(d.volume_elapsed)),
            ("timeElapsed", U(d.time_elapsed)),
        ],
        LegacyKind::Watermark200ss(w) => vec![("soilTension", F(w.soil_tension))],
        LegacyKind::Watermark200ts(w) => vec![("temperature", F(w.temperature))],
        LegacyKind::Edu0157(e) => vec![
            ("windSpeed", F(e.wind_speed)),
            ("windDirection", U(e.wind_direction)),
            ("altitude", F(e.altitude)),
            ("pressure", F(e.pressure)),
            ("temperature", F(e.temperature)),
            ("humidity", F(e.humidity)),
        ],
        LegacyKind::WaterLevel(w) => vec![("meters", F(w.meters)), ("voltage", F(w.voltage))],
        LegacyKind::Co2(c) => vec![
            ("CO2", V(c.co2)),
            ("state", V(c.state)),
            ("Photoresistivity", V(c.photoresistivity)),
        ],
        LegacyKind::D10Json(d) => vec![("flow", V(d.flow))],
    }
}
