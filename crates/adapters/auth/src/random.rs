//! Random bytes from the operating system (aws-lc-rs).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// `N` random bytes. Errors: the system's random source failed (never expected).
pub(crate) fn bytes<const N: usize>() -> Result<[u8; N], aws_lc_rs::error::Unspecified> {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out)?;
    Ok(out)
}
