"""Derived tables: expensive, time-independent metric definitions materialised at publish.

metrics.ticket_sla_base holds metrics.ticket_sla_schedule's rows (policy match and business-calendar due times:
about 1 s per million tickets). A load recomputes it only for the tickets it staged; a change of SLA policies,
business hours or calendar recomputes everything.

The recomputation for a load runs the view's own SQL text (pipelines/sql/metrics/ticket_sla_schedule.sql) with
its `@touched` line replaced by a filter on the load's tickets (`schedule_sql`): the schedule stays defined once,
and its work grows with the batch, not with the warehouse. A publish that touched no ticket derives nothing.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import duckdb

from pipelines.publish import delete_tickets

TOUCHED = "touched_tickets"
SLA_TOUCHED = "touched_sla_rows"   # the touched tickets' new SLA rows (refresh, 'touched'), for pipelines/backlog.py
# Datasets whose rows name a ticket (ticket_id), by key: a load that re-writes such a row may move it to another
# ticket, so the per-ticket stored views (pipelines/ticket_views.py) recompute the ticket it left as well as the one
# it names now: track() keeps both, before the merge.
LINKED = {"surveys": "survey_id", "calls": "call_id", "ticket_events": "event_id"}
LINKED_TICKETS = "linked_tickets"
SCHEDULE_MARKER = re.compile(r"^\s*-- @touched\b.*$", re.MULTILINE)


def schedule_sql(touched_only: bool) -> str:
    """metrics.ticket_sla_schedule's query (the view file's text after `AS`), for every ticket or, with
    `touched_only`, filtered inside its first CTE to the tickets in the temp table touched_tickets."""
    text = resources.files("pipelines").joinpath("sql", "metrics", "ticket_sla_schedule.sql").read_text("utf-8")
    if len(SCHEDULE_MARKER.findall(text)) != 1:
        raise RuntimeError("ticket_sla_schedule.sql must hold exactly one '-- @touched' line")
    _, body = re.split(r"CREATE OR REPLACE VIEW metrics\.ticket_sla_schedule AS\s*", text, maxsplit=1)
    # constant identifiers, not values: the temp tables this module fills (refresh: TOUCHED's rows, ticket_rows)
    narrowing = f"    AND t.rowid IN (SELECT row_id FROM {TOUCHED}_rows)" if touched_only else ""
    return SCHEDULE_MARKER.sub(narrowing, body)


def migrate(con: duckdb.DuckDBPyConnection) -> bool:
    """Drop a derived table whose layout changed (it is rebuilt from core tables on the next publish); True if
    it did (derived.sql must then run again)."""
    columns = {r[0] for r in con.execute("""
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'metrics' AND table_name = 'ticket_sla_base'
    """).fetchall()}
    # Earlier layouts: with the ticket's attributes (site, ...), or without created_at.
    if columns and ("site" in columns or "created_at" not in columns):
        con.execute("DROP TABLE metrics.ticket_sla_base")
        con.execute("DELETE FROM meta.settings WHERE key = 'sla_inputs_fingerprint'")
        return True
    return False


# Dimension values per fact table: (dimension, column, attribute column or None). meta.dimension_counts holds how
# many rows of each table carry each (value, attribute), NULL values included, so the dimension tables
# (core.sites, departments, categories, products) are rebuilt from that small table, and a load changes it by the
# difference between its rows' values before and after it: O(batch), and a value no row carries any more drops out.
# A dataset that feeds no dimension table (calls) needs no entry: track() skips it.
DIMENSION_SOURCES: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "tickets": (("site", "site", "region"), ("department", "department", None),
                ("category", "category", None), ("product", "product", None)),
    "surveys": (("site", "site", None),),
    "inspections": (("product", "product", None),),
    "nonconformities": (("department", "responsible_department", None), ("product", "product", None)),
}
KEYS = {"tickets": "ticket_id", "surveys": "survey_id", "inspections": "lot_id", "nonconformities": "nc_id"}


def _dimension_columns(dataset: str) -> list[str]:
    return sorted({c for _, column, attr in DIMENSION_SOURCES[dataset] for c in (column, attr) if c})


def start_tracking(con: duckdb.DuckDBPyConnection) -> None:
    _FIXED.clear()
    _BEFORE.clear()   # the newest row before this publish's loads: the rows they write come after it
    _BEFORE.append(con.execute("SELECT CAST(max(loaded_at) AS VARCHAR) FROM core.tickets").fetchall()[0][0])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} (ticket_id VARCHAR)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {LINKED_TICKETS} (dataset VARCHAR, ticket_id VARCHAR)")
    for dataset, key in KEYS.items():
        columns = ", ".join(f'"{c}" VARCHAR' for c in _dimension_columns(dataset))
        con.execute(f"CREATE OR REPLACE TEMP TABLE dim_touched_{dataset} (\"{key}\" VARCHAR)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE dim_before_{dataset} (\"{key}\" VARCHAR, {columns})")


def track(con: duckdb.DuckDBPyConnection, staged: str, dataset: str = "tickets",
          existing: str | None = None) -> None:
    """Remember the rows of a staged batch (inside the load's transaction, before the batch is merged: the
    dimension counts need the values the rows held before it, the first time this run touches them).
    `existing`: the batch's rows as the table holds them (publish.existing_rows), read instead of the table."""
    if dataset in LINKED:
        _track_linked(con, staged, dataset, existing)
    if dataset not in KEYS:
        return
    from pipelines import rollups  # here: rollups imports this module
    rollups.before_change(con, staged, dataset, existing)  # the rollups' items as they stand before the batch
    key = KEYS[dataset]
    columns = ", ".join(f't."{c}"' for c in _dimension_columns(dataset))
    held = existing or f"core.{dataset}"
    # identifiers from the model above, never from input
    con.execute(f"""
        INSERT INTO dim_before_{dataset}
        SELECT t."{key}", {columns} FROM {held} AS t
        WHERE t."{key}" IN (SELECT "{key}" FROM {staged})
          AND t."{key}" NOT IN (SELECT "{key}" FROM dim_touched_{dataset});
        INSERT INTO dim_touched_{dataset} SELECT "{key}" FROM {staged};
    """)
    if dataset == "tickets":
        con.execute(f"INSERT INTO {TOUCHED} SELECT ticket_id FROM {staged}")


