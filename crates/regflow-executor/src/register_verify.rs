//! Verifying a centre's register (SPEC 13.6): the chain of entries (an edited, deleted or
//! inserted entry is named by `seq`), the columns against each entry's hashed body, the
//! rebuild of every unit from its entries, and events and entries one for one.

use regflow_process::register::{Entry, UnitRegister};
use regflow_process::{Calendar, Centre, CentreId};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

use crate::chain;
use crate::clock::micros;
use crate::engine::Engine;
use crate::error::Result;
use crate::register::entry_from_row;
use crate::store::EntryRow;

/// What is wrong with a register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RegisterTampering {
    /// The entry's hash does not match its body: it was edited.
    Edited {
        /// The entry.
        seq: u64,
    },
    /// The entry does not chain after the one before: an entry before it was deleted, or
    /// it was inserted.
    Broken {
        /// The entry.
        seq: u64,
    },
    /// A column disagrees with the entry's hashed body.
    Column {
        /// The entry.
        seq: u64,
        /// The column.
        column: String,
    },
    /// The centre's head names a later entry than the last one found: entries at the end
    /// were deleted.
    Truncated {
        /// The head's `seq`.
        head: u64,
        /// The last entry found.
        last: u64,
    },
    /// The entry does not apply to its unit's register as rebuilt from the entries before it.
    Rebuild {
        /// The entry.
        seq: u64,
        /// Why.
        reason: String,
    },
    /// The entry names a case event that is not in the case's history.
    NoEvent {
        /// The entry.
        seq: u64,
    },
    /// A recording event wrote no entry.
    NoEntry {
        /// The case.
        case: String,
        /// The event's sequence number.
        event: u64,
    },
    /// A certificate's file, hash or signature is not what was issued (SPEC 17 §6).
    Certificate {
        /// The certificate's id.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// The result of verifying one centre's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterVerification {
    /// The centre.
    pub centre: CentreId,
    /// Entries checked.
    pub entries: u64,
    /// Units rebuilt.
    pub units: u64,
    /// Everything found wrong; empty when intact.
    pub problems: Vec<RegisterTampering>,
}

impl RegisterVerification {
    /// Whether the register is intact.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn columns_edited(row: &EntryRow, entry: &Entry) -> Vec<&'static str> {
    let mut out = Vec::new();
    if row.unit != entry.draft.unit.as_str() {
        out.push("unit");
    }
    if row.case_id.as_deref() != entry.draft.case.as_ref().map(|c| c.as_str()) {
        out.push("case_id");
    }
    if row.entry_type != entry.entry_type().as_str() {
        out.push("entry_type");
    }
    if row.recorded_at != micros(entry.draft.recorded_at) {
        out.push("recorded_at");
    }
    if row.seq as u64 != entry.seq || row.centre != entry.centre.as_str() {
        out.push("seq");
    }
    out
}

impl Engine {
    /// Verifies every centre's register.
    ///
    /// # Errors
    /// [`crate::Error::Database`] when the database fails.
    pub async fn verify_registers(&self) -> Result<Vec<RegisterVerification>> {
        let centres = self.inner.db.acquire().await?.conn().register_centres().await?;
        let mut out = Vec::with_capacity(centres.len());
        for (centre, _) in centres {
            out.push(self.verify_register(&CentreId::new(centre)).await?);
        }
        Ok(out)
    }

