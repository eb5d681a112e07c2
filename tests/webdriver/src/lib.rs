//! Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through
//! chromedriver over HTTP: open pages, find elements, type, click, read text, screenshots.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session; both end when dropped.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Headless Chromium downloading into `downloads`.
    pub fn start(downloads: &std::path::Path) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; .ci/run installs it)");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let root = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent.get(format!("{root}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100"],
                "prefs": {
                    "download.default_directory": downloads.to_str().expect("utf-8"),
                    "download.prompt_for_download": false
                }
            }
        }}});
        let mut r = agent
            .post(format!("{root}/session"))
            .send_json(&caps)
            .expect("new session");
        let v: Value = r.body_mut().read_json().expect("json");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"));
        Browser {
            base: format!("{root}/session/{id}"),
            driver,
            agent,
        }
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let r = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(&b),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        };
        let mut r = r.map_err(|e| e.to_string())?;
        let v: Value = r.body_mut().read_json().map_err(|e| e.to_string())?;
        match v["value"].get("error") {
            Some(err) => Err(format!("{err} {}", v["value"]["message"])),
            None => Ok(v["value"].clone()),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"))
    }

    /// Retries `f` while the page is still being replaced under it (an element found on the
    /// old page goes stale when the new one arrives), for up to ten seconds.
    fn settle<T>(&self, what: &str, f: impl Fn() -> Result<T, String>) -> T {
        let started = Instant::now();
        loop {
            match f() {
                Ok(v) => return v,
                Err(e) if started.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("{what}: {e}"),
            }
        }
    }

    fn element(&self, css: &str) -> Result<String, String> {
        let v = self.try_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element for {css}: {v}"))
    }

    /// Waits until the page's URL contains `part`.
    pub fn wait_url(&self, part: &str) {
        self.settle(&format!("waiting for a URL with {part}"), || {
            let u = self.url();
            if u.contains(part) {
                Ok(())
            } else {
                Err(u)
            }
        });
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn find(&self, css: &str) -> String {
        self.settle(&format!("finding {css}"), || self.element(css))
    }

    pub fn click(&self, css: &str) {
        self.settle(&format!("clicking {css}"), || {
            let e = self.element(css)?;
            self.try_call("POST", &format!("/element/{e}/click"), None)
        });
    }

    pub fn type_into(&self, css: &str, text: &str) {
        self.settle(&format!("typing into {css}"), || {
            let e = self.element(css)?;
            self.try_call("POST", &format!("/element/{e}/clear"), None)?;
            self.try_call(
                "POST",
                &format!("/element/{e}/value"),
                Some(json!({ "text": text })),
            )
        });
    }

    pub fn text(&self, css: &str) -> String {
        self.settle(&format!("reading {css}"), || {
            let e = self.element(css)?;
            let v = self.try_call("GET", &format!("/element/{e}/text"), None)?;
            Ok(v.as_str().unwrap_or_default().to_owned())
        })
    }

    /// Waits until the text of `css` is no longer `was` (the page after a form's post).
    pub fn settle_until_changed(&self, css: &str, was: &str) {
        self.settle(&format!("waiting for {css} to change from {was}"), || {
            let t = self.element(css).and_then(|e| {
                self.try_call("GET", &format!("/element/{e}/text"), None)
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
            })?;
            if t != was {
                Ok(())
            } else {
                Err(t)
            }
        });
    }

    /// Waits until the text of `css` is `want`; returns what it last was.
    pub fn wait_text(&self, css: &str, want: &str) -> String {
        self.settle(&format!("waiting for {css} to read {want}"), || {
            let t = self.element(css).and_then(|e| {
                self.try_call("GET", &format!("/element/{e}/text"), None)
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
            })?;
            if t == want {
                Ok(t)
            } else {
                Err(t)
            }
        })
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` in the page and returns its value.
    pub fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Whether an element matches `css` now.
    pub fn has(&self, css: &str) -> bool {
        let v = self.execute(&format!(
            "return document.querySelector({}) !== null;",
            json!(css)
        ));
        v.as_bool().unwrap_or(false)
    }

    /// Selects the `<option>` with `value` in the `<select>` named by `css`.
    pub fn select(&self, css: &str, value: &str) {
        // Setting the value is what choosing from the list does; clicking an <option> of a
        // closed list is not reliable headless.
        let done = self.execute(&format!(
            "const s = document.querySelector({}); s.value = {}; return s.value;",
            json!(css),
            json!(value)
        ));
        assert_eq!(done.as_str(), Some(value), "{css} has no option {value}");
    }

    /// A PNG of the window, written to `path`.
    pub fn screenshot(&self, path: &std::path::Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64_decode(b64.as_str().expect("base64"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).expect("write screenshot");
    }
}

/// Standard base64 (the screenshot's encoding).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
