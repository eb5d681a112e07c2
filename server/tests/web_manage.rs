//! What a county office manages in the web app, over real HTTP on each backend: the policy
//! record and the checklist template (issued by the county for its own devices, refused from
//! a township, checked before they are kept, on the audit log) and the supervisors (added, disabled, given a new password,
//! one's own changed), each change ending the changed supervisor's sessions.

mod common;

use common::*;
use doorstep_contract::visit::ChecklistAnswer;
use doorstep_crypto::hex;
use doorstep_server::admin;

struct Office {
    s: Server,
}

fn office() -> Office {
    let s = server();
    for (login, area) in [("zhang", AREA), ("wang", "410225100"), ("li", "410224")] {
        doorstep_server::block_on(admin::add_supervisor(
            s.storage.as_ref(),
            login,
            area,
            "a long password",
            now(),
        ))
        .expect("supervisor");
    }
    Office { s }
}

impl Office {
    /// The status of a login, and the session cookie when it worked.
    fn login(&self, login: &str, password: &str) -> (u16, Option<String>) {
        let r = no_redirects()
            .post(format!("{}/login", self.s.base))
            .content_type("application/x-www-form-urlencoded")
            .send(format!(
                "login={login}&password={}",
                password.replace(' ', "+")
            ))
            .expect("login");
        let cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        (r.status().as_u16(), cookie)
    }

    fn session(&self, login: &str) -> String {
        let (status, cookie) = self.login(login, "a long password");
        assert_eq!(status, 303, "{login} logs in");
        cookie.expect("cookie")
    }

