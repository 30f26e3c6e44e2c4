//! The centres' signing keys (SPEC 15.1): SM2 with SM3 (GM/T 0003/0004, the national
//! algorithms, distinguishing id `1234567812345678`) by default, Ed25519 as the
//! alternative, behind one interface keyed by [`Algorithm`]. A private key lives only in
//! its PEM file (mode 0600); the database holds public keys, so a database reader cannot
//! forge. Signatures are base64: SM2's DER (`SEQUENCE { r, s }`, as OpenSSL writes them),
//! Ed25519's 64 bytes.

use std::fmt;
use std::io::Write as _;
use std::path::Path;
use std::str::FromStr;

use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use sha2::{Digest, Sha256};
use sm2::elliptic_curve::pkcs8::LineEnding;

/// The distinguishing id SM2 signatures hash in (GM/T 0009's default, OpenSSL's too).
pub const SM2_DISTID: &str = "1234567812345678";

/// A signature algorithm of certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    /// SM2 with SM3 (the default).
    Sm2,
    /// Ed25519.
    Ed25519,
}

impl Algorithm {
    /// The name certificates carry: `sm2` or `ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sm2 => "sm2",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s {
            "sm2" => Ok(Algorithm::Sm2),
            "ed25519" => Ok(Algorithm::Ed25519),
            other => Err(KeyError(format!("unknown algorithm `{other}`: use `sm2` or `ed25519`"))),
        }
    }
}

/// A key that cannot be made, read or used; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

fn key_error(what: &str) -> impl Fn(&dyn fmt::Display) -> KeyError + '_ {
    move |e| KeyError(format!("{what}: {e}"))
}

enum Secret {
    Sm2(Box<sm2::dsa::SigningKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A centre's private signing key, with its public half.
pub struct SigningKey {
    secret: Secret,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("key_id", &self.public.key_id).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new key from the operating system's random source.
    ///
    /// # Errors
    /// When the random source fails.
    pub fn generate(algorithm: Algorithm) -> Result<SigningKey, KeyError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        loop {
            getrandom::fill(seed.as_mut_slice()).map_err(|e| KeyError(format!("the random source failed: {e}")))?;
            let secret = match algorithm {
                // A scalar of zero or beyond the order is refused: draw again (chance 2^-32).
                Algorithm::Sm2 => match sm2::dsa::SigningKey::from_slice(SM2_DISTID, seed.as_slice()) {
                    Ok(key) => Secret::Sm2(Box::new(key)),
                    Err(_) => continue,
                },
                Algorithm::Ed25519 => Secret::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed))),
            };
            return SigningKey::from_secret(secret);
        }
    }

    /// The key whose secret is `bytes` (for Ed25519 the seed, for SM2 the scalar). For
    /// reproducible test runs only: a key anyone can derive signs nothing real.
    ///
    /// # Errors
    /// When the bytes are not a valid SM2 scalar (zero, or not below the curve's order).
    pub fn from_secret_bytes(algorithm: Algorithm, bytes: &[u8; 32]) -> Result<SigningKey, KeyError> {
        let secret = match algorithm {
            Algorithm::Sm2 => Secret::Sm2(Box::new(
                sm2::dsa::SigningKey::from_slice(SM2_DISTID, bytes).map_err(|e| key_error("an SM2 key")(&e))?,
            )),
            Algorithm::Ed25519 => Secret::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(bytes))),
        };
        SigningKey::from_secret(secret)
    }

    fn from_secret(secret: Secret) -> Result<SigningKey, KeyError> {
        let der = match &secret {
            Secret::Sm2(k) => k.verifying_key().to_public_key_der(),
            Secret::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|e| key_error("encoding the public key")(&e))?;
        let public = PublicKey::from_der(der.as_bytes())?;
        Ok(SigningKey { secret, public })
    }

    /// Reads a PKCS#8 PEM private key (SM2 or Ed25519).
    ///
    /// # Errors
    /// When the text is not such a key.
    pub fn from_pem(pem: &str) -> Result<SigningKey, KeyError> {
        if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
            return SigningKey::from_secret(Secret::Ed25519(Box::new(key)));
        }
        let secret = sm2::SecretKey::from_pkcs8_pem(pem).map_err(|_| {
            KeyError("not a PKCS#8 PEM private key of SM2 or Ed25519 (`-----BEGIN PRIVATE KEY-----`)".into())
        })?;
        let key = sm2::dsa::SigningKey::new(SM2_DISTID, &secret).map_err(|e| key_error("an SM2 key")(&e))?;
        SigningKey::from_secret(Secret::Sm2(Box::new(key)))
    }

    /// The private key as PKCS#8 PEM.
    fn to_pem(&self) -> Result<String, KeyError> {
        let pem = match &self.secret {
            Secret::Sm2(k) => {
                let secret = sm2::SecretKey::from(k.as_nonzero_scalar());
                secret.to_pkcs8_pem(LineEnding::LF).map(|p| p.to_string())
            }
            Secret::Ed25519(k) => k.to_pkcs8_pem(LineEnding::LF).map(|p| p.to_string()),
        };
        pem.map_err(|e| key_error("encoding the private key")(&e))
    }

    /// Reads the key in `path`.
    ///
    /// # Errors
    /// When the file cannot be read, is readable by others than its owner, or holds no key.
    pub fn read_file(path: &Path) -> Result<SigningKey, KeyError> {
        let shown = path.display();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let meta = std::fs::metadata(path).map_err(|e| KeyError(format!("signing key file `{shown}`: {e}")))?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(KeyError(format!("signing key file `{shown}` is readable by others: `chmod 600 {shown}`")));
            }
        }
        let pem = std::fs::read_to_string(path).map_err(|e| KeyError(format!("signing key file `{shown}`: {e}")))?;
        SigningKey::from_pem(&pem).map_err(|e| KeyError(format!("signing key file `{shown}`: {e}")))
    }

    /// Writes the key to `path`, mode 0600, replacing a key there only when `replace`
    /// (the new file is written beside and renamed over, so a crash leaves one whole key).
    ///
    /// # Errors
    /// When the file exists and `replace` is false, or cannot be written.
    pub fn write_file(&self, path: &Path, replace: bool) -> Result<(), KeyError> {
        let shown = path.display();
        if !replace && path.exists() {
            return Err(KeyError(format!(
                "signing key file `{shown}` exists: `keys rotate` replaces a key, or choose another file"
            )));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| KeyError(format!("directory of `{shown}`: {e}")))?;
        }
        let pem = self.to_pem()?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&tmp).and_then(|mut f| {
            f.write_all(pem.as_bytes())?;
            f.sync_all()
        });
        let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&tmp);
            return Err(KeyError(format!("writing signing key file `{shown}`: {e}")));
        }
        Ok(())
    }

    /// The public half.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The signature of `message`, base64.
    pub fn sign(&self, message: &[u8]) -> String {
        use sm2::dsa::signature::Signer as _;
        let bytes = match &self.secret {
            Secret::Sm2(k) => {
                let signature: sm2::dsa::Signature = k.sign(message);
                signature.to_der().to_vec()
            }
            Secret::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
        };
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

/// A public key: what the database stores and `keys export` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// Its algorithm.
    pub algorithm: Algorithm,
    /// 16 hex characters of the SHA-256 of its DER (SubjectPublicKeyInfo).
    pub key_id: String,
    /// SubjectPublicKeyInfo, PEM.
    pub pem: String,
}