def newest_before() -> str | None:
    """The newest ticket row's loaded_at before this publish's loads (start_tracking): ticket_rows' `since`."""
    return _BEFORE[0] if _BEFORE else None


def ticket_rows(con: duckdb.DuckDBPyConnection, ids: str, since: str | None) -> None:
    """The temp table `ids`_rows (row_id, ticket_id): the rows of core.tickets of the tickets in the temp table
    `ids`, for a schedule that reads them by row id (`-- @touched t.rowid`, work_orders.schedule_sql). A row a
    load wrote after `since` (loaded_at) lies in the table's last row groups, which loaded_at's min/max find
    without reading the rest; only the other tickets (touched through their events, surveys or calls, or
    re-loaded unchanged) need a scan of every ticket id (0.05-0.15 s at 5M tickets). Any `since` gives the same
    rows: it only decides how many are found the cheap way (None: none)."""
    # identifiers: the callers' constants
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ids}_rows AS SELECT rowid AS row_id, ticket_id FROM core.tickets "
                f"WHERE loaded_at > CAST(? AS TIMESTAMPTZ) AND ticket_id IN (SELECT ticket_id FROM {ids})",
                [since or "infinity"])
    if con.execute(f"SELECT EXISTS (SELECT 1 FROM {ids} WHERE ticket_id NOT IN (SELECT ticket_id FROM {ids}_rows))"
                   ).fetchall()[0][0]:
        con.execute(f"INSERT INTO {ids}_rows SELECT rowid, ticket_id FROM core.tickets WHERE ticket_id IN "
                    f"(SELECT ticket_id FROM {ids} EXCEPT SELECT ticket_id FROM {ids}_rows)")


def copy_ticket_rows(con: duckdb.DuckDBPyConnection, ids: str, target: str, columns: str = "t.*") -> None:
    """The temp table `target`: `columns` of core.tickets AS t for the tickets in the temp table `ids`, read by row
    id (ticket_rows since this publish's loads began: a load's rows through loaded_at's zone maps, not a scan of
    every ticket id). `ids`, `target`, `columns`: the callers' constants."""
    ticket_rows(con, ids, newest_before())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT {columns} FROM core.tickets AS t "
                f"SEMI JOIN {ids}_rows AS r ON t.rowid = r.row_id")
    con.execute(f"DROP TABLE {ids}_rows")


