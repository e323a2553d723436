//! Protocol versions of both eras and the legacy version negotiation.

/// The modern (stateless) protocol revision.
pub const MODERN_PROTOCOL_VERSION: &str = "2026-07-28";

/// Every modern revision this crate speaks, newest first.
pub const MODERN_PROTOCOL_VERSIONS: &[&str] = &[MODERN_PROTOCOL_VERSION];

/// The newest legacy (handshake-era) revision.
pub const LATEST_LEGACY_PROTOCOL_VERSION: &str = "2025-11-25";

/// Every legacy revision this crate speaks, newest first.
pub const LEGACY_PROTOCOL_VERSIONS: &[&str] =
    &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// The version a Streamable HTTP server assumes when a legacy client sends no
/// `MCP-Protocol-Version` header.
pub const DEFAULT_HTTP_LEGACY_VERSION: &str = "2025-03-26";

/// Which era a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Era {
    /// `initialize` handshake, sessions, `ping`, `logging/setLevel`.
    Legacy,
    /// Stateless requests carrying `_meta` protocol fields; `server/discover`.
    Modern,
}

/// The era of a version string, or `None` when we do not support it.
pub fn era_of(version: &str) -> Option<Era> {
    if LEGACY_PROTOCOL_VERSIONS.contains(&version) {
        Some(Era::Legacy)
    } else if MODERN_PROTOCOL_VERSIONS.contains(&version) {
        Some(Era::Modern)
    } else {
        None
    }
}

/// Answers a legacy `initialize`: echo a supported legacy version, otherwise counter-offer our
/// newest legacy version (the spec says to counter-offer rather than fail; the client decides).
///
/// A modern version in `initialize` also gets the counter-offer, since the handshake itself is
/// a legacy-era mechanism.
pub fn negotiate_legacy_version(requested: &str) -> &'static str {
    LEGACY_PROTOCOL_VERSIONS
        .iter()
        .find(|supported| **supported == requested)
        .copied()
        .unwrap_or(LATEST_LEGACY_PROTOCOL_VERSION)
}

/// Every supported version, legacy and modern, newest first.
pub fn supported_versions() -> Vec<&'static str> {
    MODERN_PROTOCOL_VERSIONS
        .iter()
        .chain(LEGACY_PROTOCOL_VERSIONS)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_trials() {
        let trials = [
            ("2025-11-25", "2025-11-25"),
            ("2025-06-18", "2025-06-18"),
            ("2025-03-26", "2025-03-26"),
            ("2024-11-05", "2024-11-05"),
            ("1999-01-01", LATEST_LEGACY_PROTOCOL_VERSION),
            ("2026-07-28", LATEST_LEGACY_PROTOCOL_VERSION),
            ("", LATEST_LEGACY_PROTOCOL_VERSION),
        ];
        for (requested, expected) in trials {
            assert_eq!(negotiate_legacy_version(requested), expected, "{requested}");
        }
    }

    #[test]
    fn eras() {
        assert_eq!(era_of("2026-07-28"), Some(Era::Modern));
        assert_eq!(era_of("2025-03-26"), Some(Era::Legacy));
        assert_eq!(era_of("2027-01-01"), None);
        assert_eq!(supported_versions()[0], MODERN_PROTOCOL_VERSION);
    }
}
