//! The query options of a request (`$top`, `$skip`, `$count`, `$select`, `$expand`,
//! `$orderby`, `$filter`, and our `$skiptoken`), checked against the entity set they apply to.

use super::filter::Filter;
use super::model::EntitySet;
use crate::DomainError;

/// The largest `$top` (and the page size without one is [`DEFAULT_TOP`]).
pub const MAX_TOP: usize = 1000;
/// The page size without `$top`.
pub const DEFAULT_TOP: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub property: String,
    pub order: Order,
}

/// One navigation property to expand inline (one level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub name: String,
    pub target: EntitySet,
    pub many: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryOptions {
    pub top: usize,
    pub skip: usize,
    pub count: bool,
    /// `None`: every property and navigation link.
    pub select: Option<Vec<String>>,
    pub expand: Vec<Expand>,
    pub order_by: Vec<OrderBy>,
    pub filter: Option<Filter>,
    /// Where the previous page of Observations stopped (from our `@iot.nextLink`).
    pub skip_token: Option<String>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            top: DEFAULT_TOP,
            skip: 0,
            count: false,
            select: None,
            expand: Vec::new(),
            order_by: Vec::new(),
            filter: None,
            skip_token: None,
        }
    }
}

fn bad(message: String) -> DomainError {
    DomainError::BadRequest(message)
}

fn number(name: &str, value: &str) -> Result<usize, DomainError> {
    value.trim().parse::<usize>().map_err(|_| {
        bad(format!(
            "{name} must be a non-negative integer, not '{value}'"
        ))
    })
}

impl QueryOptions {
    /// From the query's `(name, value)` pairs (already percent-decoded), for a request on
    /// `set`. Errors: `BadRequest` naming the option (unknown `$` options included).
    pub fn parse(pairs: &[(String, String)], set: EntitySet) -> Result<Self, DomainError> {
        let mut options = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "$top" => {
                    options.top = number(name, value)?;
                    if options.top > MAX_TOP {
                        return Err(bad(format!("$top must be at most {MAX_TOP}")));
                    }
                }
                "$skip" => options.skip = number(name, value)?,
                "$count" => {
                    options.count = match value.as_str() {
                        "true" => true,
                        "false" => false,
                        _ => {
                            return Err(bad(format!(
                                "$count must be true or false, not '{value}'"
                            )));
                        }
                    }
                }
                "$select" => options.select = Some(select(value, set)?),
                "$expand" => options.expand = expand(value, set)?,
                "$orderby" => options.order_by = order_by(value, set)?,
                "$filter" => options.filter = Some(Filter::parse(value, set)?),
                "$skiptoken" => options.skip_token = Some(value.clone()),
                "$resultFormat" | "$search" | "$format" | "$levels" => {
                    return Err(bad(format!("{name} is not supported")));
                }
                other if other.starts_with('$') => {
                    return Err(bad(format!("unknown query option {other}")));
                }
                // Anything else is not ours to judge (cache busters and the like).
                _ => {}
            }
        }
        Ok(options)
    }
}

fn names(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn select(value: &str, set: EntitySet) -> Result<Vec<String>, DomainError> {
    let mut out = Vec::new();
    for name in names(value) {
        let name = if name == "@iot.id" { "id" } else { name };
        let known =
            name == "id" || set.properties().contains(&name) || set.navigate(name).is_some();
        if !known {
            return Err(bad(format!(
                "$select: {} have no property '{name}'",
                set.name()
            )));
        }
        out.push(name.to_owned());
    }
    if out.is_empty() {
        return Err(bad("$select names no property".into()));
    }
    Ok(out)
}

fn expand(value: &str, set: EntitySet) -> Result<Vec<Expand>, DomainError> {
    let mut out = Vec::new();
    for name in names(value) {
        if name.contains('/') || name.contains('(') {
            return Err(bad(format!(
                "$expand: only one level without nested options is supported ('{name}')"
            )));
        }
        let (target, many) = set.navigate(name).ok_or_else(|| {
            bad(format!(
                "$expand: {} have no navigation property '{name}'",
                set.name()
            ))
        })?;
        out.push(Expand {
            name: name.to_owned(),
            target,
            many,
        });
    }
    Ok(out)
}

fn order_by(value: &str, set: EntitySet) -> Result<Vec<OrderBy>, DomainError> {
    let mut out = Vec::new();
    for clause in names(value) {
        let mut words = clause.split_whitespace();
        let property = match words.next() {
            Some("@iot.id") => "id",
            Some(p) => p,
            None => continue,
        };
        let order = match words.next() {
            None | Some("asc") => Order::Asc,
            Some("desc") => Order::Desc,
            Some(other) => return Err(bad(format!("$orderby: '{other}' is not asc or desc"))),
        };
        if words.next().is_some() {
            return Err(bad(format!("$orderby: cannot read '{clause}'")));
        }
        let sortable = property == "id"
            || (property == "name" && set.properties().contains(&"name"))
            || (property == "phenomenonTime"
                && matches!(set, EntitySet::Datastreams | EntitySet::Observations));
        if !sortable {
            return Err(bad(format!(
                "$orderby: {} cannot be ordered by '{property}'",
                set.name()
            )));
        }
        out.push(OrderBy {
            property: property.to_owned(),
            order,
        });
    }
    Ok(out)
}
