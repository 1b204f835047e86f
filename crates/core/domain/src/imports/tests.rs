#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDateTime;

use super::*;

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn feed(lines: &[&str]) -> (Vec<LineRow>, Vec<(u64, String)>) {
    let mut assembler = ExportCsvAssembler::new();
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let n = i as u64 + 2;
        match assembler.push(n, &fields) {
            Ok(Some(row)) => rows.push(row),
            Ok(None) => {}
            Err(reason) => bad.push((n, reason)),
        }
    }
    rows.extend(assembler.finish());
    (rows, bad)
}

#[test]
fn the_values_of_one_stored_row_come_back_together_in_table_units() {
    let (rows, bad) = feed(&[
        "1,c1,power,power,voltage,mV,2024-01-01T10:00:00Z,2000",
        "1,c1,power,power,voltage,mV,2024-01-01T10:30:00Z,1000",
        "1,c1,power,power,current,µA,2024-01-01T10:30:00Z,2000",
        "1,c1,power,power,power,µW,2024-01-01T10:30:00Z,2000",
        "1,c1,teros,teros12,vwc,%,2024-01-02T00:00:00Z,25",
        "1,c1,teros,teros12,ec,µS/cm,2024-01-02T00:00:00Z,120",
        "1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100",
    ]);
    assert!(bad.is_empty(), "{bad:?}");
    let rows: Vec<_> = rows.into_iter().map(|r| (r.line, r.row)).collect();
    assert_eq!(
        rows,
        vec![
            (
                2,
                ImportRow::Power {
                    cell_id: 1,
                    logger_id: None,
                    logger_name: None,
                    ts: ts("2024-01-01 10:00:00"),
                    voltage: Some(2.0),
                    current: None
                }
            ),
            (
                3,
                ImportRow::Power {
                    cell_id: 1,
                    logger_id: None,
                    logger_name: None,
                    ts: ts("2024-01-01 10:30:00"),
                    voltage: Some(1.0),
                    current: Some(0.002)
                }
            ),
            (
                6,
                ImportRow::Teros {
                    cell_id: 1,
                    ts: ts("2024-01-02 00:00:00"),
                    vwc: Some(25.0),
                    raw_vwc: None,
                    temp: None,
                    ec: Some(120)
                }
            ),
            (
                8,
                ImportRow::Sensor {
                    cell_id: 1,
                    name: "bme280".into(),
                    measurement: "pressure".into(),
                    unit: "kPa".into(),
                    ts: ts("2024-01-01 05:10:00"),
                    value: ImportValue::Number(100.0)
                }
            ),
        ]
    );
}

#[test]
fn bad_lines_say_why_and_do_not_disturb_the_row_being_assembled() {
    let (rows, bad) = feed(&[
        "1,c1,power,power,voltage,mV,2024-01-01T10:30:00Z,1000",
        "x,c1,power,power,current,µA,2024-01-01T10:30:00Z,2000",
        "1,c1,power,power,current,µA,yesterday,2000",
        "1,c1,power,power,current,µA,2024-01-01T10:30:00Z,lots",
        "1,c1,moon,power,current,µA,2024-01-01T10:30:00Z,1",
        "1,c1,teros,teros12,ec,µS/cm,2024-01-02T00:00:00Z,1.5",
        "1,c1",
        "1,c1,power,power,current,µA,2024-01-01T10:30:00Z,2000",
    ]);
    let lines: Vec<u64> = bad.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8]);
    assert!(bad[0].1.contains("cell_id"));
    assert!(bad[1].1.contains("timestamp"));
    assert!(bad[2].1.contains("value"));
    assert!(bad[3].1.contains("source"));
    assert!(bad[4].1.contains("ec"));
    assert!(bad[5].1.contains("fields"));
    assert_eq!(rows.len(), 1);
    assert!(matches!(
        rows[0].row,
        ImportRow::Power {
            voltage: Some(_),
            current: Some(_),
            ..
        }
    ));
}

