//! The query parameters shared by the series reads (docs/compatibility.md#reading-data),
//! validated into a [`SeriesQuery`]. Every problem is a 400 naming its field; unknown
//! parameters are ignored (upstream 500'd on them, including the `cellId` its README
//! documented for power and TEROS, which `/api/power/` and `/api/teros/` now read).

use chrono::{TimeDelta, Utc};
use ents_domain::series::{
    DEFAULT_RANGE_DAYS, ReadMode, Resample, SeriesQuery, TimeRange, parse_time,
};
use ents_domain::{DomainError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

/// Range and shape of a series read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SeriesParams {
    /// Start of the range, inclusive, on the device timestamp: an RFC 1123 HTTP date
    /// (`Fri, 01 Nov 2024 00:00:00 GMT`, spaces as `%20` or `+`) or ISO 8601
    /// (`2024-11-01T00:00:00Z`; no zone = UTC). Default: 30 days before `endTime`.
    #[serde(rename = "startTime")]
    #[param(rename = "startTime")]
    pub start_time: Option<String>,
    /// End of the range, inclusive; same formats. Default: now.
    #[serde(rename = "endTime")]
    #[param(rename = "endTime")]
    pub end_time: Option<String>,
    /// `none` (raw rows), `minute`, `hour` (default), `day`, `week` or `month`: the mean of
    /// each `date_trunc` bucket (weeks start on Monday; a bucket is labelled by its start).
    pub resample: Option<String>,
    /// `true`: raw rows (`resample` is ignored), labelled and ordered by the server receive
    /// time for power and TEROS, by the device time for generic sensors (as upstream). Boolean words: `1 true t y yes on` / `0 false f n no off`, any letter case.
    pub stream: Option<String>,
    /// `true`: add `stats` with the count, min, max and mean of every field per point
    /// (honest downsampling). Same boolean words.
    pub stats: Option<String>,
}

/// marshmallow's Boolean words (its truthy/falsy sets are these, in a few casings; any
/// casing is accepted here).
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "y" | "yes" | "on" => Some(true),
        "0" | "false" | "f" | "n" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn push(errors: &mut FieldErrors, field: &str, problem: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(problem.into());
}

impl SeriesParams {
    /// The query, and whether `stats` was asked for. Errors: `Invalid` naming every bad
    /// field (merged into `errors`, which may already hold the caller's own problems).
    pub(crate) fn validate(
        &self,
        mut errors: FieldErrors,
    ) -> Result<(SeriesQuery, bool), DomainError> {
        const TIME: &str = "expected an RFC 1123 date (Fri, 01 Nov 2024 00:00:00 GMT) or ISO 8601";
        let mut time = |field: &str, value: &Option<String>| match value {
            None => None,
            Some(text) => {
                let parsed = parse_time(text);
                if parsed.is_none() {
                    push(&mut errors, field, TIME);
                }
                parsed
            }
        };
        let start = time("startTime", &self.start_time);
        let end = time("endTime", &self.end_time);
        let resample = match self.resample.as_deref() {
            None => Some(Resample::Hour),
            Some(text) => {
                let r = Resample::parse(text);
                if r.is_none() {
                    push(
                        &mut errors,
                        "resample",
                        format!("must be one of: {}", Resample::ACCEPTED),
                    );
                }
                r
            }
        };
        let mut flag = |field: &str, value: &Option<String>| match value.as_deref() {
            None => false,
            Some(text) => parse_bool(text).unwrap_or_else(|| {
                push(
                    &mut errors,
                    field,
                    "must be a boolean (true/false, 1/0, yes/no, on/off)",
                );
                false
            }),
        };
        let stream = flag("stream", &self.stream);
        let stats = flag("stats", &self.stats);
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let end = end.unwrap_or_else(|| Utc::now().naive_utc());
        let start = start.unwrap_or(end - TimeDelta::days(DEFAULT_RANGE_DAYS));
        let mode = ReadMode::new(resample.unwrap_or(Resample::Hour), stream);
        Ok((
            SeriesQuery {
                range: TimeRange { start, end },
                mode,
            },
            stats,
        ))
    }
}
