//! Answering STA reads: one snapshot of the visible cells and series per request; the small
//! sets filtered, ordered and paged in memory, Observations keyset-paged from the store.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::DateTime;

use super::filter::Value;
use super::ids::{ObservationId, SeriesKey};
use super::model::{Datastream, Entity, EntitySet, StaCell};
use super::options::{MAX_TOP, Order, QueryOptions};
use super::ports::{ObservationPage, StaRepository, StaScope};
use crate::DomainError;
use crate::access::AccessPolicy;
use crate::auth::Caller;

/// What a collection request answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub entities: Vec<Entity>,
    /// With `$count=true`: how many pass the filter, over all pages.
    pub count: Option<i64>,
    pub next: Option<NextPage>,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// `$skip` (the small, in-memory sets).
    Skip(usize),
    /// `$skiptoken` (Observations: where this page stopped).
    Token(String),
}

/// The STA use case: who sees what, and how each read is answered.
#[derive(Clone)]
pub struct StaService {
    repo: Arc<dyn StaRepository>,
    policy: AccessPolicy,
}

impl StaService {
    pub fn new(repo: Arc<dyn StaRepository>, policy: AccessPolicy) -> Self {
        Self { repo, policy }
    }

    /// Public reads see every cell; otherwise an identified caller (bearer token, full API
    /// key) sees the cells they own or are a member of, and anyone else none.
    pub fn scope(&self, caller: Option<&Caller>) -> StaScope {
        // An ingest-only API key uploads; it does not read private data.
        match (self.policy.public_read, caller) {
            (true, _) => StaScope::All,
            (false, Some(c)) if !c.is_ingest_only() => StaScope::Member(c.user_id),
            (false, _) => StaScope::Nothing,
        }
    }

    /// The snapshot a request is answered from.
    pub async fn view(&self, caller: Option<&Caller>) -> Result<View, DomainError> {
        let scope = self.scope(caller);
        let (cells, streams) = match scope {
            StaScope::Nothing => (Vec::new(), Vec::new()),
            scope => (
                self.repo.cells(scope).await?,
                self.repo.datastreams(scope).await?,
            ),
        };
        Ok(View {
            repo: self.repo.clone(),
            cells,
            streams,
        })
    }
}

/// Where a collection's entities come from.
enum Source {
    Entities(Vec<Entity>),
    /// The Observations of these series (in this order).
    Observations(Vec<Datastream>),
}

/// The visible cells and series of one request.
pub struct View {
    repo: Arc<dyn StaRepository>,
    cells: Vec<StaCell>,
    streams: Vec<Datastream>,
}

fn not_found(set: EntitySet, id: i64) -> DomainError {
    DomainError::NotFound(format!("No such entity '{}' with id {id}", set.name()))
}

impl View {
    fn cell(&self, id: i32) -> Option<&StaCell> {
        self.cells.iter().find(|c| c.id == id)
    }

    fn stream(&self, key: SeriesKey) -> Option<&Datastream> {
        self.streams.iter().find(|d| d.key == key)
    }

    /// Every entity of a set other than Observations, by id.
    fn all(&self, set: EntitySet) -> Source {
        let cells = |f: fn(StaCell) -> Entity| self.cells.iter().cloned().map(f).collect();
        let entities: Vec<Entity> = match set {
            EntitySet::Things => cells(Entity::Thing),
            EntitySet::FeaturesOfInterest => cells(Entity::FeatureOfInterest),
            EntitySet::Locations => self
                .cells
                .iter()
                .filter(|c| c.point().is_some())
                .cloned()
                .map(Entity::Location)
                .collect(),
            EntitySet::HistoricalLocations => Vec::new(),
            EntitySet::Datastreams => self
                .streams
                .iter()
                .cloned()
                .map(Entity::Datastream)
                .collect(),
            EntitySet::Sensors => unique(self.streams.iter().map(|d| Entity::Sensor(d.sensor()))),
            EntitySet::ObservedProperties => unique(
                self.streams
                    .iter()
                    .map(|d| Entity::ObservedProperty(d.observed_property())),
            ),
            EntitySet::Observations => return Source::Observations(self.streams.clone()),
        };
        Source::Entities(entities)
    }

