//! Legacy protobuf `Measurement` → [`Upload::Legacy`].

use ents_domain::measurements::{
    Bme280, D10, Edu0157, IngestError, LegacyKind, LegacyMeasurement, Meta, Pcap02, Phytos31,
    Power, RawMeta, Sen0257, Sen0308, Teros12, Teros21, Upload, WaterLevel, Watermark200ss,
    Watermark200ts, Yfs210c,
};
use prost::Message as _;

use crate::WireError;
use crate::lenient;
use crate::proto::{self, measurement::Measurement as Oneof};

/// Decodes the body of `POST /api/sensor/` without `SensorVersion: 2` (and TTN f_port 1).
///
/// Decoding follows the protobuf runtime upstream used (docs/wire-format.md#decoding): unknown
/// fields and fields with a mismatched wire type are skipped, `uint32` varints wider than 32
/// bits are truncated, a repeated sub-message merges, and the last oneof member wins. So a
/// generic body sent here decodes, as upstream, as a `teros12` of zeros.
///
/// Errors: [`WireError::Malformed`] for bytes that are not a `Measurement`;
/// [`IngestError::MissingMeta`] (also for an empty body), [`IngestError::MissingMeasurement`]
/// when no oneof member is set, [`IngestError::UnknownKind`] when the only candidate is a field
/// number the schema does not define (newer firmware), and the validation errors of
/// [`Meta::legacy`] and [`LegacyMeasurement::new`].
pub fn decode_measurement(bytes: &[u8]) -> Result<Upload, WireError> {
    let schema = lenient::MEASUREMENT;
    let malformed = |_| WireError::Malformed {
        message: schema.name,
    };
    let filtered = lenient::filter(schema, bytes).map_err(malformed)?;
    let message = proto::Measurement::decode(filtered.bytes.as_slice()).map_err(|_| {
        WireError::Malformed {
            message: schema.name,
        }
    })?;

    let meta = message.meta.ok_or(IngestError::MissingMeta)?;
    let Some(oneof) = message.measurement else {
        return Err(match filtered.unknown_numbers.first() {
            Some(number) => IngestError::UnknownKind(format!("Measurement field {number}")),
            None => IngestError::MissingMeasurement,
        }
        .into());
    };
    let meta = Meta::legacy(RawMeta {
        cell_id: meta.cell_id,
        logger_id: meta.logger_id,
        ts: meta.ts,
    })?;
    Ok(Upload::Legacy(LegacyMeasurement::new(meta, kind(oneof))?))
}

fn kind(oneof: Oneof) -> LegacyKind {
    match oneof {
        Oneof::Power(p) => LegacyKind::Power(Power {
            voltage: p.voltage,
            current: p.current,
        }),
        Oneof::Teros12(t) => LegacyKind::Teros12(Teros12 {
            vwc_raw: t.vwc_raw,
            vwc_adj: t.vwc_adj,
            temp: t.temp,
            ec: Some(t.ec),
        }),
        Oneof::Phytos31(p) => LegacyKind::Phytos31(Phytos31 {
            voltage: p.voltage,
            leaf_wetness: p.leaf_wetness,
        }),
        Oneof::Bme280(b) => {
            LegacyKind::Bme280(Bme280::from_raw(b.pressure, b.temperature, b.humidity))
        }
        Oneof::Teros21(t) => LegacyKind::Teros21(Teros21 {
            matric_pot: t.matric_pot,
            temp: t.temp,
        }),
        Oneof::Sen0308(s) => LegacyKind::Sen0308(Sen0308 {
            voltage: s.voltage,
            humidity: s.humidity,
        }),
        Oneof::Sen0257(s) => LegacyKind::Sen0257(Sen0257 {
            voltage: s.voltage,
            pressure: s.pressure,
        }),
        Oneof::Yfs210c(y) => LegacyKind::Yfs210c(Yfs210c { flow: y.flow }),
        Oneof::Pcap02(p) => LegacyKind::Pcap02(Pcap02 {
            capacitance: p.capacitance,
        }),
        Oneof::D10(d) => LegacyKind::D10(D10 {
            flow: d.flow,
            volume_elapsed: d.volume_elapsed,
            time_elapsed: d.time_elapsed,
        }),
        Oneof::Watermark200ss(w) => LegacyKind::Watermark200ss(Watermark200ss {
            soil_tension: w.soil_tension,
        }),
        Oneof::Watermark200ts(w) => LegacyKind::Watermark200ts(Watermark200ts {
            temperature: w.temperature,
        }),
        Oneof::Edu0157(e) => LegacyKind::Edu0157(Edu0157 {
            wind_speed: e.wind_speed,
            wind_direction: e.wind_direction,
            altitude: e.altitude,
            pressure: e.pressure,
            temperature: e.temperature,
            humidity: e.humidity,
        }),
        Oneof::WaterLevel(w) => LegacyKind::WaterLevel(WaterLevel {
            meters: w.meters,
            voltage: w.voltage,
        }),
    }
}
