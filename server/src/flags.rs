//! Authenticity flags only the server can raise, because only it sees every device: the same
//! spot recorded for another household by another device, and the same photo in another
//! device's visit. (Each device already flags its own visits; these cross devices.) Flags
//! never refuse a record: they go with it to the review queue, on both visits involved.
//!
//! The judgement is here, the same for every backend: [`probe`] says where a new visit's
//! matches may be and what to index it under, the backend fetches those candidates, and
//! [`matches`] says which of them are matches. [`with_flag`] adds a flag to a visit's lists.

use std::collections::BTreeSet;

use doorstep_contract::geo::distance_m;
use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::ServerFlag;

/// Five bands of a 64-bit hash: two hashes within 4 bits (the policy's `same_photo_bits`,
/// at most 4 for this index to find every pair) agree exactly on at least one band
/// (pigeonhole), so candidates come from an index instead of a scan of every photo.
const BANDS: [(u32, u32); 5] = [(0, 13), (13, 13), (26, 13), (39, 13), (52, 12)];
/// Grid cells for the spot index: 1e-4 degrees, about 11 m north-south.
const CELL: f64 = 1e-4;

fn band(phash: u64, (shift, bits): (u32, u32)) -> i64 {
    ((phash >> shift) & ((1u64 << bits) - 1)) as i64
}

fn cell(v: f64) -> i64 {
    (v / CELL).floor() as i64
}

/// Where a visit's best fix is indexed, and which visits near it are candidates: those in
/// the 3×3 cells around it, of another device and another household, started within
/// `window` seconds of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotProbe {
    pub cell_lat: i64,
    pub cell_lon: i64,
    pub lat: f64,
    pub lon: f64,
    pub started: i64,
    pub window: i64,
}

/// One photo's perceptual hash and its five bands `(band, value)`: candidates share a band
/// value with it, from another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoProbe {
    pub phash: u64,
    pub bands: [(i64, i64); 5],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub spot: Option<SpotProbe>,
    pub photos: Vec<PhotoProbe>,
}

/// Where to look for a new visit's matches, and what to index it under.
pub fn probe(record: &RecordV1, e: &Evidence) -> Probe {
    let spot = record
        .fixes
        .best
        .as_ref()
        .filter(|b| b.lat.is_finite() && b.lon.is_finite())
        .map(|b| SpotProbe {
            cell_lat: cell(b.lat),
            cell_lon: cell(b.lon),
            lat: b.lat,
            lon: b.lon,
            started: record.started_at.timestamp(),
            window: e.same_spot_days * 86_400,
        });
    let photos = record
        .photo_phashes
        .iter()
        .map(|&phash| PhotoProbe {
            phash,
            bands: std::array::from_fn(|i| (i as i64, band(phash, BANDS[i]))),
        })
        .collect();
    Probe { spot, photos }
}

/// A visit near a new one's best fix, as the spot index holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub visit_id: String,
    pub lat: f64,
    pub lon: f64,
}

/// A photo of another device's visit sharing a band with the new visit's photo number
/// `photo` (an index into [`Probe::photos`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoHit {
    pub photo: usize,
    pub visit_id: String,
    pub phash: i64,
}

/// Which candidates match: each other visit with the flag it gets (and the new visit gets
/// the same flags, once each).
pub fn matches(
    p: &Probe,
    e: &Evidence,
    near: &[Near],
    hits: &[PhotoHit],
) -> Vec<(String, ServerFlag)> {
    let mut found = Vec::new();
    if let Some(s) = &p.spot {
        for n in near {
            if distance_m((n.lat, n.lon), (s.lat, s.lon)) <= e.same_spot_m {
                found.push((n.visit_id.clone(), ServerFlag::SameSpotOtherDevice));
            }
        }
    }
    // Beyond the index's reach (see BANDS), the same photo is judged at the index's bound.
    let same_photo_bits = e.same_photo_bits.min(4);
    for (i, photo) in p.photos.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for h in hits.iter().filter(|h| h.photo == i) {
            if (photo.phash ^ h.phash as u64).count_ones() <= same_photo_bits
                && seen.insert(h.visit_id.as_str())
            {
                found.push((h.visit_id.clone(), ServerFlag::PhotoReusedOtherDevice));
            }
        }
    }
    found
}

/// A visit's server flags and flag kinds (JSON lists of codes, as stored) with `flag` added
/// to both, kept sorted and once; None when both already hold it.
pub fn with_flag(server: &str, kinds: &str, flag: ServerFlag) -> Option<(String, String)> {
    let flag = flag.code();
    let mut server: BTreeSet<String> = serde_json::from_str(server).unwrap_or_default();
    let mut kinds: BTreeSet<String> = serde_json::from_str(kinds).unwrap_or_default();
    let changed = server.insert(flag.to_owned()) | kinds.insert(flag.to_owned());
    let json = |s: &BTreeSet<String>| serde_json::to_string(s).unwrap_or_else(|_| "[]".into());
    changed.then(|| (json(&server), json(&kinds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_within_four_bits_share_a_band() {
        let a = 0x0123_4567_89ab_cdefu64;
        for flips in [[0, 13, 26, 39], [12, 25, 38, 51], [5, 20, 40, 63]] {
            let b = flips.iter().fold(a, |h, bit| h ^ (1u64 << bit));
            let (pa, pb) = (
                std::array::from_fn::<_, 5, _>(|i| band(a, BANDS[i])),
                std::array::from_fn::<_, 5, _>(|i| band(b, BANDS[i])),
            );
            assert!(pa.iter().zip(pb).any(|(x, y)| *x == y), "{flips:?}");
        }
    }

    #[test]
    fn a_flag_is_added_once_and_sorted() {
        let (s, k) = with_flag("[]", r#"["no_photo"]"#, ServerFlag::SameSpotOtherDevice)
            .expect("a new flag changes the lists");
        assert_eq!(s, r#"["same_spot_other_device"]"#);
        assert_eq!(k, r#"["no_photo","same_spot_other_device"]"#);
        assert_eq!(with_flag(&s, &k, ServerFlag::SameSpotOtherDevice), None);
    }
}
