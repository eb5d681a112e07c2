//! The visit's fixes drawn against the household: an SVG in the page itself, so it needs no
//! tile server (an intranet has none). The household sits in the middle inside its 200 m
//! geofence; each fix is a dot with its accuracy circle, and the best fix is joined to the
//! household with its distance.

use doorstep_core::geo::distance_m;
use maud::{html, Markup};
use serde_json::Value;

use super::text::{t, Lang};

const HALF: f64 = 160.0;
const GEOFENCE_M: f64 = 200.0;

struct Fix {
    name: &'static str,
    lat: f64,
    lon: f64,
    accuracy: f64,
}

fn fix(v: &Value, name: &'static str) -> Option<Fix> {
    let f = v.get(name)?;
    Some(Fix {
        name,
        lat: f.get("lat")?.as_f64()?,
        lon: f.get("lon")?.as_f64()?,
        accuracy: f.get("accuracy_m").and_then(Value::as_f64).unwrap_or(0.0),
    })
}

/// Metres east and north of the household (flat earth: the distances are a few km at most).
fn local(lat0: f64, lon0: f64, lat: f64, lon: f64) -> (f64, f64) {
    let east = (lon - lon0).to_radians() * 6_371_000.0 * lat0.to_radians().cos();
    let north = (lat - lat0).to_radians() * 6_371_000.0;
    (east, north)
}

/// The map, or a line saying there is nothing to draw.
pub fn draw(lang: Lang, record: &Value) -> Markup {
    let household = record
        .get("household")
        .and_then(Value::as_array)
        .and_then(|a| Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?)));
    let fixes: Vec<Fix> = record
        .get("fixes")
        .map(|f| {
            ["start", "end", "best"]
                .iter()
                .filter_map(|n| fix(f, n))
                .collect()
        })
        .unwrap_or_default();
    let Some((lat0, lon0)) = household.or_else(|| fixes.first().map(|f| (f.lat, f.lon))) else {
        return html! { p { (t(lang, "none")) } };
    };
    let placed: Vec<(&Fix, f64, f64)> = fixes
        .iter()
        .map(|f| {
            let (x, y) = local(lat0, lon0, f.lat, f.lon);
            (f, x, y)
        })
        .collect();
    let extent = placed
        .iter()
        .map(|(f, x, y)| x.abs().max(y.abs()) + f.accuracy)
        .fold(GEOFENCE_M, f64::max)
        * 1.15;
    let s = HALF / extent;
    let px = |x: f64| HALF + x * s;
    let py = |y: f64| HALF - y * s;
    let best = fixes.iter().find(|f| f.name == "best");
    html! {
        svg.map width="320" height="320" viewBox="0 0 320 320" role="img" {
            rect width="320" height="320" fill="#eef3ea" {}
            @if household.is_some() {
                circle cx=(px(0.0)) cy=(py(0.0)) r=(GEOFENCE_M * s) fill="none" stroke="#2e7d32" stroke-dasharray="6 4" {}
                rect x=(px(0.0) - 6.0) y=(py(0.0) - 6.0) width="12" height="12" fill="#2e7d32" {}
                text x=(px(0.0) + 9.0) y=(py(0.0) - 9.0) font-size="12" { (t(lang, "household")) }
            }
            @for (i, (f, x, y)) in placed.iter().enumerate() {
                circle cx=(px(*x)) cy=(py(*y)) r=((f.accuracy * s).max(2.0)) fill="#1565c0" fill-opacity="0.12" stroke="#1565c0" {}
                circle cx=(px(*x)) cy=(py(*y)) r="4" fill="#1565c0" {}
                // Fixes often coincide: each label on a line of its own.
                text x=(px(*x) + 6.0) y=(py(*y) + 14.0 + 12.0 * i as f64) font-size="11" { (t(lang, f.name)) }
            }
            @if let (Some(b), Some((hl, ho))) = (best, household) {
                @let (x, y) = local(lat0, lon0, b.lat, b.lon);
                line x1=(px(0.0)) y1=(py(0.0)) x2=(px(x)) y2=(py(y)) stroke="#8a1c1c" {}
                text x="8" y="310" font-size="13" fill="#8a1c1c" {
                    (format!("{:.0} m ± {:.0} m", distance_m((hl, ho), (b.lat, b.lon)), b.accuracy))
                }
            }
            text x="230" y="310" font-size="11" { (format!("{} {:.0} m", t(lang, "geofence"), GEOFENCE_M)) }
        }
    }
}
