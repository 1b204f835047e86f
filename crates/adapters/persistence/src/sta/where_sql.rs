//! A checked `$filter` on Observations as SQL: the text has only our column expressions and
//! `$n` placeholders; every literal is a bind value.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Double, Timestamp};
use ents_domain::sta::filter::{CmpOp, Filter, Value};

/// A literal to bind.
#[derive(Debug, Clone, Copy)]
pub(super) enum Bind {
    Number(f64),
    Time(NaiveDateTime),
}

impl Bind {
    pub(super) fn apply<'a>(
        self,
        query: BoxedSqlQuery<'a, Pg, SqlQuery>,
    ) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
        match self {
            Self::Number(n) => query.bind::<Double, _>(n),
            Self::Time(t) => query.bind::<Timestamp, _>(t),
        }
    }
}

/// The SQL of an Observation's properties over one table (`value` is the slot's value
/// expression; `slot` its number, for ids).
pub(super) struct Columns<'a> {
    pub value: &'a str,
    pub slot: i64,
}

/// Appends the filter's SQL to `sql`, numbering placeholders after `binds.len() + first`.
pub(super) fn push(
    filter: &Filter,
    columns: &Columns<'_>,
    first: usize,
    sql: &mut String,
    binds: &mut Vec<Bind>,
) {
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            let joiner = if matches!(filter, Filter::And(..)) {
                " AND "
            } else {
                " OR "
            };
            sql.push('(');
            push(a, columns, first, sql, binds);
            sql.push_str(joiner);
            push(b, columns, first, sql, binds);
            sql.push(')');
        }
        Filter::Not(a) => {
            sql.push_str("(NOT ");
            push(a, columns, first, sql, binds);
            sql.push(')');
        }
        Filter::Compare {
            property,
            op,
            value,
        } => {
            let column = match property.as_str() {
                "phenomenonTime" => "ts".to_owned(),
                "resultTime" => "ts_server".to_owned(),
                "result" => format!("({})", columns.value),
                // "id", the only other property the filter's check lets through here.
                _ => format!("(id::bigint * 16 + {})::double precision", columns.slot),
            };
            let bind = match value {
                Value::Number(n) => Bind::Number(*n),
                Value::Time(t) => Bind::Time(*t),
                Value::Null => {
                    let test = if *op == CmpOp::Eq {
                        "IS NULL"
                    } else {
                        "IS NOT NULL"
                    };
                    sql.push_str(&format!("({column} {test})"));
                    return;
                }
                // The check allows no strings on Observations.
                Value::Text(_) => {
                    sql.push_str("FALSE");
                    return;
                }
            };
            binds.push(bind);
            let n = first + binds.len();
            // `ne` is true for a NULL resultTime, as in the in-memory filter.
            let op_sql = if *op == CmpOp::Ne {
                "IS DISTINCT FROM"
            } else {
                op.sql()
            };
            sql.push_str(&format!("({column} {op_sql} ${n})"));
        }
    }
}