    /// Verifies `centre`'s register: walks its chain in `seq` order, rebuilds every unit
    /// from its entries, and matches entries with the case events that wrote them.
    ///
    /// # Errors
    /// [`crate::Error::Database`] when the database fails.
    pub async fn verify_register(&self, centre: &CentreId) -> Result<RegisterVerification> {
        let settings = self.context_centre(centre).cloned().unwrap_or_else(|_| Centre::new(centre.as_str()));
        let mut db = self.inner.db.acquire().await?;
        let mut conn = db.conn();
        let calendar: Calendar = self.calendar_on(&mut conn).await?;
        let clock = settings.legal_clock(&calendar);
        let heads = conn.register_centres().await?;
        let head = heads.iter().find(|(c, _)| c == centre.as_str()).map_or(0, |(_, s)| *s as u64);
        let mut v = RegisterVerification { centre: centre.clone(), entries: 0, units: 0, problems: Vec::new() };
        let mut units: HashMap<String, UnitRegister> = HashMap::new();
        let mut written: BTreeSet<(String, u64)> = BTreeSet::new();
        let (mut prev, mut last) = (chain::GENESIS.to_owned(), 0u64);
        loop {
            let rows = conn.centre_entries(centre.as_str(), last as i64, 1000).await?;
            let Some(end) = rows.last().map(|r| r.seq as u64) else { break };
            for row in &rows {
                let seq = row.seq as u64;
                v.entries += 1;
                if chain::link(&row.prev_hash, &row.body) != row.hash {
                    v.problems.push(RegisterTampering::Edited { seq });
                }
                if row.prev_hash != prev || seq != last + 1 {
                    v.problems.push(RegisterTampering::Broken { seq });
                }
                prev.clone_from(&row.hash);
                last = seq;
                let entry = match entry_from_row(row) {
                    Ok(e) => e,
                    Err(_) => {
                        v.problems.push(RegisterTampering::Edited { seq });
                        continue;
                    }
                };
                for column in columns_edited(row, &entry) {
                    v.problems.push(RegisterTampering::Column { seq, column: column.to_owned() });
                }
                if let (Some(case), Some(event)) = (&entry.draft.case, entry.event) {
                    written.insert((case.to_string(), event));
                }
                let unit = units
                    .entry(entry.draft.unit.to_string())
                    .or_insert_with(|| UnitRegister::empty(entry.draft.unit.clone()));
                if let Err(e) = unit.apply(seq, &entry.draft, &clock) {
                    v.problems.push(RegisterTampering::Rebuild { seq, reason: e.reason });
                }
            }
            last = end;
        }
        if head > last {
            v.problems.push(RegisterTampering::Truncated { head, last });
        }
        v.units = units.len() as u64;
        // Events and entries, one for one.
        let events: BTreeSet<(String, u64)> = conn
            .recording_events(centre.as_str(), &self.recording_kinds())
            .await?
            .into_iter()
            .map(|(case, seq)| (case, seq as u64))
            .collect();
        for (case, event) in events.difference(&written) {
            v.problems.push(RegisterTampering::NoEntry { case: case.clone(), event: *event });
        }
        for (case, event) in written.difference(&events) {
            let seq = self.entry_seq_of(&mut conn, case, *event).await?.unwrap_or(0);
            v.problems.push(RegisterTampering::NoEvent { seq });
        }
        self.verify_certificates(&mut conn, centre, &mut v).await?;
        Ok(v)
    }

    /// Each certificate of `centre`: its file in canonical form with the stored hash, the
    /// hash its issuing event carries, and a signature of the stored public key it names.
    async fn verify_certificates(
        &self,
        conn: &mut crate::store::Conn<'_>,
        centre: &CentreId,
        v: &mut RegisterVerification,
    ) -> Result<()> {
        let keys: HashMap<String, crate::signing::PublicKey> = conn
            .public_keys(centre.as_str())
            .await?
            .iter()
            .filter_map(|k| crate::signing::PublicKey::from_pem(&k.public_pem).ok().map(|p| (k.key_id.clone(), p)))
            .collect();
        let mut after = String::new();
        loop {
            let rows = conn.centre_certificates(centre.as_str(), &after, 500).await?;
            let Some(last) = rows.last() else { break };
            after.clone_from(&last.id);
            for row in &rows {
                let events = conn.history(&row.case_id).await?;
                if let Some(reason) = certificate_problem(row, &events, &keys) {
                    v.problems.push(RegisterTampering::Certificate { id: row.id.clone(), reason });
                }
            }
        }
        Ok(())
    }

    /// The kinds whose recordings write an entry.
    fn recording_kinds(&self) -> Vec<String> {
        self.catalogue().kinds().iter().filter(|k| k.register_effect.is_some()).map(|k| k.id.to_string()).collect()
    }

    async fn entry_seq_of(&self, conn: &mut crate::store::Conn<'_>, case: &str, event: u64) -> Result<Option<u64>> {
        let rows = conn.case_entries(case).await?;
        for row in &rows {
            if let Ok(e) = entry_from_row(row) {
                if e.event == Some(event) {
                    return Ok(Some(e.seq));
                }
            }
        }
        Ok(None)
    }
}

/// What is wrong with a stored certificate, if anything.
fn certificate_problem(
    row: &crate::store::CertificateRow,
    events: &[crate::store::EventRow],
    keys: &HashMap<String, crate::signing::PublicKey>,
) -> Option<String> {
    use regflow_process::event::Change;
    let signed = match regflow_process::register::certificate::read_signed_file(row.file.as_bytes()) {
        Ok(s) => s,
        Err(e) => return Some(format!("the file: {e}")),
    };
    if signed.hash != row.hash {
        return Some("the file's hash is not the stored one: the file was changed".into());
    }
    let issued = events.iter().filter_map(|e| crate::mapping::entry_from_row(e).ok()).any(|h| {
        matches!(&h.event.change, Change::CertificateIssued { certificate: Some(c), .. } if c.id == row.id && c.hash == row.hash)
    });
    if !issued {
        return Some("no issuing event of its case carries its id and hash".into());
    }
    match keys.get(&signed.key_id) {
        None => Some(format!("its key {} is not among the centre's public keys", signed.key_id)),
        Some(key) if !key.verifies(&signed.signed_bytes, &signed.signature) => {
            Some(format!("the signature is not key {}'s over the file", signed.key_id))
        }
        Some(_) => None,
    }
}
