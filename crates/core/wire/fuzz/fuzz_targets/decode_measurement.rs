//! Any bytes as a legacy `Measurement`: no panic, and an accepted upload maps to rows and to
//! events that serialize.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(upload) = ents_wire::decode_measurement(data) {
        let rows = upload.stored_rows();
        for event in upload.live_events() {
            assert_eq!(event.obj_count, rows.len());
            assert!(serde_json::to_string(&event).is_ok());
        }
    }
});
