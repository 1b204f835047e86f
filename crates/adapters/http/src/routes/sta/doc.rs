//! The SensorThings routes in the OpenAPI document. They are served by one catch-all under
//! the configured prefix (`sta.prefix`), which utoipa cannot see, so these doc-only items
//! describe them at the default prefix; the STA 1.1 specification (OGC 18-088) is the
//! reference for their bodies.
#![allow(dead_code)] // described, never called: `handle` serves these paths

/// The service root: the entity sets and the conformance classes served.
#[utoipa::path(
    get,
    path = "/sta/v1.1/",
    tag = "sensorthings",
    responses((status = 200, description = "`{value: [{name, url}], serverSettings: {conformance}}`"))
)]
pub(crate) fn root() {}

/// An entity set: Things, Locations, HistoricalLocations, Datastreams, Sensors,
/// ObservedProperties, Observations or FeaturesOfInterest.
#[utoipa::path(
    get,
    path = "/sta/v1.1/{entitySet}",
    tag = "sensorthings",
    params(
        ("entitySet" = String, Path, description = "Things, Locations, HistoricalLocations, Datastreams, Sensors, ObservedProperties, Observations, FeaturesOfInterest"),
        ("$top" = Option<u32>, Query, description = "Page size: default 100, at most 1000"),
        ("$skip" = Option<u32>, Query, description = "Entities to skip"),
        ("$count" = Option<bool>, Query, description = "Add `@iot.count`"),
        ("$select" = Option<String>, Query, description = "Properties to return"),
        ("$expand" = Option<String>, Query, description = "Navigation properties to inline (one level)"),
        ("$orderby" = Option<String>, Query, description = "`id`, `name`, `phenomenonTime` (Observations: within one Datastream), `asc`/`desc`"),
        ("$filter" = Option<String>, Query, description = "`eq ne gt ge lt le and or not` on ids, names, phenomenonTime, resultTime, result"),
        ("$skiptoken" = Option<String>, Query, description = "Where the previous page of Observations stopped (from `@iot.nextLink`)"),
    ),
    responses(
        (status = 200, description = "`{@iot.count?, value: [...], @iot.nextLink?}`"),
        (status = 400, description = "A bad or unsupported query option: `{code, type: \"error\", message}`"),
        (status = 404, description = "No such entity set"),
    )
)]
pub(crate) fn collection() {}

/// One entity by id.
#[utoipa::path(
    get,
    path = "/sta/v1.1/{entitySet}({id})",
    tag = "sensorthings",
    params(
        ("entitySet" = String, Path, description = "An entity set"),
        ("id" = i64, Path, description = "The entity's `@iot.id`"),
        ("$select" = Option<String>, Query, description = "Properties to return"),
        ("$expand" = Option<String>, Query, description = "Navigation properties to inline"),
    ),
    responses(
        (status = 200, description = "The entity, with `@iot.selfLink` and navigation links"),
        (status = 404, description = "No such entity, or not visible to the caller"),
    )
)]
pub(crate) fn entity() {}

/// A navigation property (`Things(1)/Datastreams`, `Datastreams(17)/Observations`), or a
/// property (`Things(1)/name`, with `/$value` for the bare value).
#[utoipa::path(
    get,
    path = "/sta/v1.1/{entitySet}({id})/{property}",
    tag = "sensorthings",
    params(
        ("entitySet" = String, Path, description = "An entity set"),
        ("id" = i64, Path, description = "The entity's `@iot.id`"),
        ("property" = String, Path, description = "A navigation property or a property"),
    ),
    responses(
        (status = 200, description = "A collection (with the query options above), an entity, or `{property: value}`"),
        (status = 404, description = "No such entity or property"),
    )
)]
pub(crate) fn related() {}
