//! The traits the platform shells implement in their own language: the key store that wraps
//! the data key (Android Keystore, iOS Keychain), HTTP, and an observer of a sync's progress.
//! The key store runs while the store is held: it must not call back into the `Doorstep`
//! object. HTTP and the observer run on the store's second handle (enrolment and sync): they
//! may read through the `Doorstep` meanwhile, but not start another sync or enrolment.

use std::sync::Arc;

use doorstep_core::crypto::{CryptoError, KeyWrapper};
use doorstep_core::sync::SyncStage;
use doorstep_core::transport as core_sync;

use crate::errors::PlatformError;

/// A platform key store: wraps a secret under a key it never releases, binding `aad`.
#[uniffi::export(with_foreign)]
pub trait KeyVault: Send + Sync {
    fn wrap(&self, aad: Vec<u8>, secret: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    fn unwrap(&self, aad: Vec<u8>, wrapped: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// The core's view of a foreign key store.
pub struct ForeignWrapper(pub Arc<dyn KeyVault>);

impl KeyWrapper for ForeignWrapper {
    fn wrap(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0
            .wrap(aad.to_vec(), secret.to_vec())
            .map_err(|e| CryptoError::Vault(e.to_string()))
    }

    fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0
            .unwrap(aad.to_vec(), wrapped.to_vec())
            .map_err(|_| CryptoError::Decrypt)
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<HttpHeader>,
    pub body: Vec<u8>,
}

/// The platform's HTTP stack: sends one request, returns the answer whatever its status;
/// an error only when no answer came.
#[uniffi::export(with_foreign)]
pub trait HttpTransport: Send + Sync {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, PlatformError>;
}

/// The core's view of a foreign HTTP stack.
pub struct ForeignTransport(pub Arc<dyn HttpTransport>);

impl core_sync::HttpTransport for ForeignTransport {
    fn send(
        &self,
        r: core_sync::HttpRequest,
    ) -> Result<core_sync::HttpResponse, core_sync::TransportError> {
        let headers = r
            .headers
            .into_iter()
            .map(|h| HttpHeader {
                name: h.name,
                value: h.value,
            })
            .collect();
        let answer = self
            .0
            .send(HttpRequest {
                method: r.method,
                url: r.url,
                headers,
                body: r.body,
            })
            .map_err(|e| core_sync::TransportError(e.to_string()))?;
        Ok(core_sync::HttpResponse {
            status: answer.status,
            headers: answer
                .headers
                .into_iter()
                .map(|h| core_sync::Header {
                    name: h.name,
                    value: h.value,
                })
                .collect(),
            body: answer.body,
        })
    }
}

/// Told how a sync is going, for a progress bar: `done` of `total` in the current stage. It
/// is called on the thread running the sync; a screen posts to its own thread.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn progress(&self, stage: SyncStage, done: u64, total: u64);
}
