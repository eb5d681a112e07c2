//! The CLI's side of `HttpTransport`: blocking HTTP(S) with ureq. (The phone apps implement
//! the same trait with their platform's HTTP stack.) HTTPS trusts Mozilla's roots, or only
//! the certificates in `DOORSTEP_CA_CERT` (PEM) — a county intranet's own CA.

use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use doorstep_core::transport::{Header, HttpRequest, HttpResponse, HttpTransport, TransportError};

/// Larger than any answer the server gives (a roster page, a batch of receipts).
const MAX_RESPONSE: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub struct Ureq {
    agent: ureq::Agent,
}

impl Ureq {
    pub fn new() -> Result<Ureq, String> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)));
        if let Some(path) = std::env::var_os("DOORSTEP_CA_CERT") {
            let pem = std::fs::read(&path)
                .map_err(|e| format!("DOORSTEP_CA_CERT {}: {e}", path.to_string_lossy()))?;
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err("DOORSTEP_CA_CERT holds no PEM certificate".into());
            }
            config = config.tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::Specific(Arc::new(certs)))
                    .build(),
            );
        }
        Ok(Ureq {
            agent: config.build().into(),
        })
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
