//! `ents import` stopped by Ctrl-C (SIGINT to the binary) after a committed batch, then
//! `--resume`d from its checkpoint, in each format; a file changed since refuses to resume.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Output, Stdio};

use ents_persistence::testing::TestDb;

use super::support::{assert_ok, client, ents, power, run, sql, stderr, stdout};

const ROWS: u32 = 40_000;

async fn stored(db: &TestDb) -> i64 {
    client(db)
        .await
        .query_one("SELECT count(*) FROM data", &[])
        .await
        .unwrap()
        .get(0)
}

/// A file to import, alone in a directory of its own, and where its checkpoint goes.
struct Input {
    dir: PathBuf,
    file: PathBuf,
    checkpoint: PathBuf,
}

impl Input {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(ents_test_support::unique_name("ents-resume"));
        std::fs::create_dir(&dir).unwrap();
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let checkpoint = dir.join(format!("{name}.ents-checkpoint"));
        Self {
            dir,
            file,
            checkpoint,
        }
    }

    fn remove(self) {
        std::fs::remove_dir_all(self.dir).unwrap();
    }
}

/// `ents import <file> <args>` in batches of 20 (many transactions, so the signal lands in
/// the middle), stopped by Ctrl-C after its first checkpoint: it fails, says how to
/// `--resume`, and leaves the checkpoint.
async fn import_interrupted(db: &TestDb, input: &Input, args: &[&str]) {
    let mut command = ents(db);
    command
        .arg("import")
        .arg(&input.file)
        .args(args)
        .args(["--quiet", "--batch-rows", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    ents_test_support::wait_until("a first checkpoint", || {
        let exists = input.checkpoint.exists();
        async move { exists }
    })
    .await;
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(stderr(&output).contains("--resume"), "{}", stderr(&output));
    assert!(input.checkpoint.exists());
}

/// `ents import <file> <args> --resume`, whatever its exit status.
async fn import_resumed(db: &TestDb, input: &Input, args: &[&str]) -> Output {
    let mut command = ents(db);
    command
        .arg("import")
        .arg(&input.file)
        .args(args)
        .args(["--quiet", "--resume"]);
    run(command).await
}

/// The lines an import read, from its report (`read N lines: …`).
fn lines_read(report: &str) -> u64 {
    report
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{report}"))
}

#[tokio::test]
async fn ctrl_c_stops_after_a_batch_and_resume_continues_after_it() {
    let db = TestDb::new().await;
    sql(&db, "INSERT INTO cell (id, name) VALUES (1, 'c1')").await;
    let mut text =
        String::from("cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n");
    let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    for k in 0..ROWS {
        let ts = (start + chrono::TimeDelta::seconds(i64::from(k))).format("%Y-%m-%dT%H:%M:%SZ");
        text.push_str(&format!("1,c1,sensor,probe,level,m,{ts},{k}\n"));
    }
    let input = Input::new("levels.csv", text.as_bytes());
    import_interrupted(&db, &input, &[]).await;
    let first = stored(&db).await;
    assert!(first > 0 && first < i64::from(ROWS), "{first}");

    // A changed file is not resumed.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&input.file)
        .unwrap()
        .write_all(b"1,c1,sensor,probe,level,m,2030-01-01T00:00:00Z,1\n")
        .unwrap();
    let output = import_resumed(&db, &input, &[]).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("changed since its checkpoint"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stored(&db).await, first);

    // The same file again: continues after the checkpoint, to the end.
    std::fs::write(&input.file, &text).unwrap();
    let output = import_resumed(&db, &input, &[]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert_eq!(stored(&db).await, i64::from(ROWS));
    // Only the rest was read: far fewer lines than the file holds.
    assert!(lines_read(&report) < u64::from(ROWS), "{report}");
    assert!(
        !input.checkpoint.exists(),
        "a completed import removes its checkpoint"
    );
    input.remove();
}

const FRAMES: u32 = 20_000;

async fn power_rows(db: &TestDb) -> i64 {
    client(db)
        .await
        .query_one("SELECT count(*) FROM power_data WHERE cell_id = 1", &[])
        .await
        .unwrap()
        .get(0)
}

/// Imports `bytes` (as a file) with `args`, stops it with Ctrl-C after its first
/// checkpoint, then `--resume`s it: every one of the `FRAMES` power rows is stored once, and
/// the checkpoint is gone.
async fn interrupt_and_resume(bytes: &[u8], args: &[&str]) {
    let db = TestDb::new().await;
    sql(
        &db,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now())",
    )
    .await;
    let input = Input::new("input", bytes);
    import_interrupted(&db, &input, args).await;
    let first = power_rows(&db).await;
    assert!(first > 0 && first < i64::from(FRAMES), "{first}");

    let output = import_resumed(&db, &input, args).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert_eq!(power_rows(&db).await, i64::from(FRAMES), "{report}");
    assert!(
        lines_read(&report) < u64::from(FRAMES),
        "only the rest is read: {report}"
    );
    assert!(report.contains("0 bad lines"), "{report}");
    assert!(
        !input.checkpoint.exists(),
        "a completed import removes its checkpoint"
    );
    input.remove();
}

#[tokio::test]
async fn a_protobuf_import_resumes_after_its_last_committed_frame() {
    use prost::Message as _;
    let mut bytes = Vec::new();
    for k in 0..FRAMES {
        power(1_700_000_000 + k, 1.5)
            .encode_length_delimited(&mut bytes)
            .unwrap();
    }
    interrupt_and_resume(&bytes, &["--format", "protobuf"]).await;
}

#[tokio::test]
async fn a_ttn_import_resumes_after_its_last_committed_line() {
    use base64::Engine as _;
    use prost::Message as _;
    let mut text = String::new();
    for k in 0..FRAMES {
        let payload = power(1_700_000_000 + k, 1.5).encode_to_vec();
        let uplink = serde_json::json!({
            "end_device_ids": {"device_id": "ents-1"},
            "uplink_message": {
                "f_port": 1,
                "frm_payload": base64::engine::general_purpose::STANDARD.encode(payload),
            },
        });
        text.push_str(&uplink.to_string());
        text.push('\n');
    }
    interrupt_and_resume(text.as_bytes(), &["--format", "ttn"]).await;
}

#[tokio::test]
async fn a_seed_era_import_resumes_after_its_last_committed_line() {
    let mut text = String::from("timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n");
    let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    for k in 0..FRAMES {
        let ts = (start + chrono::TimeDelta::seconds(i64::from(k))).format("%Y-%m-%d %H:%M:%S");
        text.push_str(&format!(
            "{ts},void,void,void,void,1500.0,2000.0,3000.0,void,void,void,void\n"
        ));
    }
    interrupt_and_resume(text.as_bytes(), &["--format", "seed-csv", "--cell", "1"]).await;
}
