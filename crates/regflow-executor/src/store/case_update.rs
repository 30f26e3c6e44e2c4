//! Replacing a case row: only the columns that changed.
//!
//! A command changes a few of a case's columns (its state, its version, head hash and body,
//! sometimes a deadline). Writing only those keeps the statement small and, on SQLite,
//! leaves untouched every index none of whose columns is assigned (SQLite rewrites an
//! index entry whenever its column appears in `SET`, changed or not). Updates are grouped
//! by the set of columns they change; each group is one multi-row statement.

use super::bind::{Bind, Value};
use super::sql::dialect::{placeholders_from, Dialect};
use super::CaseRow;

/// The case columns set when a case is opened and never changed after, in table order.
pub(super) const FIXED: [&str; 10] =
    ["id", "centre", "kind", "category", "channel", "priority", "priority_class", "unit", "unit_effect", "created_at"];

/// The values of [`FIXED`] in `row`, in the same order.
pub(super) fn fixed_values(r: &CaseRow) -> [Value<'_>; 10] {
    use Value::{Int, MaybeText, Text};
    [
        Text(&r.id),
        Text(&r.centre),
        Text(&r.kind),
        Text(&r.category),
        Text(&r.channel),
        Text(&r.priority),
        Int(r.priority_class),
        Text(&r.unit),
        MaybeText(r.unit_effect.as_deref()),
        Int(r.created_at),
    ]
}

/// The columns in which a stored case row differs from `expected` (what its replay gives),
/// every column but the body, which the replay itself compares.
pub(crate) fn columns_differing(stored: &CaseRow, expected: &CaseRow) -> Vec<&'static str> {
    let named = |r| FIXED.into_iter().zip(fixed_values(r)).chain(CHANGING.into_iter().zip(changing_values(r)));
    named(stored)
        .zip(named(expected))
        .filter(|((name, a), (_, b))| *name != "body" && a != b)
        .map(|((name, _), _)| name)
        .collect()
}

/// How many columns a case row has: [`FIXED`] and [`CHANGING`].
pub(super) const CASE_COLUMNS: usize = FIXED.len() + CHANGING.len();

/// The case columns a command can change, in table order; `id` and `version` (as read)
/// guard the update and are bound after them.
pub(super) const CHANGING: [&str; 20] = [
    "state",
    "is_open",
    "instant",
    "pending_task_bits",
    "accepted_at",
    "promise_due_at",
    "statutory_due_at",
    "provisional",
    "recorded_at",
    "completed_at",
    "working_days_used",
    "on_time",
    "within_statute",
    "extended_days",
    "suspensions",
    "rating",
    "version",
    "head_hash",
    "body",
    "updated_at",
];

/// The bit of `version` in a [`Columns`] set: every update assigns it.
const VERSION: u32 = 1 << 16;

/// The values of [`CHANGING`] in `row`, in the same order.
fn changing_values(r: &CaseRow) -> [Value<'_>; 20] {
    use Value::{Int, Maybe, Text};
    [
        Text(&r.state),
        Int(r.is_open),
        Int(r.instant),
        Int(r.pending_task_bits),
        Maybe(r.accepted_at),
        Maybe(r.promise_due_at),
        Maybe(r.statutory_due_at),
        Int(r.provisional),
        Maybe(r.recorded_at),
        Maybe(r.completed_at),
        Maybe(r.working_days_used),
        Maybe(r.on_time),
        Maybe(r.within_statute),
        Int(r.extended_days),
        Int(r.suspensions),
        Maybe(r.rating),
        Int(r.version),
        Text(&r.head_hash),
        Text(&r.body),
        Int(r.updated_at),
    ]
}

/// A set of [`CHANGING`] columns, bit `i` for the `i`-th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Columns(u32);

impl Columns {
    fn contains(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }

