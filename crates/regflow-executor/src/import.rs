//! Bulk import: a centre's existing cases from a JSON-lines file (one
//! [`ImportRecord`] per line; see the README for the format).
//!
//! Two passes over the file, each in constant memory. The first reads every line, builds
//! its case by the rules ([`regflow_process::import::import_case`]) and checks that its id
//! is free (or holds this very record, imported before); if any line is bad, the error names
//! each bad line and nothing is written. The second writes the cases in transactions of
//! [`ImportOptions::batch`] records — case rows, `import` events, parties and timers in
//! multi-row statements. A crash between two transactions leaves whole cases only; running
//! the same import again skips what is in and writes the rest.

use std::io::BufRead;
use std::path::Path;

use regflow_process::import::{import_case, ImportContext, ImportRecord, ImportSource};
use regflow_process::{Actor, Case, Change, ErrorCode, Event, Refusal, Role};

use crate::chain;
use crate::engine::{detached, Engine, Written};
use crate::error::{BadLine, Error, Result};

/// How an import runs.
#[derive(Clone)]
pub struct ImportOptions {
    /// Records per transaction (default 1,000).
    pub batch: usize,
    /// Called after each transaction with the lines written so far.
    pub progress: Option<std::sync::Arc<dyn Fn(u64) + Send + Sync>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { batch: 1_000, progress: None }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Records in the file.
    pub records: u64,
    /// Cases written now.
    pub imported: u64,
    /// Records found imported already (an earlier run of the same file).
    pub already: u64,
}

/// The most bad lines one error lists.
pub(crate) const BAD_LINES_SHOWN: usize = 20;

impl Engine {
    /// Imports the JSON-lines file at `path` into the operator's centre; see the module
    /// documentation for how.
    ///
    /// # Errors
    /// [`Error::BadImport`] naming the bad lines (nothing written); `forbidden_role` unless
    /// `operator` is a supervisor; `wrong_centre` when the engine does not serve its
    /// centre; [`Error::Database`]; an I/O failure reading the file as `invalid_argument`.
    pub async fn import(&self, operator: &Actor, path: &Path, options: ImportOptions) -> Result<ImportReport> {
        if !operator.roles().contains(&Role::Supervisor) {
            return Err(Refusal::new(ErrorCode::ForbiddenRole, "only a supervisor imports cases").into());
        }
        let centre = self.context_centre(operator.centre())?;
        let calendar = self.current_calendar().await?;
        let ctx = ImportContext {
            now: self.now(),
            operator,
            centre,
            calendar: &calendar,
            policies: &self.inner.policies,
            catalogue: &self.inner.catalogue,
        };
        let batch = options.batch.clamp(1, 10_000);
        // Pass 1: every line checked, nothing written.
        let mut bad = Vec::new();
        let mut bad_count = 0u64;
        let mut report = ImportReport::default();
        let mut chunk = Vec::with_capacity(batch);
        // Every id of the file, hashed (8 bytes a case), to catch one id on two lines.
        let mut ids = std::collections::HashSet::new();
        let mut lines = Lines::open(path)?;
        loop {
            let next = lines.next().transpose()?;
            let end = next.is_none();
            if let Some((n, text)) = next {
                report.records += 1;
                match text.and_then(|text| build(&ctx, n, &text)) {
                    Ok(built) if !ids.insert(id_hash(built.1.id().as_str())) => {
                        bad_count += 1;
                        if bad.len() < BAD_LINES_SHOWN {
                            let id = built.1.id().clone();
                            bad.push(BadLine {
                                line: n,
                                message: format!(
                                    "case `{id}` appears on an earlier line too; give each case its own id"
                                ),
                            });
                        }
                    }
                    Ok(built) => chunk.push(built),
                    Err(message) => {
                        bad_count += 1;
                        if bad.len() < BAD_LINES_SHOWN {
                            bad.push(BadLine { line: n, message });
                        }
                    }
                }
            }
            if chunk.len() >= batch || (end && !chunk.is_empty()) {
                for (line, message) in self.taken(&chunk).await? {
                    bad_count += 1;
                    if bad.len() < BAD_LINES_SHOWN {
                        bad.push(BadLine { line, message });
                    }
                }
                chunk.clear();
            }
            if end {
                break;
            }
        }
        if bad_count > 0 {
            return Err(Error::BadImport { lines: bad, count: bad_count });
        }
        drop(ids);
        // Pass 2: written batch by batch.
        let mut lines = Lines::open(path)?;
        let mut done = 0u64;
        loop {
            let next = lines.next().transpose()?;
            let end = next.is_none();
            if let Some((n, text)) = next {
                chunk.push(text.and_then(|text| build(&ctx, n, &text)).map_err(|message| {
                    // The file changed between the passes.
                    Error::BadImport { lines: vec![BadLine { line: n, message }], count: 1 }
                })?);
                done += 1;
            }
            if chunk.len() >= batch || (end && !chunk.is_empty()) {
                let written = self.write(std::mem::take(&mut chunk)).await?;
                report.imported += written;
                if let Some(progress) = &options.progress {
                    progress(done);
                }
            }
            if end {
                break;
            }
        }
        report.already = report.records - report.imported;
        if report.imported > 0 {
            self.timers_changed();
        }
        Ok(report)
    }

