//! Binding parameters alike to a query or a typed query, on either backend: the types
//! regflow binds are named once, here, instead of in every helper's `where` clause.

/// One parameter's value, compared and bound alike whatever its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'q> {
    Text(&'q str),
    Int(i64),
    Maybe(Option<i64>),
    MaybeText(Option<&'q str>),
}

impl<'q> From<&'q str> for Value<'q> {
    fn from(s: &'q str) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(n: Option<i64>) -> Self {
        Value::Maybe(n)
    }
}

impl<'q> From<Option<&'q str>> for Value<'q> {
    fn from(s: Option<&'q str>) -> Self {
        Value::MaybeText(s)
    }
}

/// A query or a typed query of a backend that encodes every [`Value`].
pub(crate) trait Bind<'q>: Sized {
    /// Binds the next parameter.
    fn bind(self, value: impl Into<Value<'q>>) -> Self;
}

/// Implements [`Bind`] for a sqlx query type, binding each [`Value`] with its own `bind`.
macro_rules! impl_bind {
    ($($generic:ident),* => $query:ty, $bind:path) => {
        impl<'q, DB, $($generic),*> Bind<'q> for $query
        where
            DB: sqlx::Database,
            &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
            Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        {
            fn bind(self, value: impl Into<Value<'q>>) -> Self {
                match value.into() {
                    Value::Text(s) => $bind(self, s),
                    Value::Int(n) => $bind(self, n),
                    Value::Maybe(n) => $bind(self, n),
                    Value::MaybeText(s) => $bind(self, s),
                }
            }
        }
    };
}

impl_bind!(=> sqlx::query::Query<'q, DB, DB::Arguments<'q>>, sqlx::query::Query::bind);
impl_bind!(O => sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>, sqlx::query::QueryAs::bind);
