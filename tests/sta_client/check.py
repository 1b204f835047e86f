"""Drives a running ENTS server's SensorThings API with the real `frost-sta-client`.

Usage: check.py BASE_URL STREAM_ID ROWS

The server must hold the data the Rust test `sta_client` seeds: Things with Datastreams,
and Datastream STREAM_ID with ROWS Observations whose results are 1..ROWS in time order,
one a minute from 2024-02-01T00:01:00Z. Exits non-zero with a message on the first
difference.
"""

import sys

import frost_sta_client as fsc


def check(condition, message):
    if not condition:
        print(f"[sta-client] FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    base, stream_id, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    service = fsc.SensorThingsService(base)

    # List Things, with their Datastreams expanded.
    things = list(service.things().query().expand("Datastreams").list())
    check(len(things) >= 1, "no Things")
    check(
        all(t.datastreams is not None for t in things),
        "Things?$expand=Datastreams did not expand",
    )
    names = sorted(d.name for t in things for d in t.datastreams)
    check(len(names) >= 1, "no expanded Datastreams")

    # One Datastream by id, and its Thing through the navigation link.
    stream = service.datastreams().find(stream_id)
    check(stream.id == stream_id, f"Datastreams({stream_id}) has id {stream.id}")
    check(stream.unit_of_measurement is not None, "no unitOfMeasurement")

    # Page through every Observation of the large series with $top + nextLink.
    observations = stream.get_observations().query().top(500).list()
    seen = [o.result for o in observations]
    check(len(seen) == rows, f"paged {len(seen)} Observations, expected {rows}")
    check(seen == [float(i) for i in range(1, rows + 1)], "Observations out of order or repeated")
    ids = [o.id for o in stream.get_observations().query().top(1000).list()]
    check(len(set(ids)) == rows, "an Observation id came twice")

    # Filter by time, with a count.
    query = (
        stream.get_observations()
        .query()
        .filter("phenomenonTime ge 2024-02-01T00:11:00Z and phenomenonTime lt 2024-02-01T00:21:00Z")
        .count()
    )
    page = query.list()
    results = [o.result for o in page]
    check(results == [float(i) for i in range(11, 21)], f"time filter gave {results}")
    check(page.count == 10, f"$count gave {page.count}")

    # Count alone.
    counted = stream.get_observations().query().top(0).count().list()
    check(counted.count == rows, f"$count gave {counted.count}, expected {rows}")

    print(f"[sta-client] OK: {len(things)} Things, {rows} Observations paged, filter and count")


if __name__ == "__main__":
    main()