    /// One entity by id. Errors: `NotFound` when it does not exist or is not visible.
    pub async fn entity(&self, set: EntitySet, id: i64) -> Result<Entity, DomainError> {
        if set == EntitySet::Observations {
            let found = match ObservationId::from_id(id) {
                Some(oid) => self.repo.observation(oid).await?,
                None => None,
            };
            return found
                .filter(|o| self.stream(o.series).is_some())
                .map(Entity::Observation)
                .ok_or_else(|| not_found(set, id));
        }
        match self.all(set) {
            Source::Entities(all) => all.into_iter().find(|e| e.id() == id),
            Source::Observations(_) => None,
        }
        .ok_or_else(|| not_found(set, id))
    }

    /// The entities `from` links to through the navigation property leading to `target`.
    fn related(&self, from: &Entity, target: EntitySet) -> Source {
        let streams_of_cell = |id: i32| {
            self.streams
                .iter()
                .filter(move |d| d.cell_id == id)
                .cloned()
        };
        let entities: Vec<Entity> = match (from, target) {
            (Entity::Thing(c), EntitySet::Locations) => c
                .point()
                .map(|_| Entity::Location(c.clone()))
                .into_iter()
                .collect(),
            (Entity::Thing(c), EntitySet::Datastreams) => {
                streams_of_cell(c.id).map(Entity::Datastream).collect()
            }
            (Entity::Location(c), EntitySet::Things) => vec![Entity::Thing(c.clone())],
            (Entity::Datastream(d), EntitySet::Things) => self
                .cell(d.cell_id)
                .cloned()
                .map(Entity::Thing)
                .into_iter()
                .collect(),
            (Entity::Datastream(d), EntitySet::Sensors) => vec![Entity::Sensor(d.sensor())],
            (Entity::Datastream(d), EntitySet::ObservedProperties) => {
                vec![Entity::ObservedProperty(d.observed_property())]
            }
            (Entity::Datastream(d), EntitySet::Observations) => {
                return Source::Observations(vec![d.clone()]);
            }
            (Entity::Sensor(s), EntitySet::Datastreams) => self
                .streams
                .iter()
                .filter(|d| d.sensor().id == s.id)
                .cloned()
                .map(Entity::Datastream)
                .collect(),
            (Entity::ObservedProperty(p), EntitySet::Datastreams) => self
                .streams
                .iter()
                .filter(|d| d.observed_property().id == p.id)
                .cloned()
                .map(Entity::Datastream)
                .collect(),
            (Entity::Observation(o), EntitySet::Datastreams) => self
                .stream(o.series)
                .cloned()
                .map(Entity::Datastream)
                .into_iter()
                .collect(),
            (Entity::Observation(o), EntitySet::FeaturesOfInterest) => self
                .stream(o.series)
                .and_then(|d| self.cell(d.cell_id))
                .cloned()
                .map(Entity::FeatureOfInterest)
                .into_iter()
                .collect(),
            (Entity::FeatureOfInterest(c), EntitySet::Observations) => {
                return Source::Observations(streams_of_cell(c.id).collect());
            }
            // HistoricalLocations, and links to them: there are none.
            _ => Vec::new(),
        };
        Source::Entities(entities)
    }

    /// A whole entity set, or the collection `from/<navigation to target>` when `from` is
    /// given.
    pub async fn collection(
        &self,
        set: EntitySet,
        from: Option<&Entity>,
        options: &QueryOptions,
    ) -> Result<Page, DomainError> {
        let source = match from {
            Some(from) => self.related(from, set),
            None => self.all(set),
        };
        match source {
            Source::Entities(entities) => Ok(page_in_memory(entities, options)),
            Source::Observations(streams) => self.observations(&streams, options).await,
        }
    }

    /// The single entity a to-one navigation property leads to. Errors: `NotFound`.
    pub fn single(&self, from: &Entity, target: EntitySet) -> Result<Entity, DomainError> {
        match self.related(from, target) {
            Source::Entities(e) => e.into_iter().next(),
            Source::Observations(_) => None,
        }
        .ok_or_else(|| not_found(target, from.id()))
    }

