//! What a county office manages in the web app, over real HTTP on each backend: the policy
//! record (issued by the county for its own devices, refused from a township, checked before
//! it is kept, on the audit log) and the supervisors (added, disabled, given a new password,
//! one's own changed), each change ending the changed supervisor's sessions.

mod common;

use common::*;
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