impl PublicKey {
    fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let algorithm = if ed25519_dalek::VerifyingKey::from_public_key_der(der).is_ok() {
            Algorithm::Ed25519
        } else if sm2::PublicKey::from_public_key_der(der).is_ok() {
            Algorithm::Sm2
        } else {
            return Err(KeyError("not a public key of SM2 or Ed25519".into()));
        };
        let key_id = hex(&Sha256::digest(der)[..8]);
        let pem = pem_of("PUBLIC KEY", der);
        Ok(PublicKey { algorithm, key_id, pem })
    }

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`) of SM2 or Ed25519.
    ///
    /// # Errors
    /// When the text is not such a key.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PUBLIC KEY-----")
            .skip(1)
            .take_while(|l| *l != "-----END PUBLIC KEY-----")
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .ok()
            .filter(|d| !d.is_empty())
            .ok_or_else(|| KeyError("not a PEM public key (`-----BEGIN PUBLIC KEY-----`)".into()))?;
        PublicKey::from_der(&der)
    }

    /// Whether `signature` (base64) is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        use sm2::dsa::signature::Verifier as _;
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature) else { return false };
        let Some(der) = self.der() else { return false };
        match self.algorithm {
            Algorithm::Sm2 => {
                let Ok(public) = sm2::PublicKey::from_public_key_der(&der) else { return false };
                let Ok(key) = sm2::dsa::VerifyingKey::new(SM2_DISTID, public) else { return false };
                let Ok(signature) = sm2::dsa::Signature::from_der(&bytes) else { return false };
                // DER has one encoding: a signature re-encoded otherwise is not the one signed.
                signature.to_der().as_bytes() == bytes.as_slice() && key.verify(message, &signature).is_ok()
            }
            Algorithm::Ed25519 => {
                let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_der(&der) else { return false };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else { return false };
                key.verify_strict(message, &signature).is_ok()
            }
        }
    }

    fn der(&self) -> Option<Vec<u8>> {
        let body: String = self.pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(body).ok()
    }
}

fn pem_of(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_signs_verifies_and_refuses_a_changed_message_or_key() {
        for algorithm in [Algorithm::Sm2, Algorithm::Ed25519] {
            let key = SigningKey::generate(algorithm).unwrap();
            let other = SigningKey::generate(algorithm).unwrap();
            let signature = key.sign(b"{\"a\":1}");
            assert!(key.public().verifies(b"{\"a\":1}", &signature), "{algorithm}");
            assert!(!key.public().verifies(b"{\"a\":2}", &signature), "{algorithm}");
            assert!(!other.public().verifies(b"{\"a\":1}", &signature), "{algorithm}");
            assert_eq!(key.public().algorithm, algorithm);
            assert_eq!(key.public().key_id.len(), 16);
            let again = SigningKey::from_pem(&key.to_pem().unwrap()).unwrap();
            assert_eq!(again.public(), key.public());
            assert_eq!(PublicKey::from_pem(&key.public().pem).unwrap(), *key.public());
        }
    }
}
