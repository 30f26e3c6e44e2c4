//! The calendar head: every engine on one database computes with the newest calendar
//! loaded there (SPEC 2.1).
//!
//! Each load is a row of `regflow_calendars` holding the whole calendar in force after it;
//! the row with the highest `seq` is the *head*. An engine caches the head it last read
//! with its `seq`. Every transaction that decides (a command, an alert batch, a
//! re-projection batch) first reads the head's `seq` inside that transaction and, when it
//! is newer than the cache, reads the new calendar before deciding — so no command commits
//! a deadline computed with an older calendar than the newest committed before its
//! transaction began. Until anything is loaded, the head is the engine's base calendar
//! (the builder's, or the built-in 2016–2026 schedules).

use chrono::{DateTime, TimeZone, Utc};
use regflow_process::{authorise_calendar_load, Actor, ActorId, Calendar, CalendarVersion, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::clock::{from_micros, micros};
use crate::engine::{detached, CalendarHead, Engine};
use crate::error::{Error, Result};
use crate::store::{CalendarRow, Conn};

/// How a load combines with the calendar in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// Each year the text covers replaces that year; every other year stays (the default).
    Merge,
    /// The text becomes the whole calendar.
    Replace,
}

impl LoadMode {
    /// The stable snake_case id.
    pub const fn as_str(self) -> &'static str {
        match self {
            LoadMode::Merge => "merge",
            LoadMode::Replace => "replace",
        }
    }

    fn parse(text: &str) -> LoadMode {
        if text == "merge" {
            LoadMode::Merge
        } else {
            LoadMode::Replace
        }
    }
}

/// One stored calendar load: who, when, how, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarLoad {
    /// Its place in load order (1, 2, 3…).
    pub seq: u64,
    /// The version of the whole calendar in force after it.
    pub version: CalendarVersion,
    /// Merge or replace.
    pub mode: LoadMode,
    /// Who loaded it.
    pub loaded_by: ActorId,
    /// When.
    pub loaded_at: DateTime<Utc>,
    /// The years the loaded text covers.
    pub years: Vec<i32>,
    /// The years in which the calendar in force changed.
    pub changed_years: Vec<i32>,
    /// When the open cases it changes were all re-projected (`None` while a load is under
    /// way, or was cut off by a crash: any engine finishes it on start and in its watcher).
    pub reprojected_at: Option<DateTime<Utc>>,
}

fn years_json(years: &BTreeSet<i32>) -> String {
    serde_json::to_string(years).expect("a list of years serialises")
}

pub(crate) fn load_of(row: &CalendarRow) -> Result<CalendarLoad> {
    let years = |text: &str| -> Result<Vec<i32>> {
        serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("calendar load {}: {e}", row.seq)))
    };
    Ok(CalendarLoad {
        seq: u64::try_from(row.seq).map_err(|_| Error::Corrupt(format!("calendar load {}", row.seq)))?,
        version: CalendarVersion::from_stored(&row.version),
        mode: LoadMode::parse(&row.mode),
        loaded_by: ActorId::new(&row.loaded_by),
        loaded_at: from_micros(row.loaded_at),
        years: years(&row.years)?,
        changed_years: years(&row.changed_years)?,
        reprojected_at: row.reprojected_at.map(from_micros),
    })
}

/// The instants between which a deadline can touch a day of `years` (a day's margin on
/// each side for any centre's time zone).
pub(crate) fn span_of(years: &BTreeSet<i32>) -> Option<(i64, i64)> {
    let start = |y: i32| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single();
    let first = start(*years.first()?)? - chrono::Duration::days(2);
    let last = start(years.last()?.checked_add(1)?)? + chrono::Duration::days(2);
    Some((micros(first), micros(last)))
}

impl Engine {
    /// The calendar this engine last read from the database (or its base calendar).
    /// Commands do not rely on it: each reads the newest inside its own transaction. Use
    /// [`Engine::current_calendar`] for the newest.
    pub fn calendar(&self) -> Calendar {
        self.inner.calendar.read().expect("calendar lock").calendar.clone()
    }

