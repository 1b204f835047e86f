use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies a job. UUID v7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub Uuid);

impl JobId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for JobId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Life cycle: `queued` → `running` → `succeeded` | `failed`; a failed attempt that may be
/// retried goes back to `queued` (with `run_after` in the future).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored form; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// A job record as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: JobId,
    /// Which handler runs it (`export.csv`, `ttn.register`, …).
    pub kind: String,
    pub state: JobState,
    /// Attempts started so far (a claim counts as an attempt).
    pub attempts: i32,
    /// Attempts allowed before the job is dead-lettered.
    pub max_attempts: i32,
    /// 0.0 ..= 1.0, reported by the handler.
    pub progress: f32,
    pub payload: serde_json::Value,
    pub result: Option<serde_json::Value>,
    /// The last failure, as shown to clients (never an internal cause with secrets).
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Not to be started before this instant (retry back-off).
    pub run_after: DateTime<Utc>,
    /// While `running`: the claim is valid until then; after it, another consumer may take over.
    pub lease_until: Option<DateTime<Utc>>,
}

/// What a caller submits.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub max_attempts: i32,
}

/// How many jobs are in each unfinished state (and how many failed for good): the queue's
/// depth as an operator watches it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// `queued` and due: waiting only for a consumer.
    pub runnable: u64,
    /// `queued` but backing off before a retry (`run_after` in the future).
    pub delayed: u64,
    /// `running` (including those whose consumer died and whose lease has not expired yet).
    pub running: u64,
    /// `failed` for good (dead-lettered), all time.
    pub failed: u64,
}
