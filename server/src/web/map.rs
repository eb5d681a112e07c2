//! The visit's fixes drawn against the household: an SVG in the page itself, so it needs no
//! tile server (an intranet has none). The household sits in the middle inside the policy's
//! geofence; each fix is a dot with its accuracy circle, and the best fix is joined to the
//! household with its distance. Where a tile server is reachable (Tianditu on a government
//! network, say), `doorstep serve --tiles` puts its Web-Mercator tiles underneath.

use doorstep_contract::geo::distance_m;
use doorstep_contract::record::RecordV1;
use doorstep_contract::text::{Lang, Text};
use maud::{html, Markup};

const HALF: f64 = 160.0;

/// Start, end and best fix in colours told apart in print and by most colour-blind eyes.
const COLOURS: [&str; 3] = ["#1565c0", "#6a1b9a", "#e65100"];
/// Where each fix's label goes from its dot: up-left, up-right, down.
const LABEL_AT: [(f64, f64); 3] = [(-22.0, -18.0), (22.0, -18.0), (10.0, 30.0)];

struct Fix {
    name: Text,
    lat: f64,
    lon: f64,
    accuracy: f64,
}

/// Metres east and north of the household (flat earth: the distances are a few km at most).
fn local(lat0: f64, lon0: f64, lat: f64, lon: f64) -> (f64, f64) {
    let east = (lon - lon0).to_radians() * 6_371_000.0 * lat0.to_radians().cos();
    let north = (lat - lat0).to_radians() * 6_371_000.0;
    (east, north)
}

/// Metres per pixel at the equator for Web-Mercator tiles at zoom 0 (256-pixel tiles).
const EQUATOR_M_PER_PX: f64 = 156_543.033_928;

