#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;

use super::*;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

#[test]
fn http_dates_are_rfc1123_gmt_with_whole_seconds() {
    let ts = at(2024, 11, 1, 0, 0, 0);
    assert_eq!(format_http_date(ts), "Fri, 01 Nov 2024 00:00:00 GMT");
    let with_micros = at(2024, 1, 13, 20, 2, 42) + chrono::TimeDelta::microseconds(500_000);
    assert_eq!(
        format_http_date(with_micros),
        "Sat, 13 Jan 2024 20:02:42 GMT"
    );
}

#[test]
fn query_times_accept_what_the_clients_send_and_iso() {
    let expected = at(2024, 1, 13, 20, 2, 42);
    for text in [
        "Sat, 13 Jan 2024 20:02:42 GMT",
        "Mon, 13 Jan 2024 20:02:42 GMT", // the weekday is not checked, as upstream
        "13 Jan 2024 20:02:42 GMT",
        "Sat, 13 Jan 2024 20:02:42 +0000",
        "Sat, 13 Jan 2024 22:02:42 +0200",
        "Sat, 13 Jan 2024 20:02:42 -0000",
        "Sat, 13 Jan 2024 20:02:42",
        "2024-01-13T20:02:42Z",
        "2024-01-13T21:02:42+01:00",
        "2024-01-13T20:02:42",
        "2024-01-13 20:02:42",
        " 2024-01-13T20:02:42.000Z ",
    ] {
        assert_eq!(parse_time(text), Some(expected), "{text}");
    }
    assert_eq!(
        parse_time("Sat, 13 Jan 2024 20:02 GMT"),
        Some(at(2024, 1, 13, 20, 2, 0))
    );
    assert_eq!(parse_time("2024-01-13"), Some(at(2024, 1, 13, 0, 0, 0)));
    for bad in [
        "",
        "yesterday",
        "13/01/2024",
        "2024-13-01T00:00:00Z",
        "Sat, 32 Jan 2024 00:00:00 GMT",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

#[test]
fn resample_accepts_exactly_the_documented_values() {
    for (text, unit) in [
        ("none", None),
        ("minute", Some("minute")),
        ("hour", Some("hour")),
        ("day", Some("day")),
        ("week", Some("week")),
        ("month", Some("month")),
    ] {
        assert_eq!(Resample::parse(text).unwrap().unit(), unit);
    }
    for bad in ["", "Hour", "second", "quarter", "year", "1 hour"] {
        assert_eq!(Resample::parse(bad), None, "{bad}");
    }
}

#[test]
fn stream_wins_over_resample() {
    assert_eq!(ReadMode::new(Resample::Hour, true), ReadMode::Stream);
    assert_eq!(ReadMode::new(Resample::None, false), ReadMode::Raw);
    assert_eq!(
        ReadMode::new(Resample::Day, false),
        ReadMode::Buckets(Resample::Day)
    );
}

#[test]
fn cell_ids_parse_as_upstream() {
    assert_eq!(parse_cell_ids("1,2,3"), Ok(vec![1, 2, 3]));
    assert_eq!(parse_cell_ids(" 1 , ,2,"), Ok(vec![1, 2]));
    assert_eq!(parse_cell_ids("invalid"), Err("Invalid cell_ids format"));
    assert_eq!(parse_cell_ids("1,x"), Err("Invalid cell_ids format"));
    assert_eq!(
        parse_cell_ids(""),
        Err("At least one valid cell_id is required")
    );
    assert_eq!(
        parse_cell_ids(" , "),
        Err("At least one valid cell_id is required")
    );
}

#[test]
fn recent_means_at_most_fourteen_days_old() {
    let now = at(2024, 2, 1, 0, 0, 0);
    let fresh = Availability::new(
        Some((at(2023, 1, 1, 0, 0, 0), at(2024, 1, 18, 0, 0, 0))),
        now,
    );
    assert!(fresh.has_recent_data);
    let stale = Availability::new(
        Some((at(2023, 1, 1, 0, 0, 0), at(2024, 1, 17, 23, 59, 59))),
        now,
    );
    assert!(!stale.has_recent_data);
    let none = Availability::new(None, now);
    assert_eq!(
        (none.latest, none.earliest, none.has_recent_data),
        (None, None, false)
    );
}

#[test]
fn catalog_lists_builtins_then_sensors_with_upstream_labels() {
    let facts = CatalogFacts {
        has_power: true,
        has_teros: false,
        sensors: vec![
            CatalogSensor {
                id: 7,
                name: "co2".into(),
                measurement: "CO2".into(),
                unit: Some("PPM".into()),
            },
            CatalogSensor {
                id: 8,
                name: "x".into(),
                measurement: String::new(),
                unit: None,
            },
            CatalogSensor {
                id: 9,
                name: String::new(),
                measurement: String::new(),
                unit: None,
            },
        ],
    };
    let entries = catalog_entries(&facts);
    let ids: Vec<&str> = entries.iter().map(|e| e.panel_id.as_str()).collect();
    assert_eq!(ids, ["power-vi", "power-p", "s:7", "s:8", "s:9"]);
    assert_eq!(entries[1].description, "power · µW");
    assert_eq!(entries[2].label, "CO2");
    assert_eq!(entries[2].description, "co2 · CO2 · PPM");
    assert_eq!(entries[3].label, "x");
    assert_eq!(entries[4].label, "Sensor 9");
    assert_eq!(entries[4].description, "");
    let json = serde_json::to_string(&entries[0]).unwrap();
    assert_eq!(
        json,
        r#"{"panel_id":"power-vi","label":"Voltage & Current","description":"power · voltage & current","category":"power","kind":"builtin"}"#
    );
}

#[test]
fn stats_of_sums_compose_into_means() {
    let s = Stats::from_sum(4, 10.0, Some(1.0), Some(4.0));
    assert_eq!(s.mean, Some(2.5));
    assert_eq!(Stats::from_sum(0, 0.0, None, None).mean, None);
    assert_eq!(Stats::single(None).count, 0);
}

#[test]
fn fields_read_as_the_slice_of_their_length() {
    use super::Fields;
    let a = Stats::single(Some(1.0));
    let b = Stats::single(Some(2.0));
    let fields = Fields::new([a, b, Stats::single(Some(3.0)), Stats::default()], 2);
    assert_eq!(&*fields, &[a, b]);
    assert_eq!(fields.get(2), None);
    // Slots past the length do not count in equality.
    assert_eq!(fields, Fields::new([a, b, Stats::default(), b], 2));
    assert_ne!(fields, Fields::new([a, b, Stats::default(), b], 3));
    assert_eq!(fields, [a, b].into_iter().collect::<Fields>());
    // More than four: the first four.
    let many: Fields = std::iter::repeat_n(a, 6).collect();
    assert_eq!(many.len(), Fields::CAPACITY);
    assert_eq!(Fields::new([a; 4], 9).len(), Fields::CAPACITY);
    assert_eq!((&fields).into_iter().count(), 2);
}
