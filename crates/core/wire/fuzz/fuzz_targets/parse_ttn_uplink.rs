//! Any bytes as a TTN webhook body; accepted payloads go on to the protobuf decoders.
#![no_main]

use ents_wire::TtnUplink;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match ents_wire::parse_ttn_uplink(data) {
        Ok(TtnUplink::Measurement(payload)) => {
            let _ = ents_wire::decode_measurement(&payload);
        }
        Ok(TtnUplink::RepeatedMeasurements(payload)) => {
            let _ = ents_wire::decode_repeated(&payload);
        }
        _ => {}
    }
});
