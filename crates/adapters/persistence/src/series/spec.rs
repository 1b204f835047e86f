//! The series as SQL: which table, which key, which value expressions, which rollup
//! columns. The value expressions are the same ones the rollup triggers aggregate (migration
//! `20261129000030_series_rollups`), so raw and rolled-up answers agree.

/// One value of a series.
pub(crate) struct Field {
    /// SQL over the raw table's columns, `double precision`.
    pub raw: &'static str,
    /// Column suffix in the rollup table (`n_<x>`, `sum_<x>`, `min_<x>`, `max_<x>`).
    pub rollup: &'static str,
}

pub(crate) struct SeriesSpec {
    pub table: &'static str,
    /// The series key column in both the raw and the rollup table.
    pub key: &'static str,
    pub rollup_table: &'static str,
    /// At most [`MAX_FIELDS`].
    pub fields: &'static [Field],
    /// The raw row's logger (`integer`): power rows have one, the others none.
    pub logger: &'static str,
}

/// Row structs have this many value slots; unused ones are NULL.
pub(crate) const MAX_FIELDS: usize = 4;

pub(crate) const POWER: SeriesSpec = SeriesSpec {
    table: "power_data",
    key: "cell_id",
    rollup_table: "power_rollup",
    logger: "logger_id",
    fields: &[
        // Upstream units: mV, µA, and µW as the mean of the products (not the product of
        // the means).
        Field {
            raw: "voltage * 1e3",
            rollup: "v",
        },
        Field {
            raw: "current * 1e6",
            rollup: "i",
        },
        Field {
            raw: "voltage * current * 1e6",
            rollup: "p",
        },
    ],
};

pub(crate) const TEROS: SeriesSpec = SeriesSpec {
    table: "teros_data",
    key: "cell_id",
    rollup_table: "teros_rollup",
    logger: "NULL::integer",
    fields: &[
        // Normalised once per row, before any averaging (fix of D-49).
        Field {
            raw: "teros_vwc_percent(vwc)",
            rollup: "vwc",
        },
        Field {
            raw: "temp",
            rollup: "temp",
        },
        Field {
            raw: "ec::double precision",
            rollup: "ec",
        },
        Field {
            raw: "raw_vwc",
            rollup: "raw_vwc",
        },
    ],
};

pub(crate) const DATA_FLOAT: SeriesSpec = SeriesSpec {
    table: "data",
    key: "sensor_id",
    rollup_table: "data_rollup",
    logger: "NULL::integer",
    fields: &[Field {
        raw: "float_val",
        rollup: "float",
    }],
};

pub(crate) const DATA_INT: SeriesSpec = SeriesSpec {
    table: "data",
    key: "sensor_id",
    rollup_table: "data_rollup",
    logger: "NULL::integer",
    fields: &[Field {
        raw: "int_val::double precision",
        rollup: "int",
    }],
};
