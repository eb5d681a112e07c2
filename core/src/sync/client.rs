//! Signs and sends the requests of one enrolled device, and measures its clock against the
//! server's on every answer.

use serde::de::DeserializeOwned;

use crate::crypto::{random_hex, DeviceKey};
use crate::error::{Error, Result, SyncError};
use crate::transport::{Header, HttpRequest, HttpResponse, HttpTransport};
use doorstep_contract::wire::{
    signed_headers, ErrorBody, API_PREFIX, HEADER_SERVER_TIME, MAX_SKEW_SECS,
};

pub(super) fn protocol(what: &'static str) -> Error {
    Error::Sync(SyncError::Protocol(what))
}

/// A JSON answer as its typed message, or a protocol error naming what could not be read.
pub(super) fn parse<T: DeserializeOwned>(r: &HttpResponse, what: &'static str) -> Result<T> {
    serde_json::from_slice(&r.body).map_err(|_| protocol(what))
}

/// The server's words about a refused request (its `message`), or the status alone.
pub(super) fn refused(r: &HttpResponse) -> Error {
    let message = serde_json::from_slice::<ErrorBody>(&r.body)
        .map(|m| m.message)
        .unwrap_or_default();
    Error::Sync(SyncError::Refused {
        status: r.status,
        message,
    })
}

pub(super) fn header(name: &str, value: String) -> Header {
    Header {
        name: name.to_owned(),
        value,
    }
}

pub(super) struct Client<'a> {
    pub transport: &'a dyn HttpTransport,
    pub base: String,
    pub device_id: String,
    pub key: DeviceKey,
    /// The device's Unix time for this sync.
    pub now: i64,
    /// Server time minus device time, once an answer said.
    pub skew: Option<i64>,
}

impl Client<'_> {
    pub fn call(&mut self, method: &str, path: &str, body: Vec<u8>) -> Result<HttpResponse> {
        let path = format!("{API_PREFIX}{path}");
        let nonce = random_hex(12)?;
        let signed = signed_headers(
            &self.key,
            &self.device_id,
            method,
            &path,
            self.now,
            &nonce,
            &body,
        );
        let mut headers: Vec<Header> = signed.into_iter().map(|(n, v)| header(n, v)).collect();
        headers.push(header("content-type", "application/json".into()));
        let response = self
            .transport
            .send(HttpRequest {
                method: method.to_owned(),
                url: format!("{}{path}", self.base),
                headers,
                body,
            })
            .map_err(|e| Error::Sync(e.into()))?;
        if let Some(server) = response
            .header(HEADER_SERVER_TIME)
            .and_then(|t| t.parse::<i64>().ok())
        {
            self.skew = Some(server - self.now);
        }
        if response.status == 401 {
            if let Some(skew) = self.skew.filter(|s| s.abs() > MAX_SKEW_SECS) {
                return Err(Error::Sync(SyncError::ClockSkew { skew_secs: skew }));
            }
        }
        Ok(response)
    }

    /// A call that must answer 200, read as `T`.
    pub fn ok<T: DeserializeOwned>(
        &mut self,
        method: &str,
        path: &str,
        body: Vec<u8>,
        what: &'static str,
    ) -> Result<T> {
        let r = self.call(method, path, body)?;
        if r.status == 200 {
            parse(&r, what)
        } else {
            Err(refused(&r))
        }
    }
}
