//! Alert rules as the domain sees them: what is watched, how bad it is, when to stay quiet,
//! and who is told.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::users::UserId;

/// The message of `NotFound` for an unknown rule (or one the caller may not see).
pub const RULE_NOT_FOUND: &str = "Alert rule not found";

/// Identifies a rule (`alert_rule.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(pub i64);

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// How urgent a rule's alerts are (shown in the notification; no routing depends on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub const ACCEPTED: &'static str = "info, warning, critical";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "info" => Self::Info,
            "warning" => Self::Warning,
            "critical" => Self::Critical,
            _ => return None,
        })
    }
}

/// Which way a threshold is crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Fires while every value is below the threshold.
    Below,
    /// Fires while every value is above the threshold.
    Above,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Below => "below",
            Self::Above => "above",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "below" => Self::Below,
            "above" => Self::Above,
            _ => return None,
        })
    }
}

/// A series a threshold watches, in the units the series API serves (mV, µA, µW; VWC in %,
/// °C, µS/cm; a generic sensor's own unit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SeriesRef {
    /// `power_data`: `v` (mV), `i` (µA) or `p` (µW).
    Power(PowerField),
    /// `teros_data`: `vwc` (%), `temp` (°C) or `ec` (µS/cm).
    Teros(TerosField),
    /// A generic sensor of the cell, by name and measurement (exact match, as the series API).
    Sensor { name: String, measurement: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PowerField {
    Voltage,
    Current,
    Power,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TerosField {
    Vwc,
    Temp,
    Ec,
}

impl SeriesRef {
    /// `power.voltage`, `teros.vwc`, `sensor` — the `series` field of the API.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Power(PowerField::Voltage) => "power.voltage",
            Self::Power(PowerField::Current) => "power.current",
            Self::Power(PowerField::Power) => "power.power",
            Self::Teros(TerosField::Vwc) => "teros.vwc",
            Self::Teros(TerosField::Temp) => "teros.temp",
            Self::Teros(TerosField::Ec) => "teros.ec",
            Self::Sensor { .. } => "sensor",
        }
    }

    /// What `series` accepts, for error messages and the OpenAPI document.
    pub const ACCEPTED: &'static str = "power.voltage, power.current, power.power, teros.vwc, \
                                        teros.temp, teros.ec, sensor";

    /// The series named `kind` (with `sensor`'s name and measurement), or `None`.
    pub fn parse(kind: &str, sensor: Option<(String, String)>) -> Option<Self> {
        Some(match kind {
            "power.voltage" => Self::Power(PowerField::Voltage),
            "power.current" => Self::Power(PowerField::Current),
            "power.power" => Self::Power(PowerField::Power),
            "teros.vwc" => Self::Teros(TerosField::Vwc),
            "teros.temp" => Self::Teros(TerosField::Temp),
            "teros.ec" => Self::Teros(TerosField::Ec),
            "sensor" => {
                let (name, measurement) = sensor?;
                Self::Sensor { name, measurement }
            }
            _ => return None,
        })
    }

    /// A short human label: `power voltage (mV)`, `sensor soil/moisture`.
    pub fn label(&self) -> String {
        match self {
            Self::Power(PowerField::Voltage) => "power voltage (mV)".to_owned(),
            Self::Power(PowerField::Current) => "power current (µA)".to_owned(),
            Self::Power(PowerField::Power) => "power (µW)".to_owned(),
            Self::Teros(TerosField::Vwc) => "TEROS water content (%)".to_owned(),
            Self::Teros(TerosField::Temp) => "TEROS temperature (°C)".to_owned(),
            Self::Teros(TerosField::Ec) => "TEROS conductivity (µS/cm)".to_owned(),
            Self::Sensor { name, measurement } => format!("sensor {name}/{measurement}"),
        }
    }
}

/// What a rule watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// No upload for the cell (or its logger) for `minutes`.
    Silence { minutes: u32 },
    /// `series` below/above `value` for at least `for_minutes`; resolves once it has been
    /// beyond `value ± clear_margin` (on the good side) for `clear_minutes` — the hysteresis
    /// that keeps a noisy value near the threshold from flapping.
    Threshold {
        series: SeriesRef,
        direction: Direction,
        value: f64,
        for_minutes: u32,
        clear_margin: f64,
        clear_minutes: u32,
    },
}

impl Condition {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Silence { .. } => "silence",
            Self::Threshold { .. } => "threshold",
        }
    }
}

/// A daily window (UTC plus `utc_offset_minutes`, the researcher's local time) when no
/// notification is sent; what happens meanwhile is told when it ends (docs/alerts.md).
/// `start == end` is refused; `start > end` spans midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub utc_offset_minutes: i32,
}

impl QuietHours {
    /// Whether `at` falls inside the window.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let local = (at + chrono::TimeDelta::minutes(i64::from(self.utc_offset_minutes))).time();
        if self.start <= self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// Who is told, besides the dashboard and the history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    /// E-mail addresses of the cell's owner or members (checked when the rule is saved, and
    /// again at delivery: a member who left is no longer written to).
    pub emails: Vec<String>,
    /// An http(s) URL that receives a signed JSON POST.
    pub webhook_url: Option<String>,
}

/// Everything about a rule a user sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub cell_id: i32,
    /// Only for silence rules: watch this logger's uploads to the cell rather than the cell's.
    pub logger_id: Option<i32>,
    pub name: String,
    pub condition: Condition,
    pub severity: Severity,
    pub quiet_hours: Option<QuietHours>,
    pub recipients: Recipients,
    /// While still firing, tell again every this many hours.
    pub reminder_hours: Option<u32>,
    pub enabled: bool,
}

/// A stored rule. The webhook secret is not here: it is shown once, at creation
/// ([`CreatedRule`]), and read back only by the delivery job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: RuleId,
    pub spec: RuleSpec,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What creating a rule answers: the rule, and its webhook secret (when it has a webhook),
/// which is never shown again.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedRule {
    pub rule: AlertRule,
    pub webhook_secret: Option<String>,
}

/// Which rules to list: all filters that are set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFilter {
    pub cell_id: Option<i32>,
    /// Only rules on cells this user owns or is a member of.
    pub member: Option<UserId>,
}

/// A fresh webhook secret: 244 random bits (two UUIDv4s) in hex, prefixed so that a leaked
/// one is recognisable.
pub fn new_webhook_secret() -> String {
    format!(
        "whsec_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