    fn get(&self, cookie: &str, path: &str) -> (u16, String) {
        let mut r = no_redirects()
            .get(format!("{}{path}", self.s.base))
            .header("cookie", cookie)
            .call()
            .expect("http");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    fn post(&self, cookie: &str, path: &str, form: &str) -> (u16, String) {
        let mut r = no_redirects()
            .post(format!("{}{path}", self.s.base))
            .header("cookie", cookie)
            .content_type("application/x-www-form-urlencoded")
            .send(form)
            .expect("http");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    fn csrf(&self, cookie: &str) -> String {
        let (_, page) = self.get(cookie, "/people");
        let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        page[at..at + 32].to_owned()
    }

    fn audited(&self, action: &str) -> Vec<(String, String)> {
        self.s
            .db
            .rows(&format!(
                "SELECT actor, subject FROM audit_log WHERE action = '{action}' ORDER BY at, subject"
            ))
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    }
}

/// The policy form with every field as the page shows it, `changes` replacing some.
fn policy_form(page: &str, csrf: &str, changes: &[(&str, &str)]) -> String {
    let mut form = format!("csrf={csrf}");
    for part in page.split("<input id=\"").skip(1) {
        let name = part.split('"').next().expect("name");
        let value = part
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .expect("value");
        let value = changes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value, |(_, v)| *v);
        form.push_str(&format!("&{name}={value}"));
    }
    form
}

#[test]
fn the_county_issues_its_policy_and_its_devices_take_it() {
    let o = office();
    let county = o.session("zhang");
    let csrf = o.csrf(&county);
    let (status, page) = o.get(&county, "/policy");
    assert_eq!(status, 200);
    assert!(
        page.contains("value=\"60\""),
        "the default elderly interval"
    );
    let form = policy_form(&page, &csrf, &[("elderly", "20"), ("geofence_m", "150")]);
    let (status, _) = o.post(&county, "/policy", &form);
    assert_eq!(status, 303);
    let (_, page) = o.get(&county, "/policy");
    assert!(page.contains("id=\"elderly\"") && page.contains("value=\"20\""));
    assert_eq!(o.audited("issue-policy").len(), 1);
    assert_eq!(o.audited("issue-policy")[0].0, "zhang");

    // The county's devices take it; another county's keep the default.
    let ours = o.s.enrol();
    let (_, pulled) = o.s.signed(&ours, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(pulled["policy"]["visit_intervals"]["elderly"], 20);
    assert_eq!(pulled["policy"]["evidence"]["geofence_m"], 150.0);
    let theirs = o.s.enrol_in("410224");
    let (_, pulled) = o.s.signed(&theirs, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(pulled["policy"]["visit_intervals"]["elderly"], 60);

    // A value no device could apply is refused, shown with the reason, and nothing issued.
    let (_, page) = o.get(&county, "/policy");
    let (status, body) = o.post(
        &county,
        "/policy",
        &policy_form(&page, &csrf, &[("geofence_m", "0")]),
    );
    assert_eq!(status, 422);
    assert!(body.contains("policy-error"));
    let (status, _) = o.post(
        &county,
        "/policy",
        &policy_form(&page, &csrf, &[("minor", "soon")]),
    );
    assert_eq!(status, 422);
    assert_eq!(o.audited("issue-policy").len(), 1);

    // A township reads the policy in force and cannot issue one.
    let township = o.session("wang");
    let (_, page) = o.get(&township, "/policy");
    assert!(page.contains("value=\"20\"") && page.contains("disabled"));
    let tcsrf = o.csrf(&township);
    let (status, _) = o.post(
        &township,
        "/policy",
        &policy_form(&page, &tcsrf, &[("elderly", "10")]),
    );
    assert_eq!(status, 403);
    assert_eq!(o.audited("issue-policy").len(), 1);
}

/// `text` as a form value: every byte but letters and digits percent-encoded.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The form a browser would post from `page`: every input with a name and its value (a
/// checkbox only when checked), `changes` replacing or adding values.
fn form_of(page: &str, changes: &[(&str, &str)]) -> String {
    let attr = |tag: &str, name: &str| {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .map(|v| v.replace("&amp;", "&").replace("&quot;", "\""))
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for tag in page
        .split("<input")
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
    {
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let checkbox = attr(tag, "type").as_deref() == Some("checkbox");
        if checkbox && !tag.contains(" checked") {
            continue;
        }
        fields.push((name, attr(tag, "value").unwrap_or_default()));
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
        .iter()
        .map(|(n, v)| format!("{n}={}", encoded(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn the_county_issues_a_checklist_version_and_each_visit_reads_its_own() {
    let o = office();
    let county = o.session("zhang");
    let (status, page) = o.get(&county, "/checklist");
    assert_eq!(status, 200);
    assert!(
        page.contains("社保卡在手（或已申领、挂失补办）"),
        "the built-in template"
    );
    assert!(page.contains("id=\"version\">1<"));

    // Reword one question, remove one, add one asked of a proxy only.
    let (row_card, row_pin) = (1, 5);
    assert!(page.contains(&format!("name=\"key_{row_card}\" value=\"card_in_hand\"")));
    assert!(page.contains(&format!("name=\"key_{row_pin}\" value=\"bank_pin_set\"")));
    let form = form_of(
        &page,
        &[
            (&format!("zh_{row_card}"), "社保卡已在本人手中"),
            (&format!("drop_{row_pin}"), "1"),
            ("zh_11", "告知补贴发放日期"),
            ("en_11", "Told when subsidies are paid"),
            ("proxy_11", "1"),
        ],
    );
    let (status, body) = o.post(&county, "/checklist", &form);
    assert_eq!(status, 303, "{body}");
    let (_, page) = o.get(&county, "/checklist");
    assert!(page.contains("id=\"version\">2<"));
    assert!(page.contains("社保卡已在本人手中") && page.contains("告知补贴发放日期"));
    assert!(!page.contains("设置或重置银行密码"));
    assert_eq!(
        o.audited("issue-checklist"),
        vec![("zhang".to_owned(), format!("2 {AREA}"))]
    );

    // The county's devices take it; another county's keep the built-in.
    let ours = o.s.enrol();
    let (_, pulled) = o.s.signed(&ours, "GET", "/api/v1/roster?since=0", b"");
    let template = &pulled["template"];
    assert_eq!(template["version"], 2);
    let items = template["items"].as_array().expect("items");
    assert_eq!(items.len(), 11);
    assert_eq!(items[row_card]["key"], "card_in_hand");
    assert_eq!(items[row_card]["label"]["zh"], "社保卡已在本人手中");
    assert!(items.iter().all(|i| i["key"] != "bank_pin_set"));
    let added = items.last().expect("the new question");
    assert_eq!(added["label"]["en"], "Told when subsidies are paid");
    assert_eq!(added["proxy_only"], true);
    let added_key = added["key"].as_str().expect("a key").to_owned();
    assert!(added_key.starts_with("q_"), "{added_key}");
    let theirs = o.s.enrol_in("410224");
    let (_, pulled) = o.s.signed(&theirs, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(pulled["template"]["version"], 1);

    // Each visit page reads the version its visit answered.
    let recipient = first_recipient(&o.s, &ours);
    let old = record_with(&ours, "V-OLD", 1, &recipient, |r| {
        r.checklist
            .insert("bank_pin_set".into(), ChecklistAnswer::Done);
        r.checklist
            .insert("card_in_hand".into(), ChecklistAnswer::Done);
    });
    let new = seal(&ours, &{
        let mut r = blank(&ours, "V-NEW", 2, Some(&old_hash(&old)), &recipient);
        r.checklist_version = 2;
        r.checklist.insert(added_key.clone(), ChecklistAnswer::Done);
        r.checklist
            .insert("card_in_hand".into(), ChecklistAnswer::Done);
        r
    });
    let (status, body) = push(&o.s, &ours, &[old, new]);
    assert_eq!(status, 200, "{body}");
    let (_, old_page) = o.get(&county, "/visits/V-OLD");
    assert!(
        old_page.contains("社保卡在手（或已申领、挂失补办）")
            && old_page.contains("设置或重置银行密码")
    );
    let (_, new_page) = o.get(&county, "/visits/V-NEW");
    assert!(new_page.contains("社保卡已在本人手中") && new_page.contains("告知补贴发放日期"));
    assert!(
        !new_page.contains(&format!(">{added_key}")),
        "the new question by its words, not its key"
    );

    // Nothing changed issues nothing; a template no worker could answer is refused with the
    // reason; a township reads the one in force and cannot issue one.
    let (_, page) = o.get(&county, "/checklist");
    let (status, body) = o.post(&county, "/checklist", &form_of(&page, &[]));
    assert_eq!(status, 200);
    assert!(body.contains("checklist-note"));
    let everything_dropped: Vec<(String, &str)> =
        (0..11).map(|n| (format!("drop_{n}"), "1")).collect();
    let dropped: Vec<(&str, &str)> = everything_dropped
        .iter()
        .map(|(n, v)| (n.as_str(), *v))
        .collect();
    let (status, body) = o.post(&county, "/checklist", &form_of(&page, &dropped));
    assert_eq!(status, 422);
    assert!(
        body.contains("checklist-error") && body.contains("清单须有1至40项"),
        "{body}"
    );
    let (status, _) = o.post(
        &county,
        "/checklist",
        &form_of(&page, &[("zh_11", "只有中文的问题")]),
    );
    assert_eq!(status, 422, "a question without its English");
    assert_eq!(o.audited("issue-checklist").len(), 1);

    let township = o.session("wang");
    let (_, page) = o.get(&township, "/checklist");
    assert!(page.contains("社保卡已在本人手中") && page.contains("disabled"));
    let (status, _) = o.post(
        &township,
        "/checklist",
        &form_of(&page, &[("csrf", &o.csrf(&township)), ("zh_0", "改")]),
    );
    assert_eq!(status, 403);
    assert_eq!(o.audited("issue-checklist").len(), 1);
}

/// The hash of a sealed record, as the next one in its device's chain names it.
fn old_hash((record, _): &(String, String)) -> String {
    hex(&doorstep_crypto::sha256(record.as_bytes()))
}

#[test]
fn supervisors_are_added_disabled_and_given_new_passwords_by_those_above_them() {
    let o = office();
    let county = o.session("zhang");
    let csrf = o.csrf(&county);
    let (_, people) = o.get(&county, "/people");
    assert!(people.contains("data-login=\"wang\"") && !people.contains("data-login=\"li\""));

    // Added for a township of the county: logs in.
    let (status, _) = o.post(
        &county,
        "/people/add",
        &format!("csrf={csrf}&login=zhao&area=410225100&password=another+password"),
    );
    assert_eq!(status, 200);
    assert_eq!(o.login("zhao", "another password").0, 303);
    // Not for an area outside the county.
    let (status, _) = o.post(
        &county,
        "/people/add",
        &format!("csrf={csrf}&login=qian&area=410224&password=another+password"),
    );
    assert_eq!(status, 404);
    assert_eq!(o.login("qian", "another password").0, 401);

    // Disabled: the open session ends and the login is refused; enabled again, it works.
    let wang = o.session("wang");
    let (status, _) = o.post(
        &county,
        "/people/change",
        &format!("csrf={csrf}&login=wang&action=disable"),
    );
    assert_eq!(status, 200);
    assert_eq!(o.get(&wang, "/queue").0, 303, "the session ended");
    assert_eq!(o.login("wang", "a long password").0, 401);
    o.post(
        &county,
        "/people/change",
        &format!("csrf={csrf}&login=wang&action=enable"),
    );
    assert_eq!(o.login("wang", "a long password").0, 303);

    // A new password for one who forgot theirs: the old one stops working.
    let (status, _) = o.post(
        &county,
        "/people/change",
        &format!("csrf={csrf}&login=wang&action=password&password=brand+new+secret"),
    );
    assert_eq!(status, 200);
    assert_eq!(o.login("wang", "a long password").0, 401);
    assert_eq!(o.login("wang", "brand new secret").0, 303);
    // Too short is refused with the reason.
    let (status, body) = o.post(
        &county,
        "/people/change",
        &format!("csrf={csrf}&login=wang&action=password&password=short"),
    );
    assert_eq!((status, body.contains("id=\"said\"")), (422, true));

    // Nobody manages a supervisor above or beside their area, nor disables themselves.
    let wang = o.session_with("wang", "brand new secret");
    let wcsrf = o.csrf(&wang);
    for login in ["zhang", "li", "wang"] {
        let (status, _) = o.post(
            &wang,
            "/people/change",
            &format!("csrf={wcsrf}&login={login}&action=disable"),
        );
        assert_eq!(status, 404, "{login}");
    }
    assert_eq!(o.login("zhang", "a long password").0, 303);

    // One's own password, given the current one; the session ends with it.
    let (status, _) = o.post(
        &county,
        "/people/own",
        &format!("csrf={csrf}&current=wrong+guess&password=my+new+password"),
    );
    assert_eq!(status, 422);
    let (status, _) = o.post(
        &county,
        "/people/own",
        &format!("csrf={csrf}&current=a+long+password&password=my+new+password"),
    );
    assert_eq!(status, 303);
    assert_eq!(o.get(&county, "/queue").0, 303);
    assert_eq!(o.login("zhang", "my new password").0, 303);

    let actions: Vec<String> = [
        "add-supervisor",
        "disable-supervisor",
        "enable-supervisor",
        "set-password",
    ]
    .iter()
    .map(|a| format!("{a}:{}", o.audited(a).len()))
    .collect();
    assert_eq!(
        actions,
        [
            "add-supervisor:4",
            "disable-supervisor:1",
            "enable-supervisor:1",
            "set-password:2"
        ]
    );
    assert!(o
        .audited("set-password")
        .iter()
        .all(|(actor, _)| actor == "zhang"));
}

impl Office {
    fn session_with(&self, login: &str, password: &str) -> String {
        let (status, cookie) = self.login(login, password);
        assert_eq!(status, 303, "{login} logs in");
        cookie.expect("cookie")
    }
}