/// Tiles under the map: those of the zoom whose pixels are closest to the map's scale,
/// placed in the SVG's own metres-around-the-household frame.
fn tiles(template: &str, lat0: f64, lon0: f64, m_per_svg_px: f64) -> Vec<(String, f64, f64, f64)> {
    let cos = lat0.to_radians().cos();
    let z = ((EQUATOR_M_PER_PX * cos / m_per_svg_px).log2().round() as i32).clamp(1, 18);
    let n = f64::from(1u32 << z);
    // The household in tile coordinates (fractional).
    let tx = (lon0 + 180.0) / 360.0 * n;
    let lat_r = lat0.to_radians();
    let ty = (1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
    let tile_m = EQUATOR_M_PER_PX * cos / f64::from(1u32 << z) * 256.0;
    let size = tile_m / m_per_svg_px;
    let mut out = Vec::new();
    for dx in -2i32..=2 {
        for dy in -2i32..=2 {
            let (x, y) = (
                tx.floor() as i64 + i64::from(dx),
                ty.floor() as i64 + i64::from(dy),
            );
            if x < 0 || y < 0 || x >= n as i64 || y >= n as i64 {
                continue;
            }
            // The tile's top-left corner, in SVG pixels from the household.
            let left = (x as f64 - tx) * size;
            let top = (y as f64 - ty) * size;
            let url = template
                .replace("{z}", &z.to_string())
                .replace("{x}", &x.to_string())
                .replace("{y}", &y.to_string());
            out.push((url, left, top, size));
        }
    }
    out
}

/// The map, or a line saying there is nothing to draw; over tiles from `tile_template`
/// (`{z}`, `{x}`, `{y}`) when one is configured.
pub fn draw(lang: Lang, record: &RecordV1, geofence_m: f64, tile_template: Option<&str>) -> Markup {
    let household = record.household;
    let f = &record.fixes;
    let fixes: Vec<Fix> = [
        (Text::MapStart, &f.start),
        (Text::MapEnd, &f.end),
        (Text::MapBest, &f.best),
    ]
    .into_iter()
    .filter_map(|(name, fix)| {
        fix.as_ref().map(|x| Fix {
            name,
            lat: x.lat,
            lon: x.lon,
            accuracy: x.accuracy_m,
        })
    })
    .collect();
    let Some((lat0, lon0)) = household.or_else(|| fixes.first().map(|f| (f.lat, f.lon))) else {
        return html! { p { (Text::Nothing.get(lang)) } };
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
        .fold(geofence_m, f64::max)
        * 1.15;
    let s = HALF / extent;
    let px = |x: f64| HALF + x * s;
    let py = |y: f64| HALF - y * s;
    let best = fixes.iter().find(|f| f.name == Text::MapBest);
    let under = tile_template
        .map(|tpl| tiles(tpl, lat0, lon0, 1.0 / s))
        .unwrap_or_default();
    html! {
        svg.map width="320" height="320" viewBox="0 0 320 320" role="img" {
            rect width="320" height="320" fill="#eef3ea" {}
            @for (url, left, top, size) in &under {
                image.tile href=(url) x=(HALF + left) y=(HALF + top) width=(size) height=(size) {}
            }
            @if household.is_some() {
                circle cx=(px(0.0)) cy=(py(0.0)) r=(geofence_m * s) fill="none" stroke="#2e7d32" stroke-dasharray="6 4" {}
                rect x=(px(0.0) - 6.0) y=(py(0.0) - 6.0) width="12" height="12" fill="#2e7d32" {}
                // Down-left of the square: the fixes' labels take the other three directions.
                text x=(px(0.0) - 9.0) y=(py(0.0) + 20.0) font-size="12" text-anchor="end"
                    stroke="#fff" stroke-width="3" paint-order="stroke" { (Text::MapHousehold.get(lang)) }
            }
            @for (i, (f, x, y)) in placed.iter().enumerate() {
                @let colour = COLOURS[i % COLOURS.len()];
                circle cx=(px(*x)) cy=(py(*y)) r=((f.accuracy * s).max(2.0)) fill=(colour) fill-opacity="0.10" stroke=(colour) {}
            }
            @for (i, (f, x, y)) in placed.iter().enumerate() {
                @let colour = COLOURS[i % COLOURS.len()];
                @let (dx, dy) = LABEL_AT[i % LABEL_AT.len()];
                // Fixes often coincide: each label sits out in its own direction, joined to
                // its dot, on a white ground.
                circle cx=(px(*x)) cy=(py(*y)) r="4.5" fill=(colour) stroke="#fff" {}
                line x1=(px(*x)) y1=(py(*y)) x2=(px(*x) + dx) y2=(py(*y) + dy) stroke=(colour) {}
                text.fix x=(px(*x) + dx) y=(py(*y) + dy) font-size="12" fill=(colour)
                    text-anchor=(if dx < 0.0 { "end" } else { "start" })
                    stroke="#fff" stroke-width="3" paint-order="stroke" { (f.name.get(lang)) }
            }
            @if let (Some(b), Some((hl, ho))) = (best, household) {
                @let (x, y) = local(lat0, lon0, b.lat, b.lon);
                line x1=(px(0.0)) y1=(py(0.0)) x2=(px(x)) y2=(py(y)) stroke="#8a1c1c" {}
                text x="8" y="310" font-size="13" fill="#8a1c1c" {
                    (format!("{:.0} m ± {:.0} m", distance_m((hl, ho), (b.lat, b.lon)), b.accuracy))
                }
            }
            text x="230" y="310" font-size="11" { (format!("{} {:.0} m", Text::Geofence.get(lang), geofence_m)) }
        }
        ul.legend.fixes {
            @for (i, (f, _, _)) in placed.iter().enumerate() {
                li {
                    span.swatch style={ "background:" (COLOURS[i % COLOURS.len()]) } {}
                    (f.name.get(lang)) ": ± " (format!("{:.0}", f.accuracy)) " m"
                    @if let Some((hl, ho)) = household {
                        " · " (Text::FromHousehold.fill(lang, &format!("{:.0}", distance_m((hl, ho), (f.lat, f.lon)))))
                    }
                }
            }
            @if household.is_some() {
                li { span.swatch style="border:2px dashed #2e7d32" {} (Text::Geofence.get(lang)) " " (format!("{:.0} m", geofence_m)) }
            }
        }
    }
}
