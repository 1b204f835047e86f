//! Diesel table definitions for the whole schema: the upstream tables as of alembic head
//! `14612231efb8` (migration `20260703000000_upstream_baseline`) and the tables this project
//! adds. Hand-written to match the migrations (print-schema would need libpq); the test
//! `schema_rs_matches_the_database` (tests/schema_checks.rs) checks every column's type and
//! nullability against the migrated database.
//!
//! Upstream timestamps are `timestamp without time zone` holding UTC, hence `Timestamp`
//! (`chrono::NaiveDateTime`) for them and `Timestamptz` for the new tables.

diesel::table! {
    cell (id) {
        id -> Int4,
        name -> Text,
        location -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        /// The creator (upstream keeps it alongside the `cell_user` membership rows).
        user_id -> Nullable<Uuid>,
        archive -> Bool,
    }
}

diesel::table! {
    logger (id) {
        id -> Int4,
        name -> Text,
        uuid -> Uuid,
        #[sql_name = "type"]
        type_ -> Nullable<Text>,
        device_eui -> Nullable<Text>,
        description -> Nullable<Text>,
        date_created -> Timestamp,
        user_id -> Nullable<Uuid>,
        ttn_state -> Nullable<Text>,
        ttn_error -> Nullable<Text>,
        ttn_dev_eui -> Nullable<Text>,
        ttn_join_eui -> Nullable<Text>,
        ttn_app_key -> Nullable<Text>,
    }
}

diesel::table! {
    power_data (id) {
        id -> Int4,
        logger_id -> Nullable<Int4>,
        cell_id -> Int4,
        ts -> Timestamp,
        current -> Nullable<Float8>,
        voltage -> Nullable<Float8>,
        ts_server -> Nullable<Timestamp>,
    }
}

diesel::table! {
    teros_data (id) {
        id -> Int4,
        cell_id -> Int4,
        ts -> Timestamp,
        vwc -> Nullable<Float8>,
        temp -> Nullable<Float8>,
        ec -> Nullable<Int4>,
        ts_server -> Nullable<Timestamp>,
        raw_vwc -> Nullable<Float8>,
        water_pot -> Nullable<Float8>,
    }
}

diesel::table! {
    sensor (id) {
        id -> Int4,
        cell_id -> Int4,
        measurement -> Text,
        data_type -> Text,
        unit -> Nullable<Text>,
        name -> Text,
    }
}

diesel::table! {
    data (id) {
        id -> Int4,
        sensor_id -> Int4,
        ts -> Timestamp,
        ts_server -> Nullable<Timestamp>,
        float_val -> Nullable<Float8>,
        int_val -> Nullable<Int4>,
        text_val -> Nullable<Text>,
    }
}

diesel::table! {
    /// `user` is a reserved word in PostgreSQL: diesel quotes the SQL name.
    #[sql_name = "user"]
    users (id) {
        id -> Uuid,
        first_name -> Nullable<Varchar>,
        last_name -> Nullable<Varchar>,
        email -> Nullable<Varchar>,
        password -> Varchar,
        api_key -> Nullable<Varchar>,
        google_sub -> Nullable<Varchar>,
        password_hash -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_token (id) {
        id -> Uuid,
        family_id -> Uuid,
        parent_id -> Nullable<Uuid>,
        user_id -> Uuid,
        token_digest -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Named `api_keys` here so it cannot be confused with the legacy column `users::api_key`.
    #[sql_name = "api_key"]
    api_keys (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        scope -> Text,
        digest -> Text,
        hint -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    oauth_token (id) {
        id -> Int4,
        user_id -> Nullable<Uuid>,
        access_token -> Varchar,
        refresh_token -> Nullable<Varchar>,
        updated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tag (id) {
        id -> Int4,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Nullable<Timestamp>,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    cell_tag (cell_id, tag_id) {
        cell_id -> Int4,
        tag_id -> Int4,
    }
}

diesel::table! {
    cell_user (cell_id, user_id) {
        cell_id -> Int4,
        user_id -> Uuid,
    }
}

diesel::table! {
    job (id) {
        id -> Uuid,
        kind -> Text,
        state -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        progress -> Float4,
        payload -> Jsonb,
        result -> Nullable<Jsonb>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        run_after -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    auth_failure (kind, client) {
        kind -> Text,
        client -> Text,
        failures -> Int4,
        window_end -> Timestamptz,
    }
}

diesel::joinable!(cell -> users (user_id));
diesel::joinable!(logger -> users (user_id));
diesel::joinable!(power_data -> cell (cell_id));
diesel::joinable!(power_data -> logger (logger_id));
diesel::joinable!(teros_data -> cell (cell_id));
diesel::joinable!(sensor -> cell (cell_id));
diesel::joinable!(data -> sensor (sensor_id));
diesel::joinable!(oauth_token -> users (user_id));
diesel::joinable!(tag -> users (created_by));
diesel::joinable!(cell_tag -> cell (cell_id));
diesel::joinable!(cell_tag -> tag (tag_id));
diesel::joinable!(cell_user -> cell (cell_id));
diesel::joinable!(cell_user -> users (user_id));
diesel::joinable!(refresh_token -> users (user_id));
diesel::joinable!(api_keys -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    cell,
    logger,
    power_data,
    teros_data,
    sensor,
    data,
    users,
    oauth_token,
    tag,
    cell_tag,
    cell_user,
    job,
    refresh_token,
    api_keys,
    auth_failure,
);
