//! A real sync server in this process, on an ephemeral loopback port, and a real HTTP
//! transport for the core's sync to talk to it.

use std::path::Path;
use std::sync::Arc;

use doorstep_core::transport::{Header, HttpRequest, HttpResponse, HttpTransport, TransportError};

/// A server running until dropped.
#[derive(Debug)]
pub struct LiveServer {
    pub url: String,
    pub storage: Arc<doorstep_server::SqliteStorage>,
    _running: doorstep_server::Background,
}

pub fn start_server(data: &Path) -> LiveServer {
    let storage = doorstep_server::open(data).expect("open server data");
    let state = doorstep_server::AppState::new(
        storage.clone(),
        doorstep_server::media_store(data, None).expect("media folder"),
    );
    let running =
        doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, None).expect("serve");
    LiveServer {
        url: running.url(),
        storage,
        _running: running,
    }
}

/// HTTP over ureq, as the CLI does it.
#[derive(Debug)]
pub struct UreqTransport(ureq::Agent);

impl Default for UreqTransport {
    fn default() -> Self {
        UreqTransport(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        )
    }
}

impl HttpTransport for UreqTransport {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(req.url.as_str());
        for h in &req.headers {
            b = b.header(h.name.as_str(), h.value.as_str());
        }
        let request = b
            .body(req.body)
            .map_err(|e| TransportError(e.to_string()))?;
        let mut r = self
            .0
            .run(request)
            .map_err(|e| TransportError(e.to_string()))?;
        let headers = r
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some(Header {
                    name: k.as_str().to_owned(),
                    value: v.to_str().ok()?.to_owned(),
                })
            })
            .collect();
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .map_err(|e| TransportError(e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
