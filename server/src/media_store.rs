//! Where complete photos and signature images live, each under its SHA-256: a folder of the
//! data directory (the embedded default) or an S3-compatible object store (Huawei OBS, Alibaba
//! OSS, Tencent COS, Ceph RGW, MinIO) when a province outgrows one machine. Uploads are staged
//! in the database chunk by chunk, checked against their hash, then written here in one PUT
//! and the staging emptied (see `api::media`). Content addressing makes a repeated PUT of the
//! same hash harmless, so two server processes finishing the same photo cannot disagree.

use std::path::Path;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Where an S3-compatible store is and how to address it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// `https://obs.cn-north-4.myhuaweicloud.com`, `http://127.0.0.1:9000`…; None: AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// Virtual-host style (`bucket.endpoint/key`, what OBS, OSS and COS expect) or path style
    /// (`endpoint/bucket/key`, what MinIO and Ceph RGW usually serve).
    pub virtual_host: bool,
    pub access_key: String,
    pub secret_key: String,
}

// The secret never reaches a log line or an error.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("virtual_host", &self.virtual_host)
            .finish_non_exhaustive()
    }
}

/// The media store failed (unreachable, refused, damaged). The words name the store's kind,
/// never a photo's content or a key.
#[derive(Debug, thiserror::Error)]
#[error("the media store ({kind}) failed: {reason}")]
pub struct MediaStoreError {
    kind: &'static str,
    reason: String,
}

#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    kind: &'static str,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("kind", &self.kind)
            .finish()
    }
}

impl MediaStore {
    /// `dir` (created owner-only when missing) holds one file per hash.
    pub fn folder(dir: &Path) -> Result<MediaStore, MediaStoreError> {
        crate::create_private_dir(dir).map_err(|e| MediaStoreError {
            kind: "folder",
            reason: e.to_string(),
        })?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(|e| Self::failed("folder", e))?;
        Ok(MediaStore {
            inner: Arc::new(fs),
            kind: "folder",
        })
    }

    pub fn s3(c: &S3Config) -> Result<MediaStore, MediaStoreError> {
        crate::install_crypto();
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&c.bucket)
            .with_region(&c.region)
            .with_access_key_id(&c.access_key)
            .with_secret_access_key(&c.secret_key)
            .with_virtual_hosted_style_request(c.virtual_host);
        if let Some(e) = &c.endpoint {
            // A store on the county's own network may speak plain HTTP behind its firewall.
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
        }
        let s3 = b.build().map_err(|e| Self::failed("s3", e))?;
        Ok(MediaStore {
            inner: Arc::new(s3),
            kind: "s3",
        })
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// `media/ab/abcdef…`: two hex digits of fan-out keep a folder's listing short.
    fn path(sha256_hex: &str) -> ObjectPath {
        ObjectPath::from(format!("media/{}/{sha256_hex}", &sha256_hex[..2]))
    }

    /// Writes the bytes of a checked hash (again is harmless: the same bytes).
    pub async fn put(&self, sha256_hex: &str, bytes: Vec<u8>) -> Result<(), MediaStoreError> {
        self.inner
            .put(&Self::path(sha256_hex), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|e| Self::failed(self.kind, e))
    }

    /// The bytes under a hash; None when the store has none.
    pub async fn get(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, MediaStoreError> {
        match self.inner.get(&Self::path(sha256_hex)).await {
            Ok(r) => r
                .bytes()
                .await
                .map(|b| Some(b.to_vec()))
                .map_err(|e| Self::failed(self.kind, e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Self::failed(self.kind, e)),
        }
    }

    fn failed(kind: &'static str, e: object_store::Error) -> MediaStoreError {
        // object_store's messages name the path (a hash) and the endpoint, not the content.
        MediaStoreError {
            kind,
            reason: e.to_string(),
        }
    }
}