def _track_linked(con: duckdb.DuckDBPyConnection, staged: str, dataset: str, existing: str | None) -> None:
    """The tickets a batch of a LINKED dataset names, before the merge (the rows as held) and after (the batch)."""
    key = LINKED[dataset]
    held = existing or f"core.{dataset}"
    # identifiers from the constants above, never from input
    con.execute(f"""
        INSERT INTO {LINKED_TICKETS} SELECT DISTINCT '{dataset}', t.ticket_id FROM {held} AS t
        WHERE t.ticket_id IS NOT NULL AND t."{key}" IN (SELECT "{key}" FROM {staged})""")
    if "ticket_id" in {r[0] for r in con.execute(f"DESCRIBE {staged}").fetchall()}:
        con.execute(f"INSERT INTO {LINKED_TICKETS} SELECT DISTINCT '{dataset}', ticket_id FROM {staged} "
                    "WHERE ticket_id IS NOT NULL")


def _counts_of(dataset: str, rows: str) -> str:
    """SELECT (dataset, dimension, value, attribute, rows) of the dimension values in `rows` (a table or query
    with the dataset's dimension columns)."""
    return " UNION ALL ".join(
        f"SELECT '{dataset}' AS dataset, '{dim}' AS dimension, \"{column}\" AS value, "
        f"{f'{chr(34)}{attr}{chr(34)}' if attr else 'CAST(NULL AS VARCHAR)'} AS attribute, count(*) AS rows "
        f"FROM {rows} GROUP BY ALL"
        for dim, column, attr in DIMENSION_SOURCES[dataset])


def refresh_dimension_counts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Bring meta.dimension_counts up to date with what this publish changed; per dataset 'nothing', 'batch',
    'all' (the counts did not add up to the table's rows: first publish with this table, or rows written
    without track(), e.g. by tests: recounted whole) or 'whole' (the batch's rows are half the table or more,
    as in a first or bulk load: counting the table is cheaper than the difference, which joins the batch's keys
    back into the table and counts its rows twice; 1M tickets into an empty warehouse: 1.5 s -> 0.3 s)."""
    done = {}
    for dataset, key in KEYS.items():
        counted, actual, touched = con.execute(f"""
            SELECT (SELECT coalesce(sum(rows), 0) FROM meta.dimension_counts
                    WHERE dataset = ? AND dimension = ?),
                   (SELECT count(*) FROM core.{dataset}),
                   (SELECT count(*) FROM dim_touched_{dataset})
        """, [dataset, DIMENSION_SOURCES[dataset][0][0]]).fetchall()[0]
        if touched and touched * 2 >= actual:
            con.execute("DELETE FROM meta.dimension_counts WHERE dataset = ?", [dataset])
            con.execute(f"INSERT INTO meta.dimension_counts {_counts_of(dataset, f'core.{dataset}')}")
            con.execute(f"DELETE FROM dim_touched_{dataset}; DELETE FROM dim_before_{dataset}")
            done[dataset] = "whole"
            continue
        before = con.execute(f"SELECT count(DISTINCT \"{key}\") FROM dim_before_{dataset}").fetchall()[0][0]
        # after this publish the table holds what it held + the keys it did not hold before
        new_keys = con.execute(f"SELECT count(DISTINCT \"{key}\") FROM dim_touched_{dataset}").fetchall()[0][0] - before
        if counted + new_keys != actual:
            con.execute("DELETE FROM meta.dimension_counts WHERE dataset = ?", [dataset])
            con.execute(f"INSERT INTO meta.dimension_counts {_counts_of(dataset, f'core.{dataset}')}")
            done[dataset] = "all"
        elif not touched:
            done[dataset] = "nothing"
        else:
            columns = ", ".join(f't."{c}"' for c in _dimension_columns(dataset))
            if dataset == "tickets":   # by row id, not a scan of every ticket id
                copy_ticket_rows(con, "dim_touched_tickets", "dim_after", columns)
            else:
                con.execute(f"""
                    CREATE OR REPLACE TEMP TABLE dim_after AS SELECT {columns} FROM core.{dataset} AS t
                    WHERE t."{key}" IN (SELECT "{key}" FROM dim_touched_{dataset})
                """)
            after = "dim_after"
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE dim_delta AS
                SELECT dataset, dimension, value, attribute, sum(rows) AS rows FROM (
                    {_counts_of(dataset, after)}
                    UNION ALL
                    SELECT dataset, dimension, value, attribute, -rows
                    FROM ({_counts_of(dataset, f'dim_before_{dataset}')})
                ) GROUP BY ALL HAVING sum(rows) <> 0;
                CREATE OR REPLACE TEMP TABLE dim_merged AS
                SELECT dataset, dimension, value, attribute, sum(rows) AS rows FROM (
                    SELECT * FROM meta.dimension_counts AS c
                    WHERE EXISTS (SELECT 1 FROM dim_delta AS d WHERE d.dataset = c.dataset
                                  AND d.dimension = c.dimension AND d.value IS NOT DISTINCT FROM c.value
                                  AND d.attribute IS NOT DISTINCT FROM c.attribute)
                    UNION ALL SELECT * FROM dim_delta
                ) GROUP BY ALL;
                DELETE FROM meta.dimension_counts AS c
                WHERE EXISTS (SELECT 1 FROM dim_delta AS d WHERE d.dataset = c.dataset
                              AND d.dimension = c.dimension AND d.value IS NOT DISTINCT FROM c.value
                              AND d.attribute IS NOT DISTINCT FROM c.attribute);
                INSERT INTO meta.dimension_counts SELECT * FROM dim_merged WHERE rows > 0;
                DROP TABLE dim_delta; DROP TABLE dim_merged; DROP TABLE dim_after;
            """)
            done[dataset] = "batch"
        con.execute(f"DELETE FROM dim_touched_{dataset}; DELETE FROM dim_before_{dataset}")
    return done


