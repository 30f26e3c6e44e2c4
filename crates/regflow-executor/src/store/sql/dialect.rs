//! What differs between the backends, and the text of multi-row statements.

/// What one backend does differently.
pub(crate) trait Dialect {
    /// Appended to the due-timer claim's inner `SELECT` (PostgreSQL: skip rows other
    /// workers hold).
    const CLAIM_LOCK: &'static str;
    /// Appended to the `SELECT` of a centre's register head (PostgreSQL: lock the row until
    /// the transaction ends, so a centre's recordings serialise on it).
    const HEAD_LOCK: &'static str;
    /// Appended to a single-table claim's inner `SELECT` (PostgreSQL: skip rows other
    /// workers hold).
    const SKIP_LOCKED: &'static str;
    /// Locks the calendar loads until the transaction ends, if the backend needs it.
    const CALENDAR_LOCK: Option<&'static str>;
    /// Serialises alert writers until the transaction ends, if the backend needs it.
    const ALERT_LOCK: Option<&'static str>;
    /// Whether one statement may hold several data-modifying CTEs (PostgreSQL).
    const DATA_MODIFYING_CTE: bool;
    /// Wakes other processes' watchers when the transaction commits, if the backend can.
    const NOTIFY_TIMERS: Option<&'static str>;
    /// Serialises schema migrations until the transaction ends, if the backend needs it.
    const MIGRATION_LOCK: Option<&'static str>;
    /// Counts the tables named `_sqlx_migrations` in the current schema (0 or 1).
    const SQLX_MIGRATIONS_EXISTS: &'static str;

    /// The `n`-th parameter (1-based) of a statement whose parameters appear in the text in
    /// the order they are bound. SQLite takes anonymous `?`: numbered ones are looked up by
    /// name, one linear search per parameter, which costs quadratic time in a multi-row
    /// statement of thousands.
    fn param(n: usize) -> String;
}

/// The number of rows a statement changed.
pub(crate) trait RowsAffected {
    fn rows(&self) -> u64;
}

/// The most timer keys one statement names: SQLite refuses an expression deeper than
/// 1,000 (`SQLITE_MAX_EXPR_DEPTH`), and each key adds a level to the `OR` chain.
pub(crate) const KEYS_PER_STATEMENT: usize = 200;

/// `(case_id = $1 AND timer = $2 AND due_at = $3) OR (…)`: the keys of `rows` timers,
/// numbered from `$first`. (Written as equalities, not a row-value `IN` list, so SQLite
/// looks each one up in the primary key instead of scanning the table.)
pub(crate) fn timer_keys<C: Dialect>(rows: usize, first: usize) -> String {
    let keys: Vec<String> = (0..rows)
        .map(|r| {
            let n = first + r * 3;
            format!("(case_id = {} AND timer = {} AND due_at = {})", C::param(n), C::param(n + 1), C::param(n + 2))
        })
        .collect();
    keys.join(" OR ")
}

/// The most parameters one statement binds: SQLite allows 32,766, PostgreSQL 65,535.
pub(crate) const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// The most rows a multi-row statement has and still stays prepared on its connection.
/// Statements of one command's few rows recur and are worth keeping; one of hundreds of
/// rows (a batch, an import) rarely recurs with the same count, and its prepared form can
/// take megabytes, so it is prepared, run and let go.
pub(crate) const PREPARED_ROWS: usize = 16;

/// Whether a statement of `rows` rows stays prepared (see [`PREPARED_ROWS`]).
pub(crate) fn prepared(rows: usize) -> bool {
    rows <= PREPARED_ROWS
}

/// How many rows of `columns` parameters one multi-row statement takes.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    PARAMETERS_PER_STATEMENT / columns
}

/// `($1, $2, …), ($k, …)`: `rows` tuples of `columns` parameters, in binding order.
pub(crate) fn placeholders<C: Dialect>(rows: usize, columns: usize) -> String {
    placeholders_from::<C>(1, rows, columns)
}

/// `$first, $first+1, …`: a list of `count` parameters, for `IN (…)`.
pub(crate) fn param_list<C: Dialect>(first: usize, count: usize) -> String {
    (first..first + count).map(C::param).collect::<Vec<_>>().join(", ")
}

/// [`placeholders`] numbered from `$first`.
pub(crate) fn placeholders_from<C: Dialect>(first: usize, rows: usize, columns: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..columns).map(|c| C::param(first + r * columns + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    tuples.join(", ")
}
