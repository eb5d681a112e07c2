//! Charts drawn on the server as SVG inside the page (no script, nothing fetched): the
//! dashboard's weekly visits and the coverage map of the area's villages.

use chrono::NaiveDate;
use doorstep_contract::text::{Lang, Text};
use maud::{html, Markup};

use super::places::Places;
use super::report::Line;

/// Visits per week as bars, the flagged part of each in red, with the week's first day
/// under every other bar.
pub fn weekly(lang: Lang, weeks: &[(NaiveDate, usize, usize)]) -> Markup {
    let (w, h, left, bottom) = (560.0, 180.0, 36.0, 24.0);
    let top = weeks.iter().map(|x| x.1).max().unwrap_or(0).max(1) as f64;
    let slot = (w - left) / weeks.len().max(1) as f64;
    let y = |n: usize| (h - bottom) - (n as f64 / top) * (h - bottom - 12.0);
    html! {
        svg.chart.weekly width="100%" viewBox={ "0 0 " (w) " " (h) } role="img"
            aria-label=(Text::VisitsPerWeek.get(lang)) {
            line x1=(left) y1=(h - bottom) x2=(w) y2=(h - bottom) stroke="#889" {}
            text x=(left - 4.0) y=(y(top as usize) + 4.0) font-size="11" text-anchor="end" { (top) }
            text x=(left - 4.0) y=(h - bottom) font-size="11" text-anchor="end" { "0" }
            @for (i, (start, n, flagged)) in weeks.iter().enumerate() {
                @let x = left + slot * i as f64 + slot * 0.15;
                rect x=(x) y=(y(*n)) width=(slot * 0.7) height=((h - bottom) - y(*n)) fill="#5c7fa3" {
                    title { (start.format("%m-%d")) ": " (n) }
                }
                rect x=(x) y=(y(*flagged)) width=(slot * 0.7) height=((h - bottom) - y(*flagged)) fill="#c62828" {}
                @if i % 2 == 0 {
                    text x=(x + slot * 0.35) y=(h - 8.0) font-size="11" text-anchor="middle" { (start.format("%m-%d")) }
                }
            }
        }
        ul.legend {
            li { span.swatch style="background:#5c7fa3" {} (Text::VisitsPerWeek.get(lang)) }
            li { span.swatch style="background:#c62828" {} (Text::FlaggedVisits.get(lang)) }
        }
    }
}

/// A colour from red (none visited) through amber to green (all visited).
fn coverage_colour(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let (r, g) = if s < 0.5 {
        (200.0, 60.0 + 300.0 * s)
    } else {
        (200.0 - 300.0 * (s - 0.5), 210.0)
    };
    format!("rgb({:.0},{:.0},70)", r, g)
}

/// The area's villages where the roster places them: each a circle sized by its recipients,
/// filled by the share visited in the period, ringed in red by the share overdue; named on
/// hover, and listed beside in a table anyway.
pub fn village_map(lang: Lang, places: &Places, villages: &[Line]) -> Markup {
    let placed: Vec<(&Line, (f64, f64))> = villages
        .iter()
        .filter_map(|v| v.position.map(|p| (v, p)))
        .collect();
    if placed.is_empty() {
        return html! { p.nomap { (Text::NoPositions.get(lang)) } };
    }
    let (size, pad) = (520.0, 30.0);
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (_, (lat, lon)) in &placed {
        lat0 = lat0.min(*lat);
        lat1 = lat1.max(*lat);
        lon0 = lon0.min(*lon);
        lon1 = lon1.max(*lon);
    }
    // One scale for both axes (east-west shrunk by the latitude), so the shape is true.
    let cos = ((lat0 + lat1) / 2.0).to_radians().cos();
    let span = ((lon1 - lon0) * cos).max(lat1 - lat0).max(1e-3);
    let k = (size - 2.0 * pad) / span;
    let px = |lon: f64| pad + (lon - lon0) * cos * k;
    let py = |lat: f64| size - pad - (lat - lat0) * k;
    let biggest = placed
        .iter()
        .map(|(v, _)| v.recipients)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    html! {
        svg.chart.villages width="100%" viewBox={ "0 0 " (size) " " (size) } role="img"
            aria-label=(Text::CoverageMap.get(lang)) {
            rect width=(size) height=(size) fill="#f4f6f0" {}
            @for (v, (lat, lon)) in &placed {
                @let r = 5.0 + 11.0 * (v.recipients as f64 / biggest).sqrt();
                circle.village data-village=(v.code) cx=(px(*lon)) cy=(py(*lat)) r=(r)
                    fill=(coverage_colour(v.coverage()))
                    stroke="#b71c1c" stroke-width=(0.5 + 5.0 * v.overdue_share()) {
                    title {
                        (places.village(&v.code)) ": "
                        (Text::ColVisited.get(lang)) " " (v.visited) "/" (v.recipients) ", "
                        (Text::ColOverdue.get(lang)) " " (v.overdue)
                    }
                }
                text x=(px(*lon)) y=(py(*lat) + r + 10.0) font-size="9" text-anchor="middle"
                    stroke="#fff" stroke-width="2.5" paint-order="stroke" {
                    (places.name(&v.code).unwrap_or(&v.code))
                }
            }
        }
        ul.legend {
            li { span.swatch style={ "background:" (coverage_colour(0.0)) } {} (Text::NoneVisited.get(lang)) }
            li { span.swatch style={ "background:" (coverage_colour(0.5)) } {} "50%" }
            li { span.swatch style={ "background:" (coverage_colour(1.0)) } {} (Text::AllVisited.get(lang)) }
            li { span.swatch style="border:3px solid #b71c1c" {} (Text::RingOverdue.get(lang)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_runs_from_red_to_green() {
        assert_eq!(coverage_colour(0.0), "rgb(200,60,70)");
        assert_eq!(coverage_colour(1.0), "rgb(50,210,70)");
        assert_eq!(coverage_colour(7.0), coverage_colour(1.0));
    }

    #[test]
    fn villages_without_positions_draw_no_map() {
        let line = Line {
            code: "410225100201".into(),
            recipients: 3,
            ..Line::default()
        };
        let out = village_map(Lang::En, &Places::default(), &[line]).into_string();
        assert!(!out.contains("<svg"), "{out}");
    }
}
