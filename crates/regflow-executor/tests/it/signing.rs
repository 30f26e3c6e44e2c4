//! Signatures checked by an implementation regflow did not write: Debian's `openssl`
//! command (OpenSSL 3), as a bank's engineer would check a certificate (SPEC 15.1).

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use regflow_executor::signing::{Algorithm, SigningKey, SM2_DISTID};

/// `openssl pkeyutl -verify` of `signature` over `message` with `key`'s public half.
fn openssl_verifies(dir: &Path, key: &SigningKey, message: &[u8], signature: &str) -> bool {
    let public = dir.join("public.pem");
    let data = dir.join("data");
    let sig = dir.join("sig");
    std::fs::write(&public, &key.public().pem).unwrap();
    std::fs::write(&data, message).unwrap();
    std::fs::write(&sig, base64::engine::general_purpose::STANDARD.decode(signature).unwrap()).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["pkeyutl", "-verify", "-pubin", "-inkey"]).arg(&public).arg("-rawin").arg("-in").arg(&data);
    cmd.arg("-sigfile").arg(&sig);
    if key.public().algorithm == Algorithm::Sm2 {
        cmd.args(["-digest", "sm3", "-pkeyopt", &format!("distid:{SM2_DISTID}")]);
    }
    let out = cmd.output().expect("the `openssl` command (Debian's openssl package) runs");
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || said.contains("Signature Verification Failure"),
        "openssl could not check the signature at all: {said}"
    );
    out.status.success()
}

#[test]
fn openssl_verifies_sm2_and_ed25519_signatures_and_refuses_a_changed_byte() {
    let dir = tempfile_dir();
    for algorithm in [Algorithm::Sm2, Algorithm::Ed25519] {
        let key = SigningKey::generate(algorithm).unwrap();
        let message = "{\"format\":\"regflow-certificate/1\",\"number\":\"青(2026)西宁市不动产权第0000001号\"}";
        let signature = key.sign(message.as_bytes());
        assert!(openssl_verifies(&dir, &key, message.as_bytes(), &signature), "{algorithm}: openssl says invalid");
        let changed = message.replace("0000001", "0000002");
        assert!(!openssl_verifies(&dir, &key, changed.as_bytes(), &signature), "{algorithm}: a changed byte passed");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("regflow-signing-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
