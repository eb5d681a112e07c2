//! The main job as a newcomer runs it (`doorstep demo`, here on a free port and smaller): a
//! server with a county, supervisors and simulated phones that ran visits through the real
//! protocol, serving a queue a supervisor can log in to.

use doorstep_tests::spawn_ready;

#[test]
fn the_demo_serves_a_real_queue_to_log_in_to() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    let running = spawn_ready(&[
        "demo",
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
        "--devices",
        "5",
        "--days",
        "2",
        "--recipients",
        "1200",
    ]);
    let v = running.ready.clone();
    for flag in ["too_far", "mock_location", "too_short", "photo_reused"] {
        assert!(v["flags"][flag].as_u64() >= Some(1), "{flag}: {v}");
    }
    assert_eq!(
        v["visits_sealed"], v["visits_receipted"],
        "every visit reached the server"
    );
    assert!(v["visits_sealed"].as_u64() > Some(40), "{v}");
    let returned = v["returned"].as_str().expect("a returned visit").to_owned();
    let corrected_by = v["corrected_by"]
        .as_str()
        .expect("its correction")
        .to_owned();

    // A supervisor logs in with the printed login and finds the queue.
    let url = v["url"].as_str().expect("url");
    let login = &v["logins"][0];
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let r = agent
        .post(format!("{url}/login"))
        .content_type("application/x-www-form-urlencoded")
        .send(format!(
            "login={}&password={}",
            login["login"].as_str().expect("login"),
            login["password"].as_str().expect("password")
        ))
        .expect("login");
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("session")
        .to_owned();
    let get = |path: &str| {
        agent
            .get(format!("{url}{path}"))
            .header("cookie", &cookie)
            .call()
            .expect("get")
            .body_mut()
            .read_to_string()
            .expect("body")
    };
    let queue = get("/queue?flag=any");
    assert!(
        queue.contains("class=\"flag\" data-flag=\"too_far\">"),
        "flagged visits in the queue"
    );
    let original = get(&format!("/visits/{returned}"));
    assert!(
        original.contains(&corrected_by),
        "the returned visit links its correction"
    );
    let correction = get(&format!("/visits/{corrected_by}"));
    assert!(
        correction.contains(&returned),
        "the correction names what it corrects"
    );
    assert!(
        get("/tickets").contains("data-ticket="),
        "tickets in the ledger"
    );
}
