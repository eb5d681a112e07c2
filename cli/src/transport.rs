//! The CLI's side of `HttpTransport`: blocking HTTP with ureq. (The phone apps implement the
//! same trait with their platform's HTTP stack.)

use std::time::Duration;

use doorstep_core::sync::{Header, HttpRequest, HttpResponse, HttpTransport, TransportError};

/// Larger than any answer the server gives (a roster page, a batch of receipts).
const MAX_RESPONSE: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub struct Ureq {
    agent: ureq::Agent,
}

impl Ureq {
    pub fn new() -> Ureq {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ureq { agent }
    }
}

fn transport_error(e: ureq::Error) -> TransportError {
    TransportError(e.to_string())
}

impl HttpTransport for Ureq {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(req.url.as_str());
        for h in &req.headers {
            builder = builder.header(h.name.as_str(), h.value.as_str());
        }
        let request = builder
            .body(req.body)
            .map_err(|e| TransportError(e.to_string()))?;
        let mut response = self.agent.run(request).map_err(transport_error)?;
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some(Header {
                    name: k.as_str().to_owned(),
                    value: v.to_str().ok()?.to_owned(),
                })
            })
            .collect();
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(transport_error)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
