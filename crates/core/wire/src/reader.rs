//! Bounds-checked reading of protobuf wire primitives for the lenient pre-pass. Every function
//! returns [`Malformed`] instead of panicking, whatever the input.

/// The input is not a well-formed protobuf encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Wire types 0–5; 6 and 7 do not exist and are malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireType {
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// Largest field number protobuf allows (2^29 − 1).
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// Nesting bound for unknown groups, well below stack limits.
const MAX_GROUP_DEPTH: u32 = 64;

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// A base-128 varint of at most 10 bytes. Bits beyond 64 are dropped, as the runtime used
    /// by `ents` does (docs/wire-format.md#decoding); an 11th byte is malformed.
    pub(crate) fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let (&byte, rest) = self.buf.split_first().ok_or(Malformed)?;
            self.buf = rest;
            value |= u64::from(byte & 0x7f).checked_shl(7 * i).unwrap_or(0);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(Malformed)
    }

    /// A field key: (field number, wire type). Number 0 and numbers above 2^29 − 1 are malformed.
    pub(crate) fn key(&mut self) -> Result<(u32, WireType), Malformed> {
        let key = self.varint()?;
        let wire = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::Fixed64,
            2 => WireType::Len,
            3 => WireType::StartGroup,
            4 => WireType::EndGroup,
            5 => WireType::Fixed32,
            _ => return Err(Malformed),
        };
        let number = key >> 3;
        if number == 0 || number > MAX_FIELD_NUMBER {
            return Err(Malformed);
        }
        Ok((u32::try_from(number).map_err(|_| Malformed)?, wire))
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.buf.len() {
            return Err(Malformed);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    /// A length prefix and the bytes it announces.
    pub(crate) fn len_delimited(&mut self) -> Result<&'a [u8], Malformed> {
        let len = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
        self.take(len)
    }

    /// Skips the value of a field whose key was just read.
    pub(crate) fn skip(&mut self, number: u32, wire: WireType) -> Result<(), Malformed> {
        self.skip_at_depth(number, wire, 0)
    }

    fn skip_at_depth(&mut self, number: u32, wire: WireType, depth: u32) -> Result<(), Malformed> {
        match wire {
            WireType::Varint => self.varint().map(drop),
            WireType::Fixed64 => self.take(8).map(drop),
            WireType::Fixed32 => self.take(4).map(drop),
            WireType::Len => self.len_delimited().map(drop),
            WireType::StartGroup => {
                if depth >= MAX_GROUP_DEPTH {
                    return Err(Malformed);
                }
                loop {
                    match self.key()? {
                        (inner, WireType::EndGroup) if inner == number => return Ok(()),
                        (_, WireType::EndGroup) => return Err(Malformed),
                        (inner, inner_wire) => self.skip_at_depth(inner, inner_wire, depth + 1)?,
                    }
                }
            }
            WireType::EndGroup => Err(Malformed),
        }
    }
}

/// Appends `value` as a canonical varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn varints_of_ten_bytes_pass_and_eleven_fail() {
        let ten = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&ten).varint(), Ok(u64::MAX));
        let eleven = [
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ];
        assert_eq!(Reader::new(&eleven).varint(), Err(Malformed));
        assert_eq!(Reader::new(&[0x80]).varint(), Err(Malformed));
    }

    #[test]
    fn lengths_past_the_end_are_malformed() {
        assert_eq!(
            Reader::new(&[0xff, 0xff, 0xff, 0xff, 0x07, 1, 2]).len_delimited(),
            Err(Malformed)
        );
    }

    #[test]
    fn groups_are_skipped_to_their_matching_end() {
        // field 5 start group, field 1 varint 7, field 5 end group, then field 2 varint 1.
        let bytes = [0x2b, 0x08, 0x07, 0x2c, 0x10, 0x01];
        let mut r = Reader::new(&bytes);
        let (n, w) = r.key().unwrap();
        r.skip(n, w).unwrap();
        assert_eq!(r.key(), Ok((2, WireType::Varint)));
        // Mismatched end group.
        let mut r = Reader::new(&[0x2b, 0x34]);
        let (n, w) = r.key().unwrap();
        assert_eq!(r.skip(n, w), Err(Malformed));
    }

    #[test]
    fn deep_groups_are_bounded() {
        let bytes = vec![0x0b; 10_000];
        let mut r = Reader::new(&bytes);
        let (n, w) = r.key().unwrap();
        assert_eq!(r.skip(n, w), Err(Malformed));
    }

    #[test]
    fn put_varint_round_trips() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(Reader::new(&out).varint(), Ok(v));
        }
    }
}
