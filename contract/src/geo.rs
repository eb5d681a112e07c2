//! Geography: distances on the WGS-84 ellipsoid's mean sphere (haversine, via the `geo`
//! crate) and conversion between WGS-84 (what phones report) and GCJ-02 (what addresses
//! geocoded on Chinese web maps are in).

use ::geo::{Distance, Haversine, Point};

use crate::model::{Datum, Location};

/// Great-circle distance in metres between two WGS-84 points.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

/// The location as WGS-84 `(lat, lon)`.
pub fn to_wgs84(loc: &Location) -> (f64, f64) {
    match loc.datum {
        Datum::Wgs84 => (loc.lat, loc.lon),
        Datum::Gcj02 => gcj02_to_wgs84(loc.lat, loc.lon),
    }
}

// GCJ-02 is WGS-84 plus a published, deterministic offset (a Krasovsky-ellipsoid polynomial).
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// GCJ-02 applies only inside mainland China; elsewhere the two datums coincide.
fn outside_china(lat: f64, lon: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset(lat: f64, lon: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let x = lon - 105.0;
    let y = lat - 35.0;
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlon += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (dlat, dlon)
}

/// WGS-84 → GCJ-02.
pub fn wgs84_to_gcj02(lat: f64, lon: f64) -> (f64, f64) {
    if outside_china(lat, lon) {
        return (lat, lon);
    }
    let (dlat, dlon) = offset(lat, lon);
    (lat + dlat, lon + dlon)
}

/// GCJ-02 → WGS-84 by fixed-point iteration on the forward transform; converges to well
/// under a centimetre in a few steps (the offset changes slowly with position).
pub fn gcj02_to_wgs84(lat: f64, lon: f64) -> (f64, f64) {
    if outside_china(lat, lon) {
        return (lat, lon);
    }
    let (mut wlat, mut wlon) = (lat, lon);
    for _ in 0..10 {
        let (glat, glon) = wgs84_to_gcj02(wlat, wlon);
        let (elat, elon) = (glat - lat, glon - lon);
        wlat -= elat;
        wlon -= elon;
        if elat.abs() < 1e-9 && elon.abs() < 1e-9 {
            break;
        }
    }
    (wlat, wlon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_known_distance() {
        // Zhengzhou to Kaifeng railway stations, about 64 km apart.
        let d = distance_m((34.7466, 113.6583), (34.7818, 114.3491));
        assert!((62_000.0..66_000.0).contains(&d), "{d}");
        assert!(distance_m((34.8, 114.8), (34.8, 114.8)).abs() < 1e-9);
    }

    #[test]
    fn gcj02_offset_is_hundreds_of_metres_in_henan() {
        let (lat, lon) = (34.8220, 114.8210);
        let g = wgs84_to_gcj02(lat, lon);
        let d = distance_m((lat, lon), g);
        assert!((100.0..1000.0).contains(&d), "offset {d} m");
    }

    #[test]
    fn inverse_is_within_half_a_metre_across_china() {
        let mut worst: f64 = 0.0;
        let mut lat = 18.5;
        while lat < 53.0 {
            let mut lon = 74.0;
            while lon < 134.0 {
                let (glat, glon) = wgs84_to_gcj02(lat, lon);
                let back = gcj02_to_wgs84(glat, glon);
                worst = worst.max(distance_m((lat, lon), back));
                lon += 1.7;
            }
            lat += 1.3;
        }
        assert!(worst < 0.5, "worst round trip error {worst} m");
    }

    #[test]
    fn no_offset_outside_china() {
        assert_eq!(wgs84_to_gcj02(48.85, 2.35), (48.85, 2.35));
        assert_eq!(gcj02_to_wgs84(48.85, 2.35), (48.85, 2.35));
    }

    #[test]
    fn to_wgs84_respects_the_datum() {
        let w = Location::new(34.82, 114.82, Datum::Wgs84).expect("loc");
        assert_eq!(to_wgs84(&w), (34.82, 114.82));
        let (glat, glon) = wgs84_to_gcj02(34.82, 114.82);
        let g = Location::new(glat, glon, Datum::Gcj02).expect("loc");
        assert!(distance_m(to_wgs84(&g), (34.82, 114.82)) < 0.5);
    }
}
