//! A sync stuck on a slow network while the worker goes on recording: the screens' calls run
//! on the store's first handle, the sync on its second, so neither waits for the other.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use doorstep_ffi::*;

/// HTTP that stops at its first request until told to go on: a sync stuck on a slow network.
struct Gate {
    http: Arc<Http>,
    inside: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    go: Mutex<std::sync::mpsc::Receiver<()>>,
}

impl HttpTransport for Gate {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, PlatformError> {
        if let Some(inside) = self.inside.lock().expect("lock").take() {
            inside.send(()).expect("signal");
            // Bounded, so that a failure cannot hang the suite.
            let _ = self
                .go
                .lock()
                .expect("lock")
                .recv_timeout(std::time::Duration::from_secs(30));
        }
        self.http.send(req)
    }
}

#[test]
fn a_sync_waiting_on_the_network_leaves_the_screens_free() {
    let s = setup();
    let vault = Arc::new(MemoryVault::default());
    let dir = s.dir.path().join("slow").to_string_lossy().into_owned();
    let ds = Doorstep::create_with_vault(dir, "test-keystore".into(), vault).expect("create");
    ds.enroll(Http::new(), s.url.clone(), code(&s))
        .expect("enrol");
    ds.sync(Http::new(), None).expect("roster");
    let (inside_tx, inside_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel();
    let gate = Arc::new(Gate {
        http: Http::new(),
        inside: Mutex::new(Some(inside_tx)),
        go: Mutex::new(go_rx),
    });
    let syncing = {
        let (ds, gate) = (ds.clone(), gate.clone());
        std::thread::spawn(move || ds.sync(gate, None))
    };
    inside_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the sync reached the network");
    // The sync now waits on the network. A worker's calls go on, writes included.
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let screens = {
        let ds = ds.clone();
        std::thread::spawn(move || {
            let due = ds.due_list(10, None).expect("due").len();
            let v = ds.clone().start_visit("A1".into()).expect("start");
            let state = v
                .act(VisitAction::Contact {
                    outcome: Outcome::NobodyHome,
                    present: vec![],
                })
                .expect("act");
            let unsent = ds.status().expect("status").unsent;
            done_tx.send((due, state.step, unsent)).expect("send");
        })
    };
    let (due, step, unsent) = done_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the screens' calls returned while the sync waited");
    assert_eq!(due, 2);
    assert_ne!(step, Step::Knock);
    assert_eq!(unsent, 0);
    go_tx.send(()).expect("go");
    screens.join().expect("screens");
    syncing
        .join()
        .expect("sync thread")
        .expect("the sync went through");
    // The draft the screens wrote meanwhile is there for the sync handle too.
    assert_eq!(ds.status().expect("status").drafts, 1);
    assert_eq!(ds.sync(Http::new(), None).expect("again").sent, 0);
}
