//! Length-delimited protobuf messages, as a gateway or an SD card stores device uploads: a
//! varint length, then that many bytes, repeated.

use std::io::{ErrorKind, Read};

/// The largest frame accepted: far above any device upload, and a bound on memory when a
/// file is not what it claims.
pub(crate) const MAX_FRAME: usize = 1 << 20;

/// The next frame into `buf`: `Ok(false)` at a clean end of input. Errors: I/O, a bad or
/// oversized length, a truncated frame (the rest of the file cannot be framed then).
pub(crate) fn next_frame(input: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut prefix = [0u8; 10];
    let mut n = 0;
    loop {
        let mut byte = [0u8; 1];
        match input.read(&mut byte) {
            Ok(0) if n == 0 => return Ok(false),
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        let Some(slot) = prefix.get_mut(n) else {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                "bad length prefix",
            ));
        };
        *slot = byte[0];
        n += 1;
        if byte[0] < 0x80 {
            break;
        }
    }
    let len = prost::decode_length_delimiter(prefix.get(..n).unwrap_or_default())
        .map_err(|e| std::io::Error::new(ErrorKind::InvalidData, e))?;
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            ErrorKind::InvalidData,
            format!("a frame of {len} bytes (at most {MAX_FRAME})"),
        ));
    }
    buf.resize(len, 0);
    input.read_exact(buf)?;
    Ok(true)
}
