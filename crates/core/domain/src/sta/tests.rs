#![allow(clippy::unwrap_used, clippy::panic)]

use chrono::NaiveDate;

use super::filter::{CmpOp, Filter, Value};
use super::*;

#[test]
fn ids_round_trip_and_reject_the_impossible() {
    let key = SeriesKey::new(42, Slot::Ec);
    assert_eq!(key.id(), 42 * 16 + 6);
    assert_eq!(SeriesKey::from_id(key.id()), Some(key));
    assert_eq!(SeriesKey::from_id(-1), None);
    assert_eq!(SeriesKey::from_id(15), None); // slot 15 does not exist
    assert_eq!(SeriesKey::from_id(i64::MAX), None);
    let obs = ObservationId::new(7, Slot::Sensor);
    assert_eq!(ObservationId::from_id(obs.id()), Some(obs));
}

fn filter(text: &str, set: EntitySet) -> Result<Filter, crate::DomainError> {
    Filter::parse(text, set)
}

#[test]
fn filters_parse_with_precedence_and_flipped_literals() {
    let f = filter(
        "result gt 5 and not (phenomenonTime lt 2024-01-13T20:00:00Z or id eq 3)",
        EntitySet::Observations,
    )
    .unwrap();
    let Filter::And(left, right) = f else {
        panic!("and at the top");
    };
    assert_eq!(
        *left,
        Filter::Compare {
            property: "result".into(),
            op: CmpOp::Gt,
            value: Value::Number(5.0)
        }
    );
    assert!(matches!(*right, Filter::Not(_)));
    let f = filter("10 lt result", EntitySet::Observations).unwrap();
    assert_eq!(
        f,
        Filter::Compare {
            property: "result".into(),
            op: CmpOp::Gt,
            value: Value::Number(10.0)
        }
    );
    let f = filter("name eq 'it''s'", EntitySet::Things).unwrap();
    let Filter::Compare { value, .. } = f else {
        panic!()
    };
    assert_eq!(value, Value::Text("it's".into()));
    let f = filter(
        "phenomenonTime ge 2024-01-13T21:00:00+01:00",
        EntitySet::Observations,
    )
    .unwrap();
    let Filter::Compare { value, .. } = f else {
        panic!()
    };
    let t = NaiveDate::from_ymd_opt(2024, 1, 13)
        .unwrap()
        .and_hms_opt(20, 0, 0)
        .unwrap();
    assert_eq!(value, Value::Time(t));
}

#[test]
fn unsupported_filters_are_bad_requests_with_a_reason() {
    for (text, set, expected) in [
        ("substringof('a', name)", EntitySet::Things, "function"),
        ("result add 5 gt 3", EntitySet::Observations, "operator"),
        ("name eq 5", EntitySet::Things, "a string"),
        ("colour eq 'red'", EntitySet::Things, "cannot be filtered"),
        ("(id eq 1", EntitySet::Things, "')'"),
        ("name eq 'open", EntitySet::Things, "unterminated"),
        ("", EntitySet::Things, "incomplete"),
        ("id eq 1 id", EntitySet::Things, "unexpected"),
        (
            "result gt 2024-99-99",
            EntitySet::Observations,
            "not a number",
        ),
    ] {
        match filter(text, set) {
            Err(crate::DomainError::BadRequest(m)) => {
                assert!(m.contains(expected), "{text}: {m}")
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let deep = format!("{}id eq 1{}", "(".repeat(100), ")".repeat(100));
    assert!(filter(&deep, EntitySet::Things).is_err());
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn query_options_are_checked_against_the_set() {
    let o = QueryOptions::parse(
        &pairs(&[
            ("$top", "5"),
            ("$skip", "10"),
            ("$count", "true"),
            ("$select", "id,name"),
            ("$expand", "Datastreams"),
            ("$orderby", "name desc"),
        ]),
        EntitySet::Things,
    )
    .unwrap();
    assert_eq!((o.top, o.skip, o.count), (5, 10, true));
    assert_eq!(o.expand[0].target, EntitySet::Datastreams);
    assert_eq!(o.order_by[0].order, Order::Desc);
    for bad in [
        ("$top", "1001"),
        ("$top", "-1"),
        ("$count", "yes"),
        ("$select", "colour"),
        ("$expand", "Datastreams/Observations"),
        ("$expand", "Observations"),
        ("$orderby", "name sideways"),
        ("$bogus", "1"),
    ] {
        assert!(
            QueryOptions::parse(&pairs(&[bad]), EntitySet::Things).is_err(),
            "{bad:?}"
        );
    }
    assert_eq!(MAX_TOP, 1000);
}