# max(core.tickets.loaded_at) when the publish started tracking (start_tracking)
_BEFORE: list[str | None] = []
# (connection, fingerprint) while a publish's derived steps run: fix_inputs() to the next start_tracking()
_FIXED: list[tuple[duckdb.DuckDBPyConnection, str]] = []


def fix_inputs(con: duckdb.DuckDBPyConnection) -> str:
    """The SLA inputs are final for this publish (publishing() calls this after writing the reference tables):
    fingerprint them once. The steps after it (this module's refresh, backlog.refresh, rollups' fingerprint) read
    the stored value instead of each reading the policies and 7,670 calendar days again (0.04-0.08 s each,
    every load). start_tracking(), at the next publish, forgets it."""
    _FIXED.clear()
    fingerprint = sla_inputs_fingerprint(con)
    _FIXED.append((con, fingerprint))
    return fingerprint


def sla_inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    if _FIXED and _FIXED[0][0] is con:
        return _FIXED[0][1]
    return _read_inputs(con)


def _read_inputs(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("""
        SELECT (SELECT string_agg(p::VARCHAR, '|' ORDER BY policy_id) FROM core.sla_policies AS p),
               (SELECT string_agg(c::VARCHAR, '|' ORDER BY date_day) FROM core.calendar_days AS c),
               (SELECT value FROM meta.settings WHERE key = 'timezone')
    """).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring metrics.ticket_sla_base up to date after facts and reference tables were published.
    Returns what it did: 'all' (SLA inputs changed), 'touched' (the load's tickets) or 'nothing'."""
    con.execute(f"DROP TABLE IF EXISTS {SLA_TOUCHED}")   # only ever this refresh's tickets
    fingerprint = sla_inputs_fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = 'sla_inputs_fingerprint'").fetchall()
    rebuild = not stored or stored[0][0] != fingerprint
    if not rebuild and not con.execute(f"SELECT EXISTS (FROM {TOUCHED})").fetchall()[0][0]:
        return "nothing"  # `sqd check`, or loads of other datasets: no ticket changed
    con.execute("BEGIN TRANSACTION")
    if rebuild:
        con.execute("DELETE FROM metrics.ticket_sla_base")
        con.execute(f"INSERT INTO metrics.ticket_sla_base BY NAME {schedule_sql(touched_only=False)}")
        con.execute("DELETE FROM meta.settings WHERE key = 'sla_inputs_fingerprint'")
        con.execute("INSERT INTO meta.settings VALUES ('sla_inputs_fingerprint', ?)", [fingerprint])
    else:
        delete_tickets(con, "metrics.ticket_sla_base", TOUCHED)   # a lean scan of 2.5 ids per ticket
        # kept for this publish: the backlog reads the touched tickets' SLA rows here, not by a scan of the base
        ticket_rows(con, TOUCHED, newest_before())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SLA_TOUCHED} AS {schedule_sql(touched_only=True)}")
        con.execute(f"DROP TABLE {TOUCHED}_rows")
        con.execute(f"INSERT INTO metrics.ticket_sla_base BY NAME FROM {SLA_TOUCHED}")
    con.execute(f"DELETE FROM {TOUCHED}")
    con.execute("COMMIT")
    return "all" if rebuild else "touched"
