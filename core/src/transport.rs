//! HTTP is the platform's: the shells implement [`HttpTransport`] with their own stack
//! (OkHttp or HttpURLConnection, URLSession; the CLI in Rust), which handles proxies and
//! certificates. The core builds each request and reads each response.
//!
//! A transport must not call back into the store: it is called while the core holds it.

/// One header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET, POST or PUT.
    pub method: String,
    /// The full URL: the server's base and the API path.
    pub url: String,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

/// The request did not complete: no connection, a timeout, a cut (in the platform's words).
/// Whether the server acted on it is unknown, which the protocol is built to survive (every
/// push is idempotent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends one request and returns the server's answer, whatever its status.
pub trait HttpTransport: Send + Sync {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}
