//! Any bytes as a generic `RepeatedSensorMeasurements`: no panic, one row and one serializable
//! event per accepted item.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(upload) = ents_wire::decode_repeated(data) {
        let rows = upload.stored_rows();
        let events = upload.live_events();
        assert!(!rows.is_empty());
        assert_eq!(rows.len(), events.len());
        for event in events {
            assert!(serde_json::to_string(&event).is_ok());
        }
    }
});
