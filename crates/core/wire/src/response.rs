//! The body of legacy-path answers.

use prost::Message as _;

use crate::proto::{Response, response::ResponseType};

/// Serialized `Response`: SUCCESS is enum value 0, which proto3 omits, so it is **zero bytes**;
/// ERROR is `08 01`. Byte-identical to upstream's `encode_response`: devices see these bytes.
pub fn encode_response(success: bool) -> Vec<u8> {
    let resp = if success {
        ResponseType::Success
    } else {
        ResponseType::Error
    };
    Response { resp: resp as i32 }.encode_to_vec()
}
