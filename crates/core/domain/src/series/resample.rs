/// The bucket width of an aggregated read (`resample=`). Buckets are PostgreSQL
/// `date_trunc(<unit>, ts)` of the naive-UTC device time: weeks start on Monday and a bucket
/// is labelled by its start, as upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resample {
    /// Raw rows.
    None,
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Resample {
    /// What `resample` accepts, for error messages and the OpenAPI document.
    pub const ACCEPTED: &'static str = "none, minute, hour, day, week, month";

    /// Parses the query value (case-sensitive, as upstream). `None` for anything else:
    /// upstream's `second`, `quarter` and `year` are refused too (no client sends them).
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "none" => Self::None,
            "minute" => Self::Minute,
            "hour" => Self::Hour,
            "day" => Self::Day,
            "week" => Self::Week,
            "month" => Self::Month,
            _ => return None,
        })
    }

    /// The `date_trunc` unit; `None` for raw rows.
    pub fn unit(self) -> Option<&'static str> {
        Some(match self {
            Self::None => return None,
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        })
    }

    /// The stored rollup whose buckets nest exactly in this width (`hour` or `day`);
    /// `None` when the raw rows must be read (`none`, `minute`).
    pub fn rollup_width(self) -> Option<RollupWidth> {
        match self {
            Self::None | Self::Minute => None,
            Self::Hour => Some(RollupWidth::Hour),
            Self::Day | Self::Week | Self::Month => Some(RollupWidth::Day),
        }
    }
}

/// The widths kept in the rollup tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RollupWidth {
    Hour,
    Day,
}

impl RollupWidth {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    pub fn duration(self) -> chrono::TimeDelta {
        match self {
            Self::Hour => chrono::TimeDelta::hours(1),
            Self::Day => chrono::TimeDelta::days(1),
        }
    }
}