    /// The lines of `chunk` whose case id is taken by another case (not this record,
    /// imported before).
    async fn taken(&self, chunk: &[(u64, Case, Event)]) -> Result<Vec<(u64, String)>> {
        let existing = self.existing(chunk).await?;
        let mut bad = Vec::new();
        for (n, case, event) in chunk {
            let id = case.id().as_str();
            if existing.get(id).is_some_and(|hash| hash.as_deref() != record_hash(event)) {
                bad.push((
                    *n,
                    format!(
                        "case `{id}` exists already and was not imported from this record; give the record another id"
                    ),
                ));
            }
        }
        Ok(bad)
    }

    /// The cases of `chunk` that exist, with the record hash of their import if they were
    /// imported.
    async fn existing(
        &self,
        chunk: &[(u64, Case, Event)],
    ) -> Result<std::collections::HashMap<String, Option<String>>> {
        let ids: Vec<&str> = chunk.iter().map(|(_, c, _)| c.id().as_str()).collect();
        let mut pooled = self.inner.db.acquire().await?;
        let rows = pooled.conn().first_events(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|(id, command, body)| {
                let hash = (command == "import")
                    .then(|| serde_json::from_str::<Event>(&body).ok())
                    .flatten()
                    .and_then(|e| record_hash(&e).map(str::to_owned));
                (id, hash)
            })
            .collect())
    }

    /// Writes the cases of `chunk` not written yet in one transaction; returns how many.
    async fn write(&self, chunk: Vec<(u64, Case, Event)>) -> Result<u64> {
        let engine = self.clone();
        detached(async move {
            let existing = engine.existing(&chunk).await?;
            // Written by someone else since the first pass looked: stop, naming the line.
            if let Some((n, case, _)) = chunk
                .iter()
                .find(|(_, c, e)| existing.get(c.id().as_str()).is_some_and(|hash| hash.as_deref() != record_hash(e)))
            {
                return Err(Error::BadImport {
                    lines: vec![BadLine {
                        line: *n,
                        message: format!("case `{}` was written by someone else during the import", case.id()),
                    }],
                    count: 1,
                });
            }
            let fresh: Vec<&(u64, Case, Event)> =
                chunk.iter().filter(|(_, c, _)| !existing.contains_key(c.id().as_str())).collect();
            let written: Vec<Written<'_>> = fresh
                .iter()
                .map(|(_, case, event)| Written {
                    before: None,
                    before_case: None,
                    fired: &[],
                    case,
                    events: std::slice::from_ref(event),
                })
                .collect();
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = engine.persist(&mut tx.conn(), &written).await;
            tx.finish(out).await?;
            Ok(fresh.len() as u64)
        })
        .await
    }
}

/// Parses line `n` and builds its case; the message says what is wrong.
fn build(ctx: &ImportContext<'_>, n: u64, text: &str) -> std::result::Result<(u64, Case, Event), String> {
    let record: ImportRecord = serde_json::from_str(text).map_err(|e| format!("not an import record: {e}"))?;
    let source = ImportSource { line: n, record_hash: chain::digest(text) };
    let (case, event) = import_case(&record, source, ctx).map_err(|e| format!("case `{}`: {e}", record.id))?;
    Ok((n, case, event))
}

fn record_hash(event: &Event) -> Option<&str> {
    match &event.change {
        Change::Imported { source, .. } => Some(source.record_hash.as_str()),
        _ => None,
    }
}

/// The longest line an import reads (a record is a few kilobytes).
pub const MAX_LINE: usize = 1 << 20;

/// The non-blank lines of an import file, numbered from 1, each read whole only up to
/// [`MAX_LINE`] bytes: a longer line, or one that is not UTF-8, is a bad line (`Err` with
/// the reason), and the file is read in constant memory whatever it holds.
pub(crate) struct Lines {
    reader: std::io::BufReader<std::fs::File>,
    path: std::path::PathBuf,
    number: u64,
    buf: Vec<u8>,
}

impl Lines {
    pub(crate) fn open(path: &Path) -> Result<Lines> {
        let file = std::fs::File::open(path).map_err(|e| io_error(path, &e))?;
        Ok(Lines { reader: std::io::BufReader::new(file), path: path.to_owned(), number: 0, buf: Vec::new() })
    }

    /// The next line: `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Option<Result<(u64, std::result::Result<String, String>)>> {
        use std::io::Read;
        loop {
            self.buf.clear();
            self.number += 1;
            let limit = MAX_LINE as u64 + 1;
            match (&mut self.reader).take(limit).read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(io_error(&self.path, &e))),
            }
            if self.buf.len() > MAX_LINE && !self.buf.ends_with(b"\n") {
                // Skip the rest of the line without keeping it.
                loop {
                    self.buf.clear();
                    match (&mut self.reader).take(64 * 1024).read_until(b'\n', &mut self.buf) {
                        Ok(0) => break,
                        Ok(_) if self.buf.ends_with(b"\n") => break,
                        Ok(_) => {}
                        Err(e) => return Some(Err(io_error(&self.path, &e))),
                    }
                }
                let reason = format!("longer than {MAX_LINE} bytes; one case per line");
                return Some(Ok((self.number, Err(reason))));
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t.trim_end_matches(['\n', '\r']),
                Err(e) => return Some(Ok((self.number, Err(format!("not UTF-8 text: {e}"))))),
            };
            if !text.trim().is_empty() {
                return Some(Ok((self.number, Ok(text.to_owned()))));
            }
        }
    }
}

/// A case id's 64-bit hash (two ids sharing one is vanishingly rare, and would be reported
/// as a repeated id).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Refusal::new(ErrorCode::InvalidArgument, format!("cannot read {}: {e}", path.display())).into()
}