    async fn observations(
        &self,
        streams: &[Datastream],
        options: &QueryOptions,
    ) -> Result<Page, DomainError> {
        let descending = match options.order_by.as_slice() {
            [] => false,
            [o] if o.property == "phenomenonTime" && streams.len() <= 1 => o.order == Order::Desc,
            _ => {
                return Err(DomainError::BadRequest(
                    "$orderby: Observations can be ordered by phenomenonTime within one \
                     Datastream (Datastreams(id)/Observations) only"
                        .into(),
                ));
            }
        };
        let filter = options.filter.as_ref();
        let count = if options.count {
            let mut total = 0;
            for stream in streams {
                total += self.repo.count_observations(stream, filter).await?;
            }
            Some(total)
        } else {
            None
        };
        let mut cursor = match &options.skip_token {
            Some(token) => Some(Cursor::parse(token)?),
            None => None,
        };
        // `$skip` reads past rows a page at a time (as an offset would); the nextLink uses
        // the keyset token instead.
        let mut to_skip = options.skip;
        let mut out = Vec::new();
        let want = options.top + 1;
        for stream in streams {
            if let Some(c) = &cursor
                && stream.id() < c.stream
            {
                continue;
            }
            let mut after = cursor
                .as_ref()
                .filter(|c| c.stream == stream.id())
                .map(|c| (c.time, c.row));
            cursor = None;
            loop {
                let limit = if to_skip > 0 {
                    to_skip.min(MAX_TOP)
                } else {
                    want - out.len()
                };
                let rows = self
                    .repo
                    .observations(
                        stream,
                        ObservationPage {
                            after,
                            descending,
                            limit,
                            filter,
                        },
                    )
                    .await?;
                let fetched = rows.len();
                if let Some(last) = rows.last() {
                    after = Some((last.phenomenon_time, last.id.row_id));
                }
                if to_skip > 0 {
                    to_skip -= fetched;
                } else {
                    out.extend(rows);
                }
                if fetched < limit || out.len() >= want {
                    break;
                }
            }
            if out.len() >= want {
                break;
            }
        }
        let next = if out.len() > options.top {
            out.truncate(options.top);
            out.last().map(|o| {
                NextPage::Token(
                    Cursor {
                        stream: o.series.id(),
                        time: o.phenomenon_time,
                        row: o.id.row_id,
                    }
                    .render(),
                )
            })
        } else {
            None
        };
        Ok(Page {
            entities: out.into_iter().map(Entity::Observation).collect(),
            count,
            next,
        })
    }
}

/// Keeps the first entity of each id, ordered by id.
fn unique(entities: impl Iterator<Item = Entity>) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    for e in entities {
        if !out.iter().any(|o| o.id() == e.id()) {
            out.push(e);
        }
    }
    out.sort_by_key(Entity::id);
    out
}

fn compare(a: &Entity, b: &Entity, options: &QueryOptions) -> Ordering {
    for o in &options.order_by {
        let (x, y) = (a.property(&o.property), b.property(&o.property));
        // Nulls sort first (ascending), as in OData.
        let ordering = match (&x, &y) {
            (Some(Value::Null) | None, Some(Value::Null) | None) => Ordering::Equal,
            (Some(Value::Null) | None, _) => Ordering::Less,
            (_, Some(Value::Null) | None) => Ordering::Greater,
            (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
        };
        let ordering = match o.order {
            Order::Asc => ordering,
            Order::Desc => ordering.reverse(),
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    a.id().cmp(&b.id())
}

fn page_in_memory(entities: Vec<Entity>, options: &QueryOptions) -> Page {
    let mut entities: Vec<Entity> = match &options.filter {
        Some(f) => entities.into_iter().filter(|e| f.matches(e)).collect(),
        None => entities,
    };
    entities.sort_by(|a, b| compare(a, b, options));
    let total = entities.len();
    let end = options.skip.saturating_add(options.top).min(total);
    let start = options.skip.min(total);
    // `$top=0` asks for the count alone: no next page (it would be this one again).
    let next = (end < total && options.top > 0).then_some(NextPage::Skip(end));
    Page {
        entities: entities.drain(start..end).collect(),
        count: options.count.then_some(total as i64),
        next,
    }
}

/// Where a page of Observations stopped: `<datastream id>_<µs since epoch>_<row id>`.
#[derive(Debug, Clone, PartialEq)]
struct Cursor {
    stream: i64,
    time: chrono::NaiveDateTime,
    row: i32,
}

impl Cursor {
    fn render(&self) -> String {
        format!(
            "{}_{}_{}",
            self.stream,
            self.time.and_utc().timestamp_micros(),
            self.row
        )
    }

    fn parse(token: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::BadRequest(format!("$skiptoken '{token}' is not ours"));
        let mut parts = token.split('_');
        let mut next = || parts.next().ok_or_else(bad);
        let stream = next()?.parse::<i64>().map_err(|_| bad())?;
        let micros = next()?.parse::<i64>().map_err(|_| bad())?;
        let row = next()?.parse::<i32>().map_err(|_| bad())?;
        let time = DateTime::from_timestamp_micros(micros)
            .ok_or_else(bad)?
            .naive_utc();
        Ok(Self { stream, time, row })
    }
}
