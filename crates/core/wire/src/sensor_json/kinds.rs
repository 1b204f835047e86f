//! JSON `type` + `data` → [`LegacyKind`], with upstream's keys.

use ents_domain::measurements::{
    Bme280, Co2, D10, D10Flow, Edu0157, IngestError, LegacyKind, Pcap02, Phytos31, Power, Sen0257,
    Sen0308, Teros12, Teros21, WaterLevel, Watermark200ss, Watermark200ts, Yfs210c,
};

use super::number::Fields;

pub(super) fn kind(type_name: &str, d: &Fields<'_>) -> Result<LegacyKind, IngestError> {
    Ok(match type_name {
        "power" => LegacyKind::Power(Power {
            voltage: d.float("voltage")?,
            current: d.float("current")?,
        }),
        "teros12" => LegacyKind::Teros12(Teros12 {
            vwc_raw: d.float("vwcRaw")?,
            vwc_adj: d.float("vwcAdj")?,
            temp: d.float("temp")?,
            ec: d.nullable_unsigned("ec")?,
        }),
        "phytos31" => LegacyKind::Phytos31(Phytos31 {
            voltage: d.float("voltage")?,
            leaf_wetness: d.float("leafWetness")?,
        }),
        // Stored as given: the JSON path never scaled bme280.
        "bme280" => LegacyKind::Bme280(Bme280 {
            pressure: d.float("pressure")?,
            temperature: d.float("temperature")?,
            humidity: d.float("humidity")?,
        }),
        "teros21" => LegacyKind::Teros21(Teros21 {
            matric_pot: d.float("matricPot")?,
            temp: d.float("temp")?,
        }),
        "sen0308" => LegacyKind::Sen0308(Sen0308 {
            voltage: d.float("voltage")?,
            humidity: d.float("humidity")?,
        }),
        "sen0257" => LegacyKind::Sen0257(Sen0257 {
            voltage: d.float("voltage")?,
            pressure: d.float("pressure")?,
        }),
        "yfs210c" => LegacyKind::Yfs210c(Yfs210c {
            flow: d.float("flow")?,
        }),
        // Upstream's JSON key is `Capacitance`; the protobuf JSON name is `capacitance`.
        "pcap02" => LegacyKind::Pcap02(Pcap02 {
            capacitance: d.float_any(&["Capacitance", "capacitance"])?,
        }),
        "d10" => LegacyKind::D10(D10 {
            flow: d.float("flow")?,
            volume_elapsed: d.unsigned("volumeElapsed")?,
            time_elapsed: d.unsigned("timeElapsed")?,
        }),
        "watermark200ss" => LegacyKind::Watermark200ss(Watermark200ss {
            soil_tension: d.float("soilTension")?,
        }),
        "watermark200ts" => LegacyKind::Watermark200ts(Watermark200ts {
            temperature: d.float("temperature")?,
        }),
        "edu0157" => LegacyKind::Edu0157(Edu0157 {
            wind_speed: d.float("windSpeed")?,
            wind_direction: d.unsigned("windDirection")?,
            altitude: d.float("altitude")?,
            pressure: d.float("pressure")?,
            temperature: d.float("temperature")?,
            humidity: d.float("humidity")?,
        }),
        "waterLevel" => LegacyKind::WaterLevel(WaterLevel {
            meters: d.float("meters")?,
            voltage: d.float("voltage")?,
        }),
        "co2" => LegacyKind::Co2(Co2 {
            co2: d.value("CO2", false)?,
            state: d.value("state", true)?,
            photoresistivity: d.value("Photoresistivity", false)?,
        }),
        "D10" => LegacyKind::D10Json(D10Flow {
            flow: d.value("flow", false)?,
        }),
        other => return Err(IngestError::UnknownKind(other.to_owned())),
    })
}