#[test]
fn a_seed_csv_line_gives_its_teros_power_and_sensor_rows_once() {
    let mut parser = SeedCsvParser::new(5);
    let line = |parser: &mut SeedCsvParser, n: u64, text: &str| {
        let fields: Vec<&str> = text.split(',').collect();
        parser
            .push(n, &fields)
            .map(|rows| rows.into_iter().map(|r| r.row).collect::<Vec<_>>())
    };
    let rows = line(
        &mut parser,
        2,
        "2024-01-13 10:30:00,25.0,void,120.0,void,1000.0,2000.0,2000.0,0.5,voltage,V,float",
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ImportRow::Teros {
                cell_id: 5,
                ts: ts("2024-01-13 10:30:00"),
                vwc: Some(25.0),
                raw_vwc: None,
                temp: None,
                ec: Some(120)
            },
            ImportRow::Power {
                cell_id: 5,
                logger_id: None,
                logger_name: None,
                ts: ts("2024-01-13 10:30:00"),
                voltage: Some(1.0),
                current: Some(0.002)
            },
            ImportRow::Sensor {
                cell_id: 5,
                name: "phytos31".into(),
                measurement: "voltage".into(),
                unit: "V".into(),
                ts: ts("2024-01-13 10:30:00"),
                value: ImportValue::Number(0.5)
            },
        ]
    );
    // The merge's repetition of the same TEROS and sensor rows beside another power row.
    let rows = line(
        &mut parser,
        3,
        "2024-01-13 10:30:00,25.0,void,120.0,void,1500.0,void,void,0.5,voltage,V,float",
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        matches!(rows[0], ImportRow::Power { voltage: Some(v), current: None, .. } if v == 1.5)
    );
    let gaps = "2024-01-13 11:00:00,void,void,void,void,void,void,void,void,void,void,void";
    assert_eq!(line(&mut parser, 4, gaps).unwrap(), vec![]);
}

#[test]
fn a_bad_seed_csv_line_names_its_column() {
    let mut parser = SeedCsvParser::new(1);
    for (text, column) in [
        (
            "yesterday,1,void,void,void,void,void,void,void,void,void,void",
            "timestamp",
        ),
        (
            "2024-01-13 10:00:00,x,void,void,void,void,void,void,void,void,void,void",
            "vwc",
        ),
        (
            "2024-01-13 10:00:00,void,void,1.5,void,void,void,void,void,void,void,void",
            "ec",
        ),
        (
            "2024-01-13 10:00:00,void,void,void,void,nan,void,void,void,void,void,void",
            "v",
        ),
        (
            "2024-01-13 10:00:00,void,void,void,void,void,void,void,1,void,void,void",
            "measurement",
        ),
        ("2024-01-13 10:00:00,void", "fields"),
    ] {
        let fields: Vec<&str> = text.split(',').collect();
        let reason = parser.push(2, &fields).unwrap_err();
        assert!(
            reason.starts_with(column) || reason.contains(column),
            "{text}: {reason}"
        );
    }
}

#[test]
fn an_upload_s_layout_is_detected_from_its_header_line() {
    let export = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n1,c1";
    assert_eq!(
        CsvLayout::detect(export.as_bytes()),
        Some(CsvLayout::Export)
    );
    let crlf = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\r\n";
    assert_eq!(CsvLayout::detect(crlf.as_bytes()), Some(CsvLayout::Export));
    let seed = "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type";
    assert_eq!(CsvLayout::detect(seed.as_bytes()), Some(CsvLayout::Seed));
    for other in ["", "a,b\n", "cell_id,cell_name\n", "\u{feff}timestamp"] {
        assert_eq!(CsvLayout::detect(other.as_bytes()), None, "{other:?}");
    }
    assert_eq!(CsvLayout::detect(&[0xff, 0xfe, b'\n']), None);
}

#[test]
fn the_error_report_is_csv_with_quoted_reasons() {
    let report = error_report(&[
        BadLine {
            line: 5,
            reason: "timestamp: \"x\" is not an ISO 8601 time".into(),
        },
        BadLine {
            line: 9,
            reason: "expected 8 fields, found 2".into(),
        },
    ]);
    assert_eq!(
        String::from_utf8(report).unwrap(),
        "line,reason\n5,\"timestamp: \"\"x\"\" is not an ISO 8601 time\"\n\
         9,\"expected 8 fields, found 2\"\n"
    );
}
