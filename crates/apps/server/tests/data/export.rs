//! `ents export`: the export API's CSV on standard output or a file.

use super::support::{assert_ok, ents, run, seeded, stderr, stdout};

const EXPECTED: &str = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value,logger\n\
    1,c1,power,power,voltage,mV,2024-01-01T10:00:00Z,2000,\n\
    1,c1,power,power,voltage,mV,2024-01-01T10:30:00Z,1000,\n\
    1,c1,power,power,current,µA,2024-01-01T10:30:00Z,2000,\n\
    1,c1,power,power,power,µW,2024-01-01T10:30:00Z,2000,\n\
    1,c1,teros,teros12,vwc,%,2024-01-02T00:00:00Z,25,\n\
    1,c1,teros,teros12,temp,°C,2024-01-02T00:00:00Z,21.5,\n\
    1,c1,teros,teros12,ec,µS/cm,2024-01-02T00:00:00Z,120,\n\
    1,c1,teros,teros12,raw_vwc,,2024-01-02T00:00:00Z,2000.5,\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100,\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:50:00Z,101.25,\n";

fn export_args(extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "export",
        "--cell",
        "1",
        "--from",
        "2024-01-01T00:00:00Z",
        "--to",
        "Wed, 03 Jan 2024 00:00:00 GMT",
    ];
    args.extend_from_slice(extra);
    args.into_iter().map(str::to_owned).collect()
}

#[tokio::test]
async fn export_streams_the_export_csv_to_standard_output() {
    let db = seeded().await;
    let mut command = ents(&db);
    command.args(export_args(&["-o", "-"]));
    let output = run(command).await;
    assert_ok(&output);
    assert_eq!(stdout(&output), EXPECTED);
    // Not a terminal: a plain summary line on standard error, never on the data.
    assert!(
        stderr(&output).contains("exported 10 rows"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn export_writes_a_file_and_leaves_no_part_file() {
    let db = seeded().await;
    let dir = std::env::temp_dir().join(ents_test_support::unique_name("ents-export-cli"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("c1.csv");
    let mut command = ents(&db);
    command.args(export_args(&["-o", file.to_str().unwrap(), "--quiet"]));
    let output = run(command).await;
    assert_ok(&output);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), EXPECTED);
    assert!(stdout(&output).is_empty());
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "only the published file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn export_resamples_like_the_export_job() {
    let db = seeded().await;
    let mut command = ents(&db);
    command.args(export_args(&["--resample", "hour", "--quiet"]));
    let output = run(command).await;
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        text.contains("1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:00:00Z,100.625,\n"),
        "{text}"
    );
}

#[tokio::test]
async fn bad_export_arguments_fail_with_a_clear_message_and_no_output() {
    let db = seeded().await;
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "export",
                "--cell",
                "99",
                "--from",
                "2024-01-01",
                "--to",
                "2024-02-01",
            ],
            "Cell not found",
        ),
        (
            &[
                "export",
                "--cell",
                "1",
                "--from",
                "yesterday",
                "--to",
                "2024-02-01",
            ],
            "--from",
        ),
        (
            &[
                "export",
                "--cell",
                "1",
                "--from",
                "2024-02-01",
                "--to",
                "2024-01-01",
            ],
            "end",
        ),
        (
            &[
                "export",
                "--cell",
                "1",
                "--from",
                "2024-01-01",
                "--to",
                "2024-02-01",
                "--resample",
                "year",
            ],
            "--resample",
        ),
    ];
    for (args, expected) in cases {
        let mut command = ents(&db);
        command.args(args);
        let output = run(command).await;
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stdout(&output).is_empty(), "{args:?} wrote data");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}
