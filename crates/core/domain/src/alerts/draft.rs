//! A rule as a client sends it, and its validation: every bad field is named at once
//! (`DomainError::Invalid`), with the API's field names.

use chrono::NaiveTime;

use super::model::{Condition, Direction, QuietHours, Recipients, RuleSpec, SeriesRef, Severity};
use crate::{DomainError, FieldErrors};

/// Bounds, documented in docs/alerts.md.
pub const MIN_SILENCE_MINUTES: u32 = 5;
/// 30 days: longer windows are not "soon" any more, and they bound the data read per tick.
pub const MAX_MINUTES: u32 = 30 * 24 * 60;
pub const MAX_REMINDER_HOURS: u32 = 7 * 24;
pub const MAX_EMAILS: usize = 20;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_URL_CHARS: usize = 2000;

/// The quiet-hours window as sent: `HH:MM` times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuietHoursDraft {
    pub start: String,
    pub end: String,
    pub utc_offset_minutes: Option<i32>,
}

/// A rule as sent (create, or a full replacement). Unset optional fields take their
/// defaults: severity `warning`, enabled, clear margin 0, clear time 0 (the latest value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleDraft {
    pub cell_id: Option<i32>,
    pub logger_id: Option<i32>,
    pub name: Option<String>,
    /// `silence` or `threshold`.
    pub kind: Option<String>,
    pub silence_minutes: Option<i64>,
    pub series: Option<String>,
    pub sensor_name: Option<String>,
    pub sensor_measurement: Option<String>,
    pub direction: Option<String>,
    pub threshold: Option<f64>,
    pub for_minutes: Option<i64>,
    pub clear_margin: Option<f64>,
    pub clear_minutes: Option<i64>,
    pub severity: Option<String>,
    pub quiet_hours: Option<QuietHoursDraft>,
    pub emails: Vec<String>,
    pub webhook_url: Option<String>,
    pub reminder_hours: Option<i64>,
    pub enabled: Option<bool>,
}

struct Errors(FieldErrors);

impl Errors {
    fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(problem.into());
    }

    fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.add(field, "is required");
        }
        value
    }

    /// `value` within `min..=max` minutes/hours, as `u32`.
    fn bounded(&mut self, field: &str, value: Option<i64>, min: u32, max: u32) -> Option<u32> {
        let value = self.required(field, value)?;
        match u32::try_from(value) {
            Ok(v) if (min..=max).contains(&v) => Some(v),
            _ => {
                self.add(field, format!("must be between {min} and {max}"));
                None
            }
        }
    }

    fn finite(&mut self, field: &str, value: Option<f64>) -> Option<f64> {
        let value = self.required(field, value)?;
        if value.is_finite() {
            Some(value)
        } else {
            self.add(field, "must be a finite number");
            None
        }
    }
}

impl RuleDraft {
    /// The rule, or `Invalid` naming every bad field.
    pub fn validate(self) -> Result<RuleSpec, DomainError> {
        let mut e = Errors(FieldErrors::new());
        let cell_id = e.required("cell_id", self.cell_id);
        if cell_id.is_some_and(|id| id < 1) {
            e.add("cell_id", "must be a cell id");
        }
        if self.logger_id.is_some_and(|id| id < 1) {
            e.add("logger_id", "must be a logger id");
        }
        let name = e.required("name", self.name.as_deref().map(|n| n.trim().to_owned()));
        if let Some(name) = &name
            && (name.is_empty() || name.chars().count() > MAX_NAME_CHARS)
        {
            e.add(
                "name",
                format!("must have 1 to {MAX_NAME_CHARS} characters"),
            );
        }
        let condition = match e.required("kind", self.kind.as_deref()) {
            Some("silence") => {
                let minutes = e.bounded(
                    "silence_minutes",
                    self.silence_minutes,
                    MIN_SILENCE_MINUTES,
                    MAX_MINUTES,
                );
                minutes.map(|minutes| Condition::Silence { minutes })
            }
            Some("threshold") => {
                if self.logger_id.is_some() {
                    e.add("logger_id", "only silence rules watch a logger");
                }
                threshold(&mut e, &self)
            }
            Some(_) => {
                e.add("kind", "must be one of: silence, threshold");
                None
            }
            None => None,
        };
        let severity = match self.severity.as_deref() {
            None => Some(Severity::Warning),
            Some(text) => Severity::parse(text).or_else(|| {
                e.add(
                    "severity",
                    format!("must be one of: {}", Severity::ACCEPTED),
                );
                None
            }),
        };
        let quiet_hours = self.quiet_hours.as_ref().and_then(|q| quiet(&mut e, q));
        let recipients = recipients(&mut e, self.emails, self.webhook_url);
        let reminder_hours = match self.reminder_hours {
            None => None,
            some => e.bounded("reminder_hours", some, 1, MAX_REMINDER_HOURS),
        };
        match (cell_id, name, condition, severity) {
            (Some(cell_id), Some(name), Some(condition), Some(severity)) if e.0.is_empty() => {
                Ok(RuleSpec {
                    cell_id,
                    logger_id: self.logger_id,
                    name,
                    condition,
                    severity,
                    quiet_hours,
                    recipients,
                    reminder_hours,
                    enabled: self.enabled.unwrap_or(true),
                })
            }
            _ => Err(DomainError::Invalid(e.0)),
        }
    }
}

