//! Any bytes as a `/api/sensor_json/` body: no panic, and an accepted upload serializes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(upload) = ents_wire::decode_sensor_json(data) {
        let _ = upload.stored_rows();
        for event in upload.live_events() {
            assert!(serde_json::to_string(&event).is_ok());
        }
    }
});
