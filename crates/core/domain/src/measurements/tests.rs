#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Table-level checks of the legacy and generic mappings (the vectors are checked end to end in
//! `ents-wire`'s tests).

use super::legacy_layout::sensor_layout;
use super::*;

fn meta() -> Meta {
    Meta::legacy(RawMeta {
        cell_id: 1,
        logger_id: 1,
        ts: 1_700_000_000,
    })
    .unwrap()
}

fn every_kind() -> Vec<LegacyKind> {
    let v = SensorValue::Int(1);
    vec![
        LegacyKind::Power(Power::default()),
        LegacyKind::Teros12(Teros12::default()),
        LegacyKind::Phytos31(Phytos31::default()),
        LegacyKind::Bme280(Bme280::default()),
        LegacyKind::Teros21(Teros21::default()),
        LegacyKind::Sen0308(Sen0308::default()),
        LegacyKind::Sen0257(Sen0257::default()),
        LegacyKind::Yfs210c(Yfs210c::default()),
        LegacyKind::Pcap02(Pcap02::default()),
        LegacyKind::D10(D10::default()),
        LegacyKind::Watermark200ss(Watermark200ss::default()),
        LegacyKind::Watermark200ts(Watermark200ts::default()),
        LegacyKind::Edu0157(Edu0157::default()),
        LegacyKind::WaterLevel(WaterLevel::default()),
        LegacyKind::Co2(Co2 {
            co2: v,
            state: v,
            photoresistivity: v,
        }),
        LegacyKind::D10Json(D10Flow { flow: v }),
    ]
}

#[test]
fn every_legacy_kind_stores_every_layout_column() {
    for kind in every_kind() {
        let name = kind.type_name();
        let m = LegacyMeasurement::new(meta(), kind).unwrap();
        let rows = m.stored_rows();
        match sensor_layout(m.kind()) {
            None => assert_eq!(rows.len(), 1, "{name}"),
            Some((_, columns)) => assert_eq!(rows.len(), columns.len(), "{name}"),
        }
        assert_eq!(m.live_event().obj_count, rows.len(), "{name}");
    }
}

#[test]
fn bme280_is_scaled_from_raw() {
    let b = Bme280::from_raw(98473, -1250, 43600);
    assert_eq!(
        (b.pressure, b.temperature, b.humidity),
        (9847.3, -12.5, 43.6)
    );
}

#[test]
fn legacy_refuses_non_finite_and_oversized_values() {
    let nan = LegacyKind::Power(Power {
        voltage: f64::NAN,
        current: 0.0,
    });
    assert_eq!(
        LegacyMeasurement::new(meta(), nan),
        Err(IngestError::not_finite("data.voltage"))
    );
    let tiny = LegacyKind::Power(Power {
        voltage: 3.49e-277,
        current: 1.0,
    });
    assert_eq!(
        LegacyMeasurement::new(meta(), tiny),
        Err(IngestError::out_of_range("data.voltage"))
    );
    let ec = LegacyKind::Teros12(Teros12 {
        ec: Some(u32::MAX),
        ..Teros12::default()
    });
    assert_eq!(
        LegacyMeasurement::new(meta(), ec),
        Err(IngestError::out_of_range("data.ec"))
    );
}

#[test]
fn teros12_null_ec_is_stored_null_and_emitted_null() {
    let m = LegacyMeasurement::new(
        meta(),
        LegacyKind::Teros12(Teros12 {
            vwc_raw: 2.0,
            vwc_adj: 0.45,
            temp: 3.0,
            ec: None,
        }),
    )
    .unwrap();
    match m.stored_rows().as_slice() {
        [StoredRow::Teros(t)] => assert_eq!(t.ec, None),
        rows => panic!("unexpected rows {rows:?}"),
    }
    assert_eq!(m.data().get("ec"), None);
    assert_eq!(
        serde_json::to_value(m.data()).unwrap(),
        serde_json::json!({"vwcRaw": 2.0, "vwcAdj": 0.45, "temp": 3.0, "ec": null})
    );
}

#[test]
fn power_needs_a_logger() {
    let meta = Meta {
        logger_id: None,
        ..meta()
    };
    assert_eq!(
        LegacyMeasurement::new(meta, LegacyKind::Power(Power::default())),
        Err(IngestError::MissingLoggerId)
    );
    assert!(LegacyMeasurement::new(meta, LegacyKind::Yfs210c(Yfs210c::default())).is_ok());
}

#[test]
fn generic_refuses_what_the_data_table_cannot_hold() {
    let t = SensorType::PowerVoltage;
    assert_eq!(
        GenericMeasurement::new(meta(), t, GenericValue::Decimal(f64::INFINITY)),
        Err(IngestError::not_finite("decimal"))
    );
    assert_eq!(
        GenericMeasurement::new(meta(), t, GenericValue::Unsigned(1 << 31)),
        Err(IngestError::out_of_range("unsigned_int"))
    );
    // Magnitudes whose products the rollups could not hold (PostgreSQL refuses an underflow).
    for tiny_or_huge in [3.5e-277, -1e101, 1e-101] {
        assert_eq!(
            GenericMeasurement::new(meta(), t, GenericValue::Decimal(tiny_or_huge)),
            Err(IngestError::out_of_range("decimal")),
            "{tiny_or_huge}"
        );
    }
    for fine in [0.0, -0.0, 1e-100, -1e100, 3.3] {
        assert!(GenericMeasurement::new(meta(), t, GenericValue::Decimal(fine)).is_ok());
    }
    let ok = GenericMeasurement::new(meta(), t, GenericValue::Unsigned(i32::MAX as u32)).unwrap();
    assert_eq!(ok.value(), SensorValue::Int(i32::MAX));
}

#[test]
fn live_event_serializes_in_upstream_key_order() {
    let m = LegacyMeasurement::new(
        meta(),
        LegacyKind::Power(Power {
            voltage: 1.5,
            current: 0.0002,
        }),
    )
    .unwrap();
    let json = serde_json::to_string(&m.live_event()).unwrap();
    assert_eq!(
        json,
        r#"{"type":"power","cellId":1,"loggerId":1,"timestamp":1700000000,"data":{"voltage":1.5,"current":0.0002},"obj_count":1}"#
    );
    assert_eq!(m.live_event().room(), "cell_1");
}

#[test]
fn item_errors_keep_their_reason() {
    let e = IngestError::MissingValue.in_item(2);
    assert_eq!(e.to_string(), "measurement 2: measurement has no value");
    assert_eq!(e.reason(), &IngestError::MissingValue);
}