fn threshold(e: &mut Errors, draft: &RuleDraft) -> Option<Condition> {
    let sensor = match (&draft.sensor_name, &draft.sensor_measurement) {
        (Some(n), Some(m)) if !n.is_empty() && !m.is_empty() => Some((n.clone(), m.clone())),
        _ => None,
    };
    let series = match e.required("series", draft.series.as_deref()) {
        Some("sensor") if sensor.is_none() => {
            if draft.sensor_name.as_deref().is_none_or(str::is_empty) {
                e.add("sensor_name", "is required for a sensor series");
            }
            if draft
                .sensor_measurement
                .as_deref()
                .is_none_or(str::is_empty)
            {
                e.add("sensor_measurement", "is required for a sensor series");
            }
            None
        }
        Some(kind) => SeriesRef::parse(kind, sensor).or_else(|| {
            e.add("series", format!("must be one of: {}", SeriesRef::ACCEPTED));
            None
        }),
        None => None,
    };
    let direction = e
        .required("direction", draft.direction.as_deref())
        .and_then(|d| {
            Direction::parse(d).or_else(|| {
                e.add("direction", "must be one of: below, above");
                None
            })
        });
    let value = e.finite("threshold", draft.threshold);
    let for_minutes = e.bounded("for_minutes", draft.for_minutes.or(Some(0)), 0, MAX_MINUTES);
    let clear_margin = e.finite("clear_margin", draft.clear_margin.or(Some(0.0)));
    if clear_margin.is_some_and(|m| m < 0.0) {
        e.add("clear_margin", "must not be negative");
    }
    let clear_minutes = e.bounded(
        "clear_minutes",
        draft.clear_minutes.or(Some(0)),
        0,
        MAX_MINUTES,
    );
    Some(Condition::Threshold {
        series: series?,
        direction: direction?,
        value: value?,
        for_minutes: for_minutes?,
        clear_margin: clear_margin?.max(0.0),
        clear_minutes: clear_minutes?,
    })
}

fn quiet(e: &mut Errors, draft: &QuietHoursDraft) -> Option<QuietHours> {
    let parse = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").ok();
    let start = parse(&draft.start);
    let end = parse(&draft.end);
    if start.is_none() {
        e.add("quiet_hours.start", "must be a time HH:MM");
    }
    if end.is_none() {
        e.add("quiet_hours.end", "must be a time HH:MM");
    }
    let offset = draft.utc_offset_minutes.unwrap_or(0);
    if !(-14 * 60..=14 * 60).contains(&offset) {
        e.add(
            "quiet_hours.utc_offset_minutes",
            "must be between -840 and 840",
        );
    }
    let (start, end) = (start?, end?);
    if start == end {
        e.add("quiet_hours.end", "must differ from the start");
        return None;
    }
    Some(QuietHours {
        start,
        end,
        utc_offset_minutes: offset,
    })
}

fn recipients(e: &mut Errors, emails: Vec<String>, webhook_url: Option<String>) -> Recipients {
    if emails.len() > MAX_EMAILS {
        e.add("emails", format!("at most {MAX_EMAILS} addresses"));
    }
    let mut clean: Vec<String> = Vec::new();
    for email in emails {
        let email = email.trim().to_owned();
        if !plausible_email(&email) {
            e.add("emails", format!("'{email}' is not an e-mail address"));
        } else if !clean.contains(&email) {
            clean.push(email);
        }
    }
    let webhook_url = webhook_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    if let Some(url) = &webhook_url {
        let lower = url.to_ascii_lowercase();
        let has_host = lower
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
        if !(lower.starts_with("http://") || lower.starts_with("https://")) || !has_host {
            e.add("webhook_url", "must be an http or https URL");
        } else if url.chars().count() > MAX_URL_CHARS || url.chars().any(char::is_whitespace) {
            e.add(
                "webhook_url",
                format!("must be a URL of at most {MAX_URL_CHARS} characters"),
            );
        }
    }
    Recipients {
        emails: clean,
        webhook_url,
    }
}

/// `local@domain.tld`-shaped, no spaces: the mail server has the last word.
fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>')
                && !domain.contains('@')
        }
        None => false,
    }
}
