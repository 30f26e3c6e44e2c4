-- Electronic certificates (SPEC 15.1). Numbers are given at recording, gap-free per
-- centre, year and type (given under the centre's register head lock, in the recording's
-- transaction); the certificate's file is its RFC 8785 bytes, its hash in the issuing
-- event. Public keys only: private keys live in their 0600 files, never here.
CREATE TABLE IF NOT EXISTS regflow_certificate_numbers (
    centre TEXT NOT NULL,
    year BIGINT NOT NULL,
    cert_type TEXT NOT NULL,
    seq BIGINT NOT NULL,
    entry_seq BIGINT NOT NULL,
    PRIMARY KEY (centre, year, cert_type, seq)
);

CREATE TABLE IF NOT EXISTS regflow_certificates (
    id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    case_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    entry_seq BIGINT NOT NULL,
    cert_type TEXT NOT NULL,
    number TEXT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    file TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS regflow_certificates_case ON regflow_certificates (centre, case_id);

CREATE TABLE IF NOT EXISTS regflow_signing_keys (
    centre TEXT NOT NULL,
    key_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    PRIMARY KEY (centre, key_id)
);
