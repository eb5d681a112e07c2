//! The page shell every screen shares: language, navigation, a small stylesheet that works
//! on a tablet and on an intranet with no internet (nothing is fetched from elsewhere).

use axum::extract::Query;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use super::session::{cookie, Visitor};
use doorstep_contract::text::{Lang, Text};

const STYLE: &str = "
body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif;margin:0;color:#1d2733;background:#f5f6f8}
header{background:#8a1c1c;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:center;flex-wrap:wrap}
header a,header button{color:#fff;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer}
header .who{margin-left:auto}
main{padding:1em;max-width:72em;margin:auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #dde;padding:.45em .5em;text-align:left;vertical-align:top}
tr.flagged td:first-child{border-left:4px solid #c62828}
.flag{display:inline-block;background:#fdecea;color:#8a1c1c;border-radius:3px;padding:0 .35em;margin:.1em;font-size:.9em}
.error{color:#b71c1c;font-weight:bold}
.ok{color:#1b5e20}
.overdue{color:#b71c1c;font-weight:bold}
form.filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin-bottom:1em}
form.filters label,form.login label{display:flex;flex-direction:column;font-size:.9em}
form.login{max-width:20em;margin:3em auto;display:flex;flex-direction:column;gap:.8em;background:#fff;padding:1.5em}
input,select,textarea,button{font:inherit;padding:.35em}
section{background:#fff;margin:1em 0;padding:.8em 1em}
.counts span{margin-right:1em}
img.photo{max-width:16em;margin:.3em}
img.sig{max-width:20em;border:1px solid #ccd}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.8em;margin:1em 0}
.tile{background:#fff;padding:.7em .9em;color:inherit;text-decoration:none;border-top:3px solid #8a1c1c;display:block}
.tile strong{display:block;font-size:1.8em}
.tile.warn strong{color:#b71c1c}
.legend{font-size:.9em;list-style:none;padding:0}
.legend li{margin:.15em 0}
.swatch{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em;border:1px solid #8889}
td.num,th.num{text-align:right}
svg text{font-family:inherit}
svg.villages{max-width:40em}svg.weekly{max-width:48em}
@media print{header,form,nav,.noprint{display:none!important}body{background:#fff}main{max-width:none;padding:0}
section{margin:.4em 0;padding:0;break-inside:avoid}a{color:inherit;text-decoration:none}img.photo{max-width:30%}}
";

/// Chinese unless the `lang` cookie says English.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, "lang") {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// A whole page, ready to send.
pub fn page(lang: Lang, title: &str, visitor: Option<&Visitor>, body: Markup) -> Html<String> {
    Html(shell(lang, title, visitor, body).into_string())
}

fn shell(lang: Lang, title: &str, visitor: Option<&Visitor>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (Text::AppTitle.get(lang)) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { (Text::AppTitle.get(lang)) }
                    @if let Some(v) = visitor {
                        a href="/" { (Text::Dashboard.get(lang)) }
                        a href="/queue" { (Text::ReviewQueue.get(lang)) }
                        a href="/tickets" { (Text::Tickets.get(lang)) }
                        a href="/coverage" { (Text::Coverage.get(lang)) }
                        a href="/admin" { (Text::Administration.get(lang)) }
                        a href="/policy" { (Text::Policy.get(lang)) }
                        a href="/checklist" { (Text::Checklist.get(lang)) }
                        a href="/people" { (Text::Supervisors.get(lang)) }
                        span.who {
                            (v.session.login) " · " (v.places.area(&v.session.area)) " "
                            form method="post" action="/logout" style="display:inline" {
                                input type="hidden" name="csrf" value=(v.session.csrf);
                                button type="submit" { (Text::LogOut.get(lang)) }
                            }
                        }
                    }
                    a href={ "/lang?to=" (if lang == Lang::Zh { "en" } else { "zh" }) } {
                        (if lang == Lang::Zh { Text::English.get(lang) } else { Text::Chinese.get(lang) })
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct To {
    to: String,
}

/// Switches the language and goes back where the supervisor was (same site only).
pub async fn switch_lang(headers: HeaderMap, Query(q): Query<To>) -> Response {
    let lang = if q.to == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_owned()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("lang={lang}; Path=/; SameSite=Strict; Max-Age=31536000");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
