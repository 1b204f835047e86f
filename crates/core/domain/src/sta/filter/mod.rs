//! `$filter`: comparison (`eq ne gt ge lt le`) and logical (`and or not`, parentheses)
//! operators between a property and a literal (number, `'string'`, ISO 8601 time, `null`).
//! No maintained Rust crate parses OData expressions, so this is a small hand parser
//! (docs/sensorthings.md#filter). Functions and arithmetic are rejected with a message
//! naming them.

mod lexer;
mod parser;

use std::cmp::Ordering;

use chrono::NaiveDateTime;

use super::model::{Entity, EntitySet};
use crate::DomainError;

/// A property's or a literal's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    /// Naive UTC.
    Time(NaiveDateTime),
    Null,
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Self::Number(_) => "a number",
            Self::Text(_) => "a string",
            Self::Time(_) => "a time",
            Self::Null => "null",
        }
    }

    /// `None` when the two cannot be ordered (different kinds, or null).
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.partial_cmp(b),
            (Self::Text(a), Self::Text(b)) => Some(a.cmp(b)),
            (Self::Time(a), Self::Time(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn from_word(word: &str) -> Option<Self> {
        Some(match word {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }

    /// The operator with its operands swapped (`5 lt x` is `x gt 5`).
    fn flipped(self) -> Self {
        match self {
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            same => same,
        }
    }

    /// SQL's spelling.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Self::Eq => ordering.is_eq(),
            Self::Ne => ordering.is_ne(),
            Self::Gt => ordering.is_gt(),
            Self::Ge => ordering.is_ge(),
            Self::Lt => ordering.is_lt(),
            Self::Le => ordering.is_le(),
        }
    }
}

/// A checked `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `property op value`; the property exists on the set and the value is of its kind
    /// (or null, for `eq`/`ne`).
    Compare {
        property: String,
        op: CmpOp,
        value: Value,
    },
}

/// What `$filter` may compare on each set, and the kind of each property.
fn property_kind(set: EntitySet, property: &str) -> Option<&'static str> {
    use EntitySet as S;
    match (set, property) {
        (_, "id") => Some("a number"),
        (S::Things | S::Locations | S::FeaturesOfInterest | S::Datastreams, "name")
        | (S::Sensors | S::ObservedProperties, "name") => Some("a string"),
        (S::Datastreams, "phenomenonTime") | (S::Observations, "phenomenonTime" | "resultTime") => {
            Some("a time")
        }
        (S::Observations, "result") => Some("a number"),
        _ => None,
    }
}

impl Filter {
    /// Parses and checks `text` against the properties of `set`. Errors: `BadRequest`
    /// with a message saying what is wrong or unsupported.
    pub fn parse(text: &str, set: EntitySet) -> Result<Self, DomainError> {
        let tokens = lexer::tokens(text)?;
        let filter = parser::parse(&tokens)?;
        filter.check(set)?;
        Ok(filter)
    }

    fn check(&self, set: EntitySet) -> Result<(), DomainError> {
        match self {
            Self::And(a, b) | Self::Or(a, b) => {
                a.check(set)?;
                b.check(set)
            }
            Self::Not(a) => a.check(set),
            Self::Compare {
                property,
                op,
                value,
            } => {
                let kind = property_kind(set, property).ok_or_else(|| {
                    bad(format!(
                        "$filter: {} cannot be filtered by '{property}'",
                        set.name()
                    ))
                })?;
                let null_test = *value == Value::Null && matches!(op, CmpOp::Eq | CmpOp::Ne);
                if value.kind() != kind && !null_test {
                    return Err(bad(format!(
                        "$filter: '{property}' is {kind}, compared with {}",
                        value.kind()
                    )));
                }
                Ok(())
            }
        }
    }

    /// Whether `entity` passes.
    pub fn matches(&self, entity: &Entity) -> bool {
        match self {
            Self::And(a, b) => a.matches(entity) && b.matches(entity),
            Self::Or(a, b) => a.matches(entity) || b.matches(entity),
            Self::Not(a) => !a.matches(entity),
            Self::Compare {
                property,
                op,
                value,
            } => {
                let Some(actual) = entity.property(property) else {
                    return false;
                };
                match (&actual, value) {
                    (Value::Null, Value::Null) => *op == CmpOp::Eq,
                    (_, Value::Null) | (Value::Null, _) => *op == CmpOp::Ne,
                    _ => actual.compare(value).is_some_and(|o| op.holds(o)),
                }
            }
        }
    }
}

pub(crate) fn bad(message: String) -> DomainError {
    DomainError::BadRequest(message)
}
