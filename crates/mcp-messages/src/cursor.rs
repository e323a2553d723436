//! Opaque pagination cursors.
//!
//! A cursor encodes an offset into a stable, deterministic list. It is opaque to clients (a
//! tagged hexadecimal string) so that we can change its contents later without breaking them.

const PREFIX: &str = "c1.";

/// The cursor for the page starting at `offset`.
pub fn encode_cursor(offset: usize) -> String {
    format!("{PREFIX}{offset:x}")
}

/// The offset in a cursor made by [`encode_cursor`], or `None` for anything else
/// (answer -32602 then).
pub fn decode_cursor(cursor: &str) -> Option<usize> {
    let digits = cursor.strip_prefix(PREFIX)?;
    if digits.is_empty()
        || digits.len() > 16
        || !digits.bytes().all(|byte| byte.is_ascii_hexdigit())
    {
        return None;
    }
    usize::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_trials() {
        for offset in [0, 1, 50, 499, usize::MAX] {
            assert_eq!(decode_cursor(&encode_cursor(offset)), Some(offset));
        }
        for bad in [
            "",
            "c1.",
            "c1.xyz",
            "50",
            "c2.10",
            "c1.-1",
            "c1.11111111111111111",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