    pub(crate) fn len(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// A case row to replace, if it is still at the version it was read at, in the columns
/// that differ from that row.
#[derive(Debug, Clone)]
pub(crate) struct CaseUpdate {
    row: CaseRow,
    expected: i64,
    changed: Columns,
}

impl CaseUpdate {
    /// `row` replacing `before` (the row as read).
    pub(crate) fn new(before: &CaseRow, row: CaseRow) -> CaseUpdate {
        let changed = changing_values(before)
            .iter()
            .zip(changing_values(&row).iter())
            .enumerate()
            .filter(|(_, (old, new))| old != new)
            .fold(VERSION, |set, (i, _)| set | 1 << i);
        CaseUpdate { row, expected: before.version, changed: Columns(changed) }
    }

    /// The parameters it binds: the changed columns, `id` and the version as read.
    pub(crate) fn parameters(&self) -> usize {
        2 + self.changed.len()
    }
}

/// `updates` grouped by the columns they assign, each group in the order given, the groups
/// in the order of their first update.
pub(crate) fn by_columns(updates: &[CaseUpdate]) -> Vec<(Columns, Vec<&CaseUpdate>)> {
    let mut groups: Vec<(Columns, Vec<&CaseUpdate>)> = Vec::new();
    for u in updates {
        match groups.iter_mut().find(|(columns, _)| *columns == u.changed) {
            Some((_, group)) => group.push(u),
            None => groups.push((u.changed, vec![u])),
        }
    }
    groups
}

/// Replaces `rows` case rows in `columns`, each guarded by its version; parameters from
/// `$first`, as [`bind_update`] binds them (the changed columns, then `id` and the version
/// as read, in the order SQLite's anonymous parameters need). One row is a plain `UPDATE … WHERE id = …`,
/// which both backends plan as one primary-key lookup; several join a `VALUES` list.
pub(crate) fn update_cases_sql<C: Dialect>(first: usize, rows: usize, columns: Columns) -> String {
    let names = CHANGING.iter().enumerate().filter(|(i, _)| columns.contains(*i));
    let n = columns.len();
    if rows == 1 {
        let sets: Vec<String> =
            names.enumerate().map(|(k, (_, name))| format!("{name} = {}", C::param(first + k))).collect();
        return format!(
            "UPDATE regflow_cases SET {} WHERE id = {} AND version = {}",
            sets.join(", "),
            C::param(first + n),
            C::param(first + n + 1)
        );
    }
    // VALUES columns are column1, column2, … on both backends.
    let sets: Vec<String> = names.enumerate().map(|(k, (_, name))| format!("{name} = v.column{}", k + 1)).collect();
    format!(
        "UPDATE regflow_cases SET {} FROM (VALUES {}) AS v \
         WHERE regflow_cases.id = v.column{} AND regflow_cases.version = v.column{}",
        sets.join(", "),
        placeholders_from::<C>(first, rows, n + 2),
        n + 1,
        n + 2
    )
}

/// Binds what [`update_cases_sql`] takes for one update.
pub(crate) fn bind_update<'q, A: Bind<'q>>(q: A, u: &'q CaseUpdate) -> A {
    let mut q = q;
    for (i, value) in changing_values(&u.row).into_iter().enumerate() {
        if u.changed.contains(i) {
            q = q.bind(value);
        }
    }
    q.bind(u.row.id.as_str()).bind(u.expected)
}

/// Binds every [`CHANGING`] column of `row`, in order (a new case's insert).
pub(crate) fn bind_changing<'q, A: Bind<'q>>(mut q: A, row: &'q CaseRow) -> A {
    for value in changing_values(row) {
        q = q.bind(value);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> CaseRow {
        CaseRow {
            id: "c1".into(),
            centre: "xining".into(),
            kind: "transfer".into(),
            category: "individual".into(),
            channel: "window".into(),
            priority: "standard".into(),
            priority_class: 2,
            unit: "U1".into(),
            unit_effect: None,
            state: "accepted".into(),
            is_open: 1,
            instant: 0,
            pending_task_bits: 3,
            accepted_at: Some(10),
            promise_due_at: Some(20),
            statutory_due_at: Some(30),
            provisional: 0,
            recorded_at: None,
            completed_at: None,
            working_days_used: None,
            on_time: None,
            within_statute: None,
            extended_days: 0,
            suspensions: 0,
            rating: None,
            version: 1,
            head_hash: "h1".into(),
            body: "{}".into(),
            created_at: 10,
            updated_at: 10,
        }
    }

    #[test]
    fn an_update_assigns_only_what_changed_and_always_the_version() {
        let before = row();
        let mut after = row();
        after.version = 2;
        after.head_hash = "h2".into();
        after.pending_task_bits = 1;
        let u = CaseUpdate::new(&before, after);
        assert_eq!(u.expected, 1);
        #[cfg(feature = "postgres")]
        {
            assert_eq!(
                update_cases_sql::<sqlx::PgConnection>(1, 1, u.changed),
                "UPDATE regflow_cases SET pending_task_bits = $1, version = $2, head_hash = $3 \
                 WHERE id = $4 AND version = $5"
            );
            assert_eq!(
                update_cases_sql::<sqlx::PgConnection>(6, 2, u.changed),
                "UPDATE regflow_cases SET pending_task_bits = v.column1, version = v.column2, head_hash = v.column3 \
                 FROM (VALUES ($6, $7, $8, $9, $10), ($11, $12, $13, $14, $15)) AS v \
                 WHERE regflow_cases.id = v.column4 AND regflow_cases.version = v.column5"
            );
        }
        assert_eq!(u.parameters(), 5);
        // Nothing but the version differs (it never does not): the version is still set.
        let mut same = row();
        same.version = 1;
        assert_eq!(CaseUpdate::new(&before, same).changed, Columns(VERSION));
    }

    #[test]
    fn updates_group_by_their_columns_in_first_seen_order() {
        let before = row();
        let bump = |f: fn(&mut CaseRow)| {
            let mut r = row();
            r.version = 2;
            f(&mut r);
            CaseUpdate::new(&before, r)
        };
        let updates = vec![bump(|r| r.state = "reviewing".into()), bump(|_| {}), bump(|r| r.state = "recorded".into())];
        let groups = by_columns(&updates);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].1.len(), 2);
        assert_eq!(groups[0].0, updates[0].changed);
        assert_eq!(groups[1].0, Columns(VERSION));
    }
}