    /// The newest calendar loaded into the database (the base calendar while none is).
    ///
    /// # Errors
    /// [`Error::Database`] when the database fails; [`Error::Corrupt`] for stored text
    /// that no longer parses.
    pub async fn current_calendar(&self) -> Result<Calendar> {
        let mut pooled = self.inner.db.acquire().await?;
        self.calendar_on(&mut pooled.conn()).await
    }

    /// The calendar every decision in the caller's transaction must use: the head as this
    /// transaction sees it.
    pub(crate) async fn calendar_on(&self, conn: &mut Conn<'_>) -> Result<Calendar> {
        let head = conn.calendar_head().await?.unwrap_or(0);
        self.calendar_at(conn, head).await
    }

    /// The calendar of load `head` (0: the base calendar), read in the caller's transaction
    /// when the engine has not cached it yet.
    pub(crate) async fn calendar_at(&self, conn: &mut Conn<'_>, head: i64) -> Result<Calendar> {
        {
            let cached = self.inner.calendar.read().expect("calendar lock");
            if cached.seq == head {
                return Ok(cached.calendar.clone());
            }
        }
        let calendar = if head == 0 {
            self.inner.base_calendar.clone()
        } else {
            let row = conn
                .calendar_load(head)
                .await?
                .ok_or_else(|| Error::Corrupt(format!("calendar load {head} vanished")))?;
            Calendar::from_csv(&row.csv).map_err(|e| Error::Corrupt(format!("calendar load {head}: {e}")))?
        };
        self.remember(head, &calendar);
        Ok(calendar)
    }

    /// Caches the calendar of load `seq` unless a newer one is cached (0, the base calendar,
    /// is cached whenever the database holds no load).
    fn remember(&self, seq: i64, calendar: &Calendar) {
        let mut cached = self.inner.calendar.write().expect("calendar lock");
        if cached.seq < seq || seq == 0 {
            *cached = CalendarHead { seq, calendar: calendar.clone() };
        }
    }

    /// Every calendar load on this database, oldest first: who loaded what, when, and
    /// which years changed.
    ///
    /// # Errors
    /// [`Error::Database`] when the database fails.
    pub async fn calendar_loads(&self) -> Result<Vec<CalendarLoad>> {
        let rows = self.inner.db.acquire().await?.conn().calendar_loads().await?;
        rows.iter().map(load_of).collect()
    }

    /// Stores a load and makes it the head, in one transaction serialised with other loads.
    /// Returns the load and the calendars before and after it.
    pub(crate) async fn store_load(
        &self,
        by: &Actor,
        text: &str,
        mode: LoadMode,
    ) -> Result<(CalendarLoad, Calendar, Calendar)> {
        authorise_calendar_load(by)?;
        let loaded = Calendar::from_csv(text).map_err(Refusal::from)?;
        let (engine, by, text) = (self.clone(), by.id().to_string(), text.to_owned());
        detached(async move {
            let mut tx = engine.inner.writes.begin_write().await?;
            let out = engine.store_load_on(&mut tx.conn(), &by, &text, &loaded, mode).await;
            tx.finish(out).await
        })
        .await
        .inspect(|(load, _, after)| self.remember(i64::try_from(load.seq).unwrap_or(i64::MAX), after))
    }

    async fn store_load_on(
        &self,
        conn: &mut Conn<'_>,
        by: &str,
        text: &str,
        loaded: &Calendar,
        mode: LoadMode,
    ) -> Result<(CalendarLoad, Calendar, Calendar)> {
        conn.lock_calendars().await?;
        let before = self.calendar_on(conn).await?;
        let after = match mode {
            LoadMode::Merge => before.merged_with(loaded),
            LoadMode::Replace => loaded.clone(),
        };
        let years: BTreeSet<i32> = loaded.covered_years().collect();
        let changed = before.changed_years(&after);
        let at = self.now();
        let mut row = CalendarRow {
            seq: 0,
            version: after.version().to_string(),
            csv: after.to_csv(),
            loaded_at: micros(at),
            mode: mode.as_str().to_owned(),
            loaded_by: by.to_owned(),
            years: years_json(&years),
            changed_years: years_json(&changed),
            loaded_csv: text.to_owned(),
            reprojected_at: None,
        };
        row.seq = conn.save_calendar(&row).await?;
        Ok((load_of(&row)?, before, after))
    }
}
