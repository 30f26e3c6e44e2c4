//! A certificate in the making (SPEC 15.1): the centres' signing keys an engine holds and
//! the document `issue_certificate` plans before `decide` and stores after it. A floor
//! below both the engine and the certificate code, so neither imports the other.

use std::sync::Arc;

use regflow_process::register::certificate::{CertificateRef, Document};
use regflow_process::CentreId;

use crate::error::{Error, Result};
use crate::signing::{Algorithm, SigningKey};

/// A certificate `issue_certificate` is about to write: planned before `decide`, stored
/// after its event.
pub(crate) struct Planned {
    /// The unsigned document.
    pub(crate) document: Document,
    /// Its id and hash, for the event.
    pub(crate) reference: CertificateRef,
    /// The key that signs it.
    pub(crate) key: Arc<SigningKey>,
    /// The recording entry it was numbered on.
    pub(crate) entry_seq: u64,
    /// Whether the key's public half is already stored (else it is, with the certificate).
    pub(crate) key_stored: bool,
}

/// The centres' signing keys this engine holds.
#[derive(Default)]
pub(crate) struct Keys {
    /// Keys given to the builder or made for this process, per centre.
    held: std::sync::Mutex<std::collections::HashMap<CentreId, (Arc<SigningKey>, bool)>>,
}

impl Keys {
    /// `centre`'s key and whether its public half is known to be stored; one is made for
    /// this process (and logged) when none was given, its public half stored with each
    /// certificate it signs.
    pub(crate) fn of(&self, centre: &CentreId) -> Result<(Arc<SigningKey>, bool)> {
        let mut held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((key, stored)) = held.get(centre) {
            return Ok((key.clone(), *stored));
        }
        let key = Arc::new(SigningKey::generate(Algorithm::Sm2).map_err(|e| Error::Key(e.0))?);
        tracing::warn!(
            centre = %centre,
            key_id = %key.public().key_id,
            "no signing key configured for the centre: made an SM2 key for this process only (configure `signing_key_file`)"
        );
        held.insert(centre.clone(), (key.clone(), false));
        Ok((key, false))
    }

    /// Holds `key` for `centre`, its public half already stored.
    pub(crate) fn give(&self, centre: CentreId, key: SigningKey) {
        let mut held = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.insert(centre, (Arc::new(key), true));
    }
}
