"""Rollups: the dashboard's heaviest page queries, materialised at publish at day x dimension grain.

Each rollup is built from one metric view (the metrics stay defined once, in pipelines/sql/metrics/*.sql): a table
`metrics.<name>_daily_rollup` holds, per local day and the dimensions it carries, the sums of the view's flags
(numerators and denominators, never rates). Pages add the rows their filters select and divide
(dashboard/queries.py); a filter on a dimension a rollup does not carry reads the view, as before.

"Now" (docs/metrics.md "Rollups and the clock"). Some flags depend on metrics.clock: an SLA target is pending until
its due time, a follow-up until its window closes, an SMS/app survey answer until its response window closes. A
rollup built at publish cannot hold them as of a later "now". So each rollup is built in two parts:

* `<name>_daily_rollup`: the view evaluated with the clock in the far future (FAR), i.e. every item as it will stand
  once decided. Items decided at the publish's clock stand the same at FAR, since a decided verdict never changes.
* `<name>_pending_slice`: the items still pending at the publish's clock, each with `decided_from` (the first
  instant at which the view decides it) and the difference of its flags between the publish's clock and FAR.
  A reader adds the slice rows whose `decided_from` is after its "now": exact for any now at or after the publish.

Both come from the view's own rows at the two clocks (a join on the item key); `decided_from` is the view's own
threshold column (due_at, follow_up_due_at) or, for survey answers, attempted_at + the response window. A reader
whose clock is before the publish's (`metrics.rollup_state.built_now`) reads the views.

Per load (`refresh`), per ITEM: each rollup row is a sum over items (tickets, SLA targets, surveys), so a load
changes it by what its items contribute after the load minus what they contributed before. Before each merge of
tickets or surveys, `before_change` (called from derived.track) copies the rows the touched items are computed from,
the first time the publish touches them: their tickets and the surveys of those tickets (their SLA schedule rows,
what metrics.ticket_sla_base holds, are metrics.ticket_sla_schedule evaluated over the copied tickets). Surveys
touch their tickets' follow-up rows (the ticket a survey leaves and the one it joins) and tickets their surveys'
rows (dimensions), so both are followed. After the
loads `refresh` copies the same keys' rows again and evaluates every rollup's view over both copies (the view's own
text from the catalog with its base tables replaced by the copies, `_over`, so it reads the batch and nothing else;
DuckDB does not push a key filter through the views' joins and aggregates): the old copy at FAR and at the last
publish's clock (`rollup_state.built_now`, so its pending part equals what the slice holds), the new one at FAR and
now. The summed differences are added to the tables and slices group by group (`_apply`); groups left all zero go
(a full build has none), and slice rows already decided at the publish's clock go (no reader adds them), so the
tables equal a full rebuild (tests/test_rollups_incremental.py). Chosen over storing each item's contribution in
the warehouse (exact by construction, no hook before the merge) because that would store about as many rows again
as the views' items (5M tickets, 15M SLA targets) and write them on the first build, whose memory at 10M is the
open problem; the copy before the merge reuses the batch's rows publish.existing_rows read, and one read of the
surveys' keys (the copy after the loads: one read of the tickets' and the surveys' keys).

A change of SLA policies, calendar, settings, loss shares, warranty days or the views (the schema fingerprint), of
ROLLUP_VERSION, a clock earlier than the last publish's, a batch over ITEM_LIMIT, or a change made without
before_change rebuilds everything (and only then are the tables re-commented: comments go only with CREATE OR
REPLACE). The monthly rollups (cost by department, defect Pareto) and the nonconformity views materialised whole
(nonconformity_costs, field_failures: about 3 % as many rows as tickets) are rebuilt whole when a load touches
nonconformities, inspections or a ticket a nonconformity refers to. The contact-centre tables are recomputed for the
days a load's calls and roster slots had before and have after (a load of calls touches few days).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import duckdb

from pipelines import clock, derived
from pipelines.publish import ROWID, copy_rows

ROLLUP_VERSION = "7"
FAR = "2999-01-01T00:00:00+00:00"
TOUCHED_TICKETS = "rollup_touched_tickets"
TOUCHED_SURVEYS = "rollup_touched_surveys"
TOUCHED_LOTS = "rollup_touched_lots"


@dataclass(frozen=True)
class Rollup:
    """One rollup: which view, its item key and day column, the dimensions it carries and its flags (item-level
    integer expressions over the view's columns, summed per day x dimensions)."""

    name: str
    view: str
    key: tuple[str, ...]
    day: str
    dims: tuple[str, ...]
    flags: dict[str, str]   # name -> a condition over the view's columns, counted like count(*) FILTER (WHERE ...)
    days_of: str            # 'tickets' (created_date), 'resolved' (resolved_date) or 'surveys' (attempted_date)
    # the items pending now and the first instant at which the view decides each (from its own threshold column):
    # either (condition, expression) over the view's own columns, read with its flags in one pass, or
    own_pending: tuple[str, str] | None = None
    # a query of (key..., decided_from) ({cond}: the days' filter), joined to the view's rows
    pending: str = ""

    @property
    def table(self) -> str:
        return f"metrics.{self.name}_daily_rollup"

    @property
    def slice(self) -> str:
        return f"metrics.{self.name}_pending_slice"


# Strict `now_at > due_at` (metrics.ticket_sla_status): decided from one microsecond after the due time.
AFTER_DUE = "INTERVAL 1 MICROSECOND"

ROLLUPS: tuple[Rollup, ...] = (
    Rollup(
        name="ticket", view="metrics.ticket_kpis", key=("ticket_id",), day="created_date",
        dims=("week_start", "site", "channel", "ticket_type"),
        flags={"tickets": "TRUE", "measured": "is_measured", "timely": "is_measured AND is_timely",
               "complaints": "is_attributable_complaint", "reopened": "is_reopened", "escalated": "is_escalated"},
        # a ticket is decided once its last pending target is: the latest due time among them (ticket_sla_status)
        pending=f"SELECT ticket_id, max(due_at) + {AFTER_DUE} AS decided_from FROM metrics.ticket_sla_status "
                "WHERE {cond} AND sla_status = 'pending' AND due_at IS NOT NULL GROUP BY ticket_id",
        days_of="tickets"),
    Rollup(
        name="sla", view="metrics.ticket_sla", key=("ticket_id", "target"), day="created_date",
        dims=("target", "site", "category"),
        flags={"met": "is_met", "breached": "NOT is_met", "targets": "TRUE"},
        days_of="tickets",
        own_pending=("sla_status = 'pending' AND due_at IS NOT NULL", f"due_at + {AFTER_DUE}")),
    Rollup(
        name="follow_up", view="metrics.follow_up_tickets", key=("ticket_id",), day="resolved_date",
        dims=("site", "department", "channel", "ticket_type"),
        flags={"resolved": "NOT is_follow_up_pending", "pending": "is_follow_up_pending",
               "followed_up": "is_followed_up", "reached": "has_response AND NOT is_follow_up_pending",
               "satisfied": "is_satisfied AND NOT is_follow_up_pending"},
        days_of="resolved",
        own_pending=("is_follow_up_pending", "follow_up_due_at")),  # missed from now_at >= follow_up_due_at
    # the hotline's satisfaction rate by kind (issue 14; the Hotline page): a handled ticket without a follow-up
    # attempt is pending until its follow-up window closes (now_at >= resolved_at + window)
    Rollup(
        name="hotline_satisfaction", view="metrics.hotline_satisfaction", key=("ticket_id", "kind"),
        day="resolved_date", dims=("kind", "site", "department", "channel"),
        flags={"handled": "NOT is_pending", "satisfied": "is_satisfied", "answered": "has_answer",
               "pending": "is_pending"},
        days_of="resolved",
        own_pending=("is_pending", "resolved_at + " + (
            "to_microseconds(CAST(round(3600000000 * coalesce(CAST((SELECT value FROM meta.settings "
            "WHERE key = 'follow_up_window_hours') AS DOUBLE), 48)) AS BIGINT))"))),
)

# CSAT: metrics.csat_daily is already a daily sum; only pending_attempts depends on "now" (survey_responses.is_pending).
CSAT_DIMS = ("site", "agent")
CSAT_SUMS = ("attempts", "responses", "scored_responses", "satisfied", "score_sum", "promoters", "detractors",
             "nps_responses")
RESPONSE_WINDOW = ("to_microseconds(CAST(round(3600000000 * CAST((SELECT value FROM meta.settings "
                   "WHERE key = 'response_window_hours') AS DOUBLE)) AS BIGINT))")

# Survey scores (satisfaction page): responses per overall score and, per technician dimension, answers, their sum
# and top-two-box count, per day and site. No flag here depends on "now".
SCORE_DIMENSIONS = ("score_attitude", "score_skill", "score_timeliness", "score_promise")
SURVEY_SCORES = ("SELECT attempted_date, site, score, count(*) AS responses, "
                 + ", ".join(f"count({d}) AS {d}_n, CAST(coalesce(sum({d}), 0) AS BIGINT) AS {d}_sum, "
                             f"count(*) FILTER (WHERE {d} >= 4) AS {d}_top2" for d in SCORE_DIMENSIONS)
                 + " FROM metrics.survey_responses WHERE is_response AND {cond} GROUP BY ALL")

# Views over nonconformities (about 3 % as many rows as tickets), materialised whole: `metrics.<view>_materialised`.
MATERIALISED = ("nonconformity_costs", "field_failures")

# Contact centre (issue 16): calls and the roster depend on no "now", so each table is the view's rows (or its sums)
# per local interval_date, recomputed for the days a load's calls and roster slots had before and have after. Calls
# carry none of the sidebar's ticket dimensions: only the date range filters them. `{cond}`: the days' filter.
WAIT_CAP_SECONDS = 600  # waits are kept per whole second up to this (any integer bin edge below it bins exactly)
CC_TABLES: dict[str, tuple[str, str]] = {
    # table -> (source view, SELECT)
    "calls_interval_materialised": ("metrics.calls_interval", "SELECT * FROM metrics.calls_interval WHERE {cond}"),
    "roster_interval_materialised": ("metrics.roster_interval",
                                     "SELECT * FROM metrics.roster_interval WHERE {cond}"),
    "call_waits_daily_rollup": ("metrics.call_facts", f"""
        SELECT interval_date, is_answered, is_abandoned,
               CAST(CASE WHEN coalesce(wait_seconds, 0) >= {WAIT_CAP_SECONDS} THEN {WAIT_CAP_SECONDS}
                         WHEN coalesce(wait_seconds, 0) >= 0 THEN floor(coalesce(wait_seconds, 0))
                         ELSE -1 END AS INTEGER) AS wait_floor_seconds,
               count(*) AS calls
        FROM metrics.call_facts WHERE {{cond}} GROUP BY ALL"""),
    "call_agents_daily_rollup": ("metrics.call_facts", """
        SELECT interval_date, agent, count(*) AS answered, count(wait_seconds) AS wait_n,
               coalesce(sum(wait_seconds), 0) AS wait_seconds, count(handle_seconds) AS handle_n,
               coalesce(sum(handle_seconds), 0) AS handle_seconds,
               count(*) FILTER (WHERE is_transferred) AS transferred,
               count(*) FILTER (WHERE is_within_service_level) AS within_service_level
        FROM metrics.call_facts WHERE {cond} AND is_answered AND agent IS NOT NULL GROUP BY ALL"""),
    "call_interval_agents_rollup": ("metrics.call_facts", """
        SELECT interval_start, interval_date, count(DISTINCT agent) AS agents_answering
        FROM metrics.call_facts WHERE {cond} AND is_answered AND agent IS NOT NULL GROUP BY ALL"""),
}
# Local wall-clock columns are stored as text (the warehouse's tables keep portable types: tests/test_schema.py);
# a reader restores them with cc_source().
CC_LOCAL = {"calls_interval_materialised": {"interval_start": "TIMESTAMP", "time_of_day": "TIME"},
            "roster_interval_materialised": {"interval_start": "TIMESTAMP"},
            "call_interval_agents_rollup": {"interval_start": "TIMESTAMP"}}


def cc_source(table: str) -> str:
    """A FROM item reading contact-centre table `table` with the view's column types."""
    local = CC_LOCAL.get(table)
    if not local:
        return f"metrics.{table}"
    restored = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in local.items())
    return f"(SELECT * REPLACE ({restored}) FROM metrics.{table})"


def _portable(con: duckdb.DuckDBPyConnection, select: str, params: list) -> str:
    """`select` with its local timestamps and times as text, DECIMAL and HUGEINT as DOUBLE and BIGINT."""
    described = con.execute(f"DESCRIBE SELECT * FROM ({select}) LIMIT 0", params).fetchall()
    columns = []
    for name, data_type, *_ in described:
        if data_type in ("TIMESTAMP", "TIME"):
            columns.append(f'CAST("{name}" AS VARCHAR) AS "{name}"')
        elif data_type.startswith("DECIMAL"):
            columns.append(f'CAST("{name}" AS DOUBLE) AS "{name}"')
        elif data_type == "HUGEINT":
            columns.append(f'CAST("{name}" AS BIGINT) AS "{name}"')
        else:
            columns.append(f'"{name}"')
    return f"SELECT {', '.join(columns)} FROM ({select})"


CC_NOTES = {
    "call_waits_daily_rollup": ("Calls of metrics.call_facts per local day, outcome and whole second of wait "
                                f"(waits of {WAIT_CAP_SECONDS} s and over at {WAIT_CAP_SECONDS}, negative at -1): the "
                                "wait distribution's input (pipelines/rollups.py). Maintained per load."),
    "call_agents_daily_rollup": ("Answered calls of metrics.call_facts per local day and agent: counts and sums "
                                 "for ASA, AHT, transfer rate and the share within the service level "
                                 "(pipelines/rollups.py). Maintained per load."),
    "call_interval_agents_rollup": ("Distinct agents who answered a call of metrics.call_facts per interval "
                                    "(exact: an interval lies in one day), for Erlang C staffing without a roster "
                                    "(pipelines/rollups.py). Maintained per load."),
}
CC_COLUMN_NOTES = {
    "wait_floor_seconds": f"whole seconds of wait (floor; {WAIT_CAP_SECONDS} = that or more, -1 = negative)",
    "calls": "calls in the group", "answered": "answered calls in the group",
    "wait_n": "answered calls with a wait", "wait_seconds": "sum of the answered calls' wait_seconds",
    "handle_n": "answered calls with a handle time", "handle_seconds": "sum of handle_seconds",
    "transferred": "answered calls transferred", "within_service_level": "answered within the service level",
    "agents_answering": "distinct agents who answered a call offered in the interval",
    "call_id": "a call of core.calls (null on a roster slot's row)",
    "roster_slot": "a slot of core.roster (null on a call's row)",
    "first_day": "the first local day the call or slot counts under",
    "last_day": "the last local day (a slot running past midnight counts under both days)",
    "load_id": "a load of calls or roster (meta.load_log) whose rows the tables hold",
    "created_date": "local day the tickets were created",
    "channel": "as core.tickets.channel (a grouping column)",
    "ticket_type": "as core.tickets.ticket_type (a grouping column)",
    "priority": "as core.tickets.priority (a grouping column)",
    "tickets": "tickets in the group",
}

# The sidebar's options for the ticket attributes that have no dimension table (channel, type, priority): tickets
# per local created day and value, from core.tickets itself (cancelled tickets too, as the options always were),
# so the sidebar does not scan every ticket for its DISTINCT values (1.2-2 s at 10M tickets).
TICKET_VALUE_COLUMNS = ("channel", "ticket_type", "priority")
TICKET_VALUES = ("SELECT CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), created_at) AS DATE) "
                 f"AS created_date, {', '.join(TICKET_VALUE_COLUMNS)}, count(*) AS tickets "
                 "FROM core.tickets GROUP BY ALL")

NAMES = (*[r.name for r in ROLLUPS], "csat", "survey_scores", "copq_department", "defect_pareto", *MATERIALISED,
         "contact_centre", "ticket_values")


def _set_clock(con: duckdb.DuckDBPyConnection, at: object) -> None:
    """metrics.clock at `at` (FAR, a past publish's built_now), or at the session's clock (None)."""
    if at is None:
        for statement, params in clock.session_statements():
            con.execute(statement, params)
    else:
        con.execute("SET VARIABLE sqd_now = CAST(? AS TIMESTAMPTZ)", [at])


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("""
        SELECT (SELECT string_agg(s::VARCHAR, '|' ORDER BY key) FROM meta.settings AS s
                WHERE key NOT IN ('sla_inputs_fingerprint', 'rollup_fingerprint')
                  AND NOT ends_with(key, '_built')),  -- other tables' build stamps (work_orders.py), not inputs
               (SELECT string_agg(d::VARCHAR, '|' ORDER BY department) FROM core.departments AS d),
               (SELECT string_agg(p::VARCHAR, '|' ORDER BY product) FROM core.products AS p),
               (SELECT string_agg(customer_id, '|' ORDER BY customer_id) FROM core.key_accounts)
    """).fetchall()
    return hashlib.sha256(repr((ROLLUP_VERSION, derived.sla_inputs_fingerprint(con), rows)).encode()).hexdigest()


def capture(con: duckdb.DuckDBPyConnection) -> None:
    """Copy the keys this publish's loads touched (pipelines/derived.py tracks them; refresh_reference clears the
    dimension sets before refresh() runs). Called after the loads' merges, before the reference refresh."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED_TICKETS} AS SELECT DISTINCT ticket_id FROM {derived.TOUCHED}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED_SURVEYS} AS "
                "SELECT DISTINCT survey_id FROM dim_touched_surveys")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED_LOTS} AS "
                "SELECT (SELECT count(*) FROM dim_touched_inspections) "
                "+ (SELECT count(*) FROM dim_touched_nonconformities) AS n")


def _ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE TABLE IF NOT EXISTS metrics.rollup_state (
            rollup VARCHAR NOT NULL, version VARCHAR NOT NULL, built_now TIMESTAMP WITH TIME ZONE NOT NULL);
        CREATE TABLE IF NOT EXISTS metrics.rollup_cc_days (
            call_id VARCHAR, roster_slot VARCHAR, first_day DATE, last_day DATE);
        CREATE TABLE IF NOT EXISTS metrics.rollup_cc_loads (load_id VARCHAR);
    """)


def _cc_days_sql(loads: str | None) -> str:
    """(call_id, roster_slot, first_day, last_day): the local days each call and roster slot counts under (a slot
    may run past midnight), optionally only the rows the loads in table `loads` wrote."""
    where = f"WHERE load_id IN (SELECT load_id FROM {loads})" if loads else ""
    return f"""
        WITH s AS (SELECT max(value) FILTER (WHERE key = 'timezone') AS tz,
                          CAST(max(value) FILTER (WHERE key = 'cc_interval_minutes') AS INTEGER) AS cc_minutes
                   FROM meta.settings)
        SELECT call_id, NULL::VARCHAR AS roster_slot, CAST(timezone(s.tz, offered_at) AS DATE) AS first_day,
               CAST(timezone(s.tz, offered_at) AS DATE) AS last_day
        FROM core.calls CROSS JOIN s {where}
        UNION ALL
        SELECT NULL, roster_slot, CAST(timezone(s.tz, interval_start) AS DATE),
               CAST(timezone(s.tz, interval_start)
                    + to_minutes(greatest(coalesce(interval_minutes, s.cc_minutes), 1) - 1) AS DATE)
        FROM core.roster CROSS JOIN s {where}
    """


def _cc_affected_days(con: duckdb.DuckDBPyConnection) -> list:
    """Days whose contact-centre tables this publish changes: the days of the calls and roster slots written by
    loads not yet rolled up (their lineage load_id), before (metrics.rollup_cc_days) and after."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rollup_cc_new_loads AS
        SELECT DISTINCT load_id FROM meta.load_log WHERE dataset IN ('calls', 'roster')
          AND load_id NOT IN (SELECT load_id FROM metrics.rollup_cc_loads)
    """)
    if not con.execute("SELECT count(*) FROM rollup_cc_new_loads").fetchall()[0][0]:
        return []
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_cc_new AS {_cc_days_sql('rollup_cc_new_loads')};
        CREATE OR REPLACE TEMP TABLE rollup_cc_old AS
        SELECT * FROM metrics.rollup_cc_days
        WHERE call_id IN (SELECT call_id FROM rollup_cc_new WHERE call_id IS NOT NULL)
           OR roster_slot IN (SELECT roster_slot FROM rollup_cc_new WHERE roster_slot IS NOT NULL);
    """)
    days = [r[0] for r in con.execute("""
        SELECT DISTINCT unnest(generate_series(first_day, last_day, INTERVAL 1 DAY))::DATE AS day
        FROM (SELECT first_day, last_day FROM rollup_cc_new UNION ALL SELECT first_day, last_day FROM rollup_cc_old)
        ORDER BY day""").fetchall()]
    con.execute("""
        DELETE FROM metrics.rollup_cc_days WHERE call_id IN (SELECT call_id FROM rollup_cc_old)
            OR roster_slot IN (SELECT roster_slot FROM rollup_cc_old);
        INSERT INTO metrics.rollup_cc_days BY NAME SELECT * FROM rollup_cc_new;
        INSERT INTO metrics.rollup_cc_loads SELECT load_id FROM rollup_cc_new_loads;
        DROP TABLE rollup_cc_new; DROP TABLE rollup_cc_old; DROP TABLE rollup_cc_new_loads;
    """)
    return days


def _build_contact_centre(con: duckdb.DuckDBPyConnection, days: list | None) -> None:
    """The contact-centre tables (CC_TABLES): whole, or the rows of `days` replaced."""
    if days is None:
        con.execute(f"CREATE OR REPLACE TABLE metrics.rollup_cc_days AS {_cc_days_sql(None)}")
        con.execute("CREATE OR REPLACE TABLE metrics.rollup_cc_loads AS SELECT DISTINCT load_id FROM meta.load_log "
                    "WHERE dataset IN ('calls', 'roster')")
    cond, params = _days_filter("interval_date", days)
    for table, (_, select) in CC_TABLES.items():
        stored = _portable(con, select.format(cond=cond), params)
        if days is None:
            con.execute(f"CREATE OR REPLACE TABLE metrics.{table} AS {stored}", params)
        else:
            con.execute(f"DELETE FROM metrics.{table} WHERE {cond}", params)
            con.execute(f"INSERT INTO metrics.{table} BY NAME {stored}", params)


def _days_filter(column: str, days: list | None) -> tuple[str, list]:
    if days is None:
        return "TRUE", []
    if not days:
        return "FALSE", []
    # the range as well: DuckDB pushes it into the views' scans (half the time of the IN list alone at 1M)
    return (f"{column} BETWEEN ? AND ? AND {column} IN ({', '.join('?' for _ in days)})",
            [min(days), max(days), *days])


# ------------------------------------------------------------------ per item (refresh): the batch's contributions
#
# Each rollup row is a sum over items (tickets, SLA targets, surveys), so a load changes it by what its items
# contributed after the load minus what they contributed before. before_change() (called by derived.track, before
# every merge of tickets or surveys) copies the rows those items are computed from, the first time this publish
# touches them: the tickets and their surveys (their SLA schedule rows: the schedule view over the copy). refresh() copies the
# same keys' rows after the loads and evaluates each rollup's view over both copies: the view's own text (from the
# warehouse's catalog) with its base tables replaced by the copies (_over), so it cannot read more than the batch.
SNAPSHOT_BASES = {"core.tickets": "tickets", "core.surveys": "surveys", "metrics.ticket_sla_base": "sla_base"}
ITEM_VIEWS = ("ticket_sla_status", "survey_responses", "ticket_kpis", "ticket_sla", "follow_up_tickets",
              "csat_daily", "hotline_satisfaction")  # in dependency order
SEEN_TICKETS = "rollup_seen_tickets"
SEEN_SURVEYS = "rollup_seen_surveys"
OVERFLOW = "rollup_overflow"
# A publish touching more tickets than this (or than a quarter of the warehouse) rebuilds the rollups whole: per item
# it would evaluate the views four times over its batch.
ITEM_LIMIT = 200_000
_REFERENCE = re.compile(r'(?<![\w."])(core\.tickets|core\.surveys|metrics\.ticket_sla_base|metrics\.(?:'
                        + "|".join(ITEM_VIEWS) + r'))(?![\w"])')


def _over(sql: str, tag: str | None) -> str:
    """`sql` reading the copies `rollup_<tag>_*` in place of the base tables and views (tag None: as it is)."""
    if tag is None:
        return sql
    relations = {**{k: f"rollup_{tag}_{v}" for k, v in SNAPSHOT_BASES.items()},
                 **{f"metrics.{v}": f"rollup_{tag}_{v}" for v in ITEM_VIEWS}}
    return _REFERENCE.sub(lambda m: relations[m.group(1)], sql)


def _snapshot_views(con: duckdb.DuckDBPyConnection, tag: str) -> None:
    """Temp views rollup_<tag>_<view>: each of ITEM_VIEWS as the warehouse defines it, over the copies; and the
    copy's SLA schedule rows, rollup_<tag>_sla_base: metrics.ticket_sla_schedule (derived.py's text) over the copied
    tickets, which is what metrics.ticket_sla_base holds for them (derived.refresh stores that view's rows per
    touched ticket; a change of its inputs or of the views rebuilds the rollups), without reading the 3-per-ticket
    stored table (a scan of its keys, 15M at 5M tickets, before the merge and after)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_{tag}_sla_base AS {_over(derived.schedule_sql(False), tag)}")
    for view in ITEM_VIEWS:
        sql = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                          "AND schema_name = 'metrics' AND view_name = ?", [view]).fetchall()[0][0]
        head = f"CREATE VIEW metrics.{view} AS "
        if not sql.startswith(head):
            raise RuntimeError(f"metrics.{view}: unexpected definition {sql[:80]!r}")
        body = _over(sql[len(head):].rstrip().rstrip(";"), tag)
        if re.search(r"core\.(tickets|surveys)\b|metrics\.ticket_sla_base", body):
            raise RuntimeError(f"metrics.{view}: a base table left unreplaced in its per-item copy")
        con.execute(f"CREATE OR REPLACE TEMP VIEW rollup_{tag}_{view} AS {body}")


def _temp_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                       [table]).fetchall()[0][0] > 0


def _built(con: duckdb.DuckDBPyConnection) -> bool:
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND schema_name = 'metrics' AND table_name = 'rollup_state'").fetchall()[0][0]:
        return False
    return con.execute("SELECT count(*) FROM metrics.rollup_state WHERE version = ?",
                       [ROLLUP_VERSION]).fetchall()[0][0] > 0


def _start_items(con: duckdb.DuckDBPyConnection) -> None:
    if _temp_exists(con, SEEN_TICKETS):
        return
    con.execute(f"""
        CREATE TEMP TABLE {SEEN_TICKETS} (ticket_id VARCHAR);
        CREATE TEMP TABLE {SEEN_SURVEYS} (survey_id VARCHAR);
        CREATE TEMP TABLE {OVERFLOW} (n INTEGER);
        CREATE TEMP TABLE rollup_old_tickets AS SELECT * FROM core.tickets LIMIT 0;
        CREATE TEMP TABLE rollup_old_surveys AS SELECT * FROM core.surveys LIMIT 0;
    """)


def before_change(con: duckdb.DuckDBPyConnection, staged: str, dataset: str, existing: str | None = None) -> None:
    """Copy what the items a batch of `dataset` touches contribute from (inside the load, before its merge): the
    tickets of the batch (and of its surveys, before and after), their surveys and SLA schedule rows, the first
    time this publish touches them. `existing`: the batch's rows as the table holds them (publish.existing_rows)."""
    if dataset not in ("tickets", "surveys") or not _built(con):
        return
    _start_items(con)
    if con.execute(f"SELECT count(*) FROM {OVERFLOW}").fetchall()[0][0]:
        return
    held = f"(SELECT * EXCLUDE ({ROWID}) FROM {existing})" if existing else f"core.{dataset}"
    if dataset == "tickets":
        tickets = f"SELECT ticket_id FROM {staged}"
    else:
        tickets = f"SELECT ticket_id FROM {held} WHERE survey_id IN (SELECT survey_id FROM {staged})"
        staged_columns = {r[0] for r in con.execute(f"DESCRIBE {staged}").fetchall()}
        if "ticket_id" in staged_columns:  # the ticket a survey moves to
            tickets += f" UNION ALL SELECT ticket_id FROM {staged}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_add_t AS SELECT DISTINCT ticket_id FROM ({tickets})
        WHERE ticket_id IS NOT NULL AND ticket_id NOT IN (SELECT ticket_id FROM {SEEN_TICKETS})""")
    seen, added, total = con.execute(f"SELECT (SELECT count(*) FROM {SEEN_TICKETS}), "
                                     "(SELECT count(*) FROM rollup_add_t), (SELECT count(*) FROM core.tickets)"
                                     ).fetchall()[0]
    if seen + added > min(ITEM_LIMIT, max(total // 4, 1_000)):
        con.execute(f"INSERT INTO {OVERFLOW} VALUES (1); DROP TABLE rollup_add_t")
        return
    in_added = "ticket_id IN (SELECT ticket_id FROM rollup_add_t)"
    if dataset == "tickets" and existing:  # the batch's rows as they stand: publish.existing_rows read them
        con.execute(f"INSERT INTO rollup_old_tickets SELECT * FROM {held} WHERE {in_added}")
    else:
        copy_rows(con, "rollup_old_tickets", "core.tickets", in_added, create=False)
    also = f" OR survey_id IN (SELECT survey_id FROM {staged})" if dataset == "surveys" else ""
    copy_rows(con, "rollup_add_s", "core.surveys",
               f"({in_added}{also}) AND survey_id NOT IN (SELECT survey_id FROM {SEEN_SURVEYS})")
    con.execute(f"""
        INSERT INTO {SEEN_TICKETS} SELECT ticket_id FROM rollup_add_t;
        INSERT INTO rollup_old_surveys SELECT * FROM rollup_add_s;
        INSERT INTO {SEEN_SURVEYS} SELECT survey_id FROM rollup_add_s;
        DROP TABLE rollup_add_s; DROP TABLE rollup_add_t;
    """)
    if dataset == "surveys":  # new surveys: nothing before, counted after
        con.execute(f"INSERT INTO {SEEN_SURVEYS} SELECT DISTINCT survey_id FROM {staged} "
                    f"WHERE survey_id NOT IN (SELECT survey_id FROM {SEEN_SURVEYS})")


def _items_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """Copy the touched items' rows as they stand after the loads (rollup_new_*). False when the copies taken
    before cannot account for this publish's changes (a batch over ITEM_LIMIT, a change made without
    before_change, a survey's ticket not among the copies): the caller rebuilds."""
    touched = con.execute(f"SELECT (SELECT count(*) FROM {TOUCHED_TICKETS}) + (SELECT count(*) FROM {TOUCHED_SURVEYS})"
                          ).fetchall()[0][0]
    if not _temp_exists(con, SEEN_TICKETS):
        if touched:
            return False
        _start_items(con)
        return True  # nothing touched (`sqd check`): nothing to copy
    missing = con.execute(f"""
        SELECT (SELECT count(*) FROM {OVERFLOW})
             + (SELECT count(*) FROM {TOUCHED_TICKETS} WHERE ticket_id NOT IN (SELECT ticket_id FROM {SEEN_TICKETS}))
             + (SELECT count(*) FROM {TOUCHED_SURVEYS} WHERE survey_id NOT IN (SELECT survey_id FROM {SEEN_SURVEYS}))
    """).fetchall()[0][0]
    if missing:
        return False
    # by row id, not a scan of every ticket id (57 ms of a 1,000-ticket update at 5M)
    derived.copy_ticket_rows(con, SEEN_TICKETS, "rollup_new_tickets")
    copy_rows(con, "rollup_new_surveys", "core.surveys", f"survey_id IN (SELECT survey_id FROM {SEEN_SURVEYS}) "
               f"OR ticket_id IN (SELECT ticket_id FROM {SEEN_TICKETS})")

    return not con.execute(f"""
        SELECT count(*) FROM rollup_new_surveys
        WHERE survey_id NOT IN (SELECT survey_id FROM {SEEN_SURVEYS})
           OR (ticket_id IS NOT NULL AND ticket_id NOT IN (SELECT ticket_id FROM {SEEN_TICKETS}))
    """).fetchall()[0][0]


def _drop_items(con: duckdb.DuckDBPyConnection) -> None:
    for tag in ("old", "new", "pend"):
        for view in reversed(ITEM_VIEWS):
            con.execute(f"DROP VIEW IF EXISTS rollup_{tag}_{view}")
        for base in SNAPSHOT_BASES.values():
            con.execute(f"DROP TABLE IF EXISTS rollup_{tag}_{base}")
    for table in (SEEN_TICKETS, SEEN_SURVEYS, OVERFLOW):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _apply(con: duckdb.DuckDBPyConnection, table: str, group: tuple[str, ...], sums: tuple[str, ...],
           delta: str) -> None:
    """Add the rows of `delta` (group columns, sums) to `table`, group by group; groups left all zero go."""
    match = " AND ".join(f't."{c}" IS NOT DISTINCT FROM d."{c}"' for c in group)
    columns = ", ".join(f'"{c}"' for c in (*group, *sums))
    summed = ", ".join(f'CAST(sum("{s}") AS BIGINT) AS "{s}"' for s in sums)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_merged AS
        SELECT {', '.join(f'"{c}"' for c in group)}, {summed} FROM (
            SELECT {', '.join('t.' + f'"{c}"' for c in (*group, *sums))} FROM {table} AS t SEMI JOIN {delta} AS d
            ON {match}
            UNION ALL SELECT {columns} FROM {delta}) GROUP BY ALL;
        DELETE FROM {table} AS t USING {delta} AS d WHERE {match};
        INSERT INTO {table} BY NAME SELECT * FROM rollup_merged WHERE NOT ({' AND '.join(f'"{s}" = 0' for s in sums)});
        DROP TABLE rollup_merged; DROP TABLE {delta};
    """)


def _evaluate(con: duckdb.DuckDBPyConnection, r: Rollup, tag: str, at: object) -> tuple[str, str]:
    """Temp tables of rollup r's view over copy `tag`: `_far` (every item's key, day, dimensions and flags at FAR)
    and `_now` (the items pending at `at`, None = the session's clock: their key, flags then and decided_from)."""
    name = f"rollup_{tag}"
    view = _over(r.view, tag)
    keys = ", ".join(r.key)
    group = ", ".join((r.day, *r.dims))
    flags = _flag_columns(r)
    _set_clock(con, FAR)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_far AS SELECT {keys}, {group}, {flags} FROM {view}")
    _set_clock(con, at)
    if r.own_pending:  # one read of the view: its pending rows with their flags and threshold
        where_pending, decided = r.own_pending
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_now AS SELECT {keys}, {flags}, {decided} AS decided_from "
                    f"FROM {view} WHERE ({where_pending})")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_pending AS {_over(r.pending, tag).format(cond='TRUE')}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_now AS SELECT v.{keys.replace(', ', ', v.')}, "
                    f"{flags}, p.decided_from FROM {view} AS v JOIN rollup_pending AS p USING ({keys})")
        con.execute("DROP TABLE rollup_pending")
    _set_clock(con, None)
    return f"{name}_far", f"{name}_now"


def _flag(expr: str) -> str:
    return f"CAST(coalesce({expr}, FALSE) AS INTEGER)"


def _flag_columns(r: Rollup) -> str:
    return ", ".join(f"{_flag(expr)} AS {name}" for name, expr in r.flags.items())


def _slice_select(r: Rollup, now: str, far: str, sign: str = "") -> str:
    deltas = ", ".join(f"CAST({sign}sum(n.{f} - f.{f}) AS BIGINT) AS {f}" for f in r.flags)
    return (f"SELECT {', '.join('f.' + c for c in (r.day, *r.dims))}, n.decided_from, {deltas} "
            f"FROM {now} AS n JOIN {far} AS f USING ({', '.join(r.key)}) GROUP BY ALL")


def _build_generic(con: duckdb.DuckDBPyConnection, r: Rollup) -> None:
    """Rollup r whole: its table summed straight from the view at FAR (no temp table of every item: 0.1-0.2 s and
    an item-sized table less per rollup at 1M), its slice from the items pending now, whose values at FAR come from
    the view over copies of their tickets (hundreds at 5M)."""
    keys = ", ".join(r.key)
    group = ", ".join((r.day, *r.dims))
    flags = _flag_columns(r)
    sums = ", ".join(f"CAST(sum({_flag(expr)}) AS BIGINT) AS {name}" for name, expr in r.flags.items())
    _set_clock(con, FAR)
    con.execute(f"CREATE OR REPLACE TABLE {r.table} AS SELECT {group}, {sums} FROM {r.view} GROUP BY ALL")
    _set_clock(con, None)
    pend = _over(r.view, "pend")
    if r.own_pending:  # the pending rows with their flags now and their threshold, in one read of the view
        where_pending, decided = r.own_pending
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_all_now AS SELECT {keys}, {flags}, {decided} AS "
                    f"decided_from FROM {r.view} WHERE ({where_pending})")
        _pending_copies(con, "rollup_all_now")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_pending AS {r.pending.format(cond='TRUE')}")
        _pending_copies(con, "rollup_pending")
        con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_all_now AS SELECT v.{keys.replace(', ', ', v.')}, "
                    f"{flags}, p.decided_from FROM {pend} AS v JOIN rollup_pending AS p USING ({keys})")
        con.execute("DROP TABLE rollup_pending")
    _set_clock(con, FAR)
    con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_all_far AS SELECT {keys}, {group}, {flags} FROM {pend}")
    _set_clock(con, None)
    con.execute(f"CREATE OR REPLACE TABLE {r.slice} AS {_slice_select(r, 'rollup_all_now', 'rollup_all_far')}")
    con.execute(f"DELETE FROM {r.slice} WHERE {' AND '.join(f'{n} = 0' for n in r.flags)}")
    con.execute("DROP TABLE rollup_all_far; DROP TABLE rollup_all_now")


def _pending_copies(con: duckdb.DuckDBPyConnection, items: str) -> None:
    """Copies of the tickets of temp table `items` (its ticket_id) and of their surveys, with the item views over
    them (rollup_pend_*): every item view is per ticket, so its rows for those tickets are the warehouse's."""
    tickets = f"ticket_id IN (SELECT ticket_id FROM {items})"
    copy_rows(con, "rollup_pend_tickets", "core.tickets", tickets)
    copy_rows(con, "rollup_pend_surveys", "core.surveys", tickets)
    _snapshot_views(con, "pend")


def _refresh_generic(con: duckdb.DuckDBPyConnection, r: Rollup, built_now: object) -> None:
    """Rollup r's table and slice plus the touched items' contributions after the loads, minus before."""
    old_far, old_now = _evaluate(con, r, "old", built_now)
    new_far, new_now = _evaluate(con, r, "new", None)
    group = (r.day, *r.dims)
    flags = tuple(r.flags)
    cols = ", ".join(group)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {cols}, {', '.join(f'CAST(sum({f}) AS BIGINT) AS {f}' for f in flags)} FROM (
            SELECT {cols}, {', '.join(flags)} FROM {new_far}
            UNION ALL SELECT {cols}, {', '.join('-' + f for f in flags)} FROM {old_far}) GROUP BY ALL""")
    _apply(con, r.table, group, flags, "rollup_delta")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {cols}, decided_from, {', '.join(f'CAST(sum({f}) AS BIGINT) AS {f}' for f in flags)} FROM (
            {_slice_select(r, new_now, new_far)} UNION ALL {_slice_select(r, old_now, old_far, '-')}) GROUP BY ALL""")
    _apply(con, r.slice, (*group, "decided_from"), flags, "rollup_delta")
    con.execute(f"DROP TABLE {old_far}; DROP TABLE {old_now}; DROP TABLE {new_far}; DROP TABLE {new_now}")


CSAT_GROUP = ("attempted_date", *CSAT_DIMS)


def _csat_selects(tag: str | None, sign: str = "") -> tuple[str, str]:
    """(daily sums at FAR, the pending attempts with decided_from) over copy `tag`, negated with sign '-'."""
    group = ", ".join(CSAT_GROUP)
    sums = ", ".join(f"CAST({sign}sum({c}) AS BIGINT) AS {c}" for c in CSAT_SUMS)
    daily = (f"SELECT {group}, {sums}, CAST(0 AS BIGINT) AS pending_attempts "
             f"FROM {_over('metrics.csat_daily', tag)} GROUP BY ALL")
    # the surveys pending now: +1 pending attempt each until the view's window closes (now_at >= the window's end)
    pending = (f"SELECT {group}, attempted_at + {RESPONSE_WINDOW} AS decided_from, "
               f"CAST({sign}count(*) AS BIGINT) AS pending_attempts "
               f"FROM {_over('metrics.survey_responses', tag)} WHERE is_pending GROUP BY ALL")
    return daily, pending


def _build_csat(con: duckdb.DuckDBPyConnection) -> None:
    daily, pending = _csat_selects(None)
    _set_clock(con, FAR)  # pending_attempts is 0 at FAR: every response window has closed
    con.execute(f"CREATE OR REPLACE TABLE metrics.csat_daily_rollup AS {daily}")
    _set_clock(con, None)
    con.execute(f"CREATE OR REPLACE TABLE metrics.csat_pending_slice AS {pending}")


def _refresh_csat(con: duckdb.DuckDBPyConnection, built_now: object) -> None:
    new_daily, new_pending = _csat_selects("new")
    old_daily, old_pending = _csat_selects("old", "-")
    group = ", ".join(CSAT_GROUP)
    sums = (*CSAT_SUMS, "pending_attempts")
    _set_clock(con, FAR)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {group}, {', '.join(f'CAST(sum({c}) AS BIGINT) AS {c}' for c in sums)}
        FROM ({new_daily} UNION ALL {old_daily}) GROUP BY ALL""")
    _apply(con, "metrics.csat_daily_rollup", CSAT_GROUP, sums, "rollup_delta")
    _set_clock(con, built_now)
    con.execute(f"CREATE OR REPLACE TEMP TABLE rollup_old_pending AS {old_pending}")
    _set_clock(con, None)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {group}, decided_from, CAST(sum(pending_attempts) AS BIGINT) AS pending_attempts
        FROM ({new_pending} UNION ALL SELECT * FROM rollup_old_pending) GROUP BY ALL""")
    con.execute("DROP TABLE rollup_old_pending")
    _apply(con, "metrics.csat_pending_slice", (*CSAT_GROUP, "decided_from"), ("pending_attempts",), "rollup_delta")


SCORE_GROUP = ("attempted_date", "site", "score")
SCORE_SUMS = ("responses", *[f"{d}_{s}" for d in SCORE_DIMENSIONS for s in ("n", "sum", "top2")])


def _build_survey_scores(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE metrics.survey_scores_daily_rollup AS {SURVEY_SCORES.format(cond='TRUE')}")


def _refresh_survey_scores(con: duckdb.DuckDBPyConnection) -> None:
    signed = ", ".join(f"-{c}" for c in SCORE_SUMS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {', '.join(SCORE_GROUP)}, {', '.join(f'CAST(sum({c}) AS BIGINT) AS {c}' for c in SCORE_SUMS)} FROM (
            SELECT * FROM ({_over(SURVEY_SCORES, 'new').format(cond='TRUE')})
            UNION ALL SELECT {', '.join(SCORE_GROUP)}, {signed}
                      FROM ({_over(SURVEY_SCORES, 'old').format(cond='TRUE')})) GROUP BY ALL""")
    _apply(con, "metrics.survey_scores_daily_rollup", SCORE_GROUP, SCORE_SUMS, "rollup_delta")


TICKET_VALUE_GROUP = ("created_date", *TICKET_VALUE_COLUMNS)


def _build_ticket_values(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TABLE metrics.ticket_values_daily_rollup AS {TICKET_VALUES}")


def _refresh_ticket_values(con: duckdb.DuckDBPyConnection) -> None:
    group = ", ".join(TICKET_VALUE_GROUP)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rollup_delta AS
        SELECT {group}, CAST(sum(tickets) AS BIGINT) AS tickets FROM (
            SELECT * FROM ({_over(TICKET_VALUES, 'new')})
            UNION ALL SELECT {group}, -tickets FROM ({_over(TICKET_VALUES, 'old')})) GROUP BY ALL""")
    _apply(con, "metrics.ticket_values_daily_rollup", TICKET_VALUE_GROUP, ("tickets",), "rollup_delta")


def _purge_slices(con: duckdb.DuckDBPyConnection) -> None:
    """Slice rows already decided at the publish's clock: no reader adds them (a reader's now is at or after it)."""
    for table in (*[r.slice for r in ROLLUPS], "metrics.csat_pending_slice"):
        con.execute(f"DELETE FROM {table} WHERE decided_from <= (SELECT now_at FROM metrics.clock)")


def _build_monthly(con: duckdb.DuckDBPyConnection) -> None:
    """Cost by department and the defect Pareto, monthly, and the nonconformity views' rows: rebuilt whole
    (nonconformities are few)."""
    con.execute("CREATE OR REPLACE TABLE metrics.defect_pareto_monthly_rollup AS FROM metrics.defect_pareto")
    for view in MATERIALISED:
        con.execute(f"CREATE OR REPLACE TABLE metrics.{view}_materialised AS FROM metrics.{view}")
    # one nonconformity has one month and one product: distinct counts per (month, department, product) add up
    con.execute("""
        CREATE OR REPLACE TABLE metrics.copq_department_monthly_rollup AS
        SELECT month, department, product, CAST(sum(cost) AS DECIMAL(18, 2)) AS cost,
               CAST(count(DISTINCT nc_id) AS BIGINT) AS records
        FROM metrics.cost_by_department GROUP BY ALL
    """)


# Where each table's rows come from: its comment, and its columns' comments (`as in <view>`), for analysts who meet
# these tables beside the views (every table and column of the warehouse is documented: tests/test_schema.py).
SOURCES = {**{r.name: r.view for r in ROLLUPS}, "csat": "metrics.csat_daily",
           "survey_scores": "metrics.survey_responses", "copq_department": "metrics.cost_by_department",
           "defect_pareto": "metrics.defect_pareto", **{v: f"metrics.{v}" for v in MATERIALISED}}
TABLE_NOTES = {
    "daily_rollup": "Rollup of {view} per local day and the dimensions it carries: sums of its flags as every item "
                    "will stand once decided; add the rows of its pending slice not yet decided at your now "
                    "(pipelines/rollups.py, docs/metrics.md 'Rollups and the clock'). Maintained per load.",
    "monthly_rollup": "Rollup of {view} per month (pipelines/rollups.py), rebuilt when nonconformities change.",
    "pending_slice": "Items of {view} still pending at the last publish, with the first instant the view decides "
                     "each (decided_from) and how their counts differ until then (pipelines/rollups.py).",
    "materialised": "{view} materialised at publish (pipelines/rollups.py); the dashboard reads it.",
}
STATE_NOTES = {
    "rollup_state": ("Which rollups are built, by which version of pipelines/rollups.py, and the publish's now "
                     "(a reader whose clock is earlier reads the views)."),
    "rollup_cc_days": ("The local days each call and roster slot counted under at the last publish (a slot from "
                       "first_day to last_day), so a load that moves one also recomputes the days it left "
                       "(pipelines/rollups.py)."),
    "rollup_cc_loads": "Loads of calls and roster already in the contact-centre tables (pipelines/rollups.py).",
}


def _document(con: duckdb.DuckDBPyConnection, only: set[str] | None = None) -> None:
    """COMMENT ON the rollup tables and their columns (CREATE OR REPLACE drops comments: done after a table is
    (re)created, not on every publish); `only`: those tables (by name in metrics), None: all. The catalog is read
    once (a look-up per column was 0.2 s of every first load)."""
    catalog: dict[str, dict[str, str]] = {}
    for table, column, data_type in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'metrics' ORDER BY table_name, column_index").fetchall():
        catalog.setdefault(table, {})[column] = data_type
    for name, view in SOURCES.items():
        for kind, note in TABLE_NOTES.items():
            suffix = "materialised" if kind == "materialised" else kind
            table = f"{name}_{suffix}"
            if only is not None and table not in only:
                continue
            if table in catalog:
                _comment(con, catalog, table, note.format(view=view), view)
    if only is not None:
        return
    for table, note in STATE_NOTES.items():
        _comment(con, catalog, table, note, None)
    _comment(con, catalog, "ticket_values_daily_rollup", "Tickets of core.tickets per local created day and channel, "
             "type and priority (cancelled ones too): the sidebar's options for those filters (pipelines/rollups.py). "
             "Maintained per load.", None)
    for table, (view, _) in [*CC_TABLES.items(), ("rollup_cc_days", (None, "")), ("rollup_cc_loads", (None, "")),
                             ("ticket_values_daily_rollup", (None, ""))]:
        if view is not None:
            _comment(con, catalog, table, CC_NOTES.get(table, TABLE_NOTES["materialised"].format(view=view)), view)
        for column, text in CC_COLUMN_NOTES.items():
            if column in catalog.get(table, {}):
                con.execute(f'COMMENT ON COLUMN metrics.{table}."{column}" IS {_literal(text)}')


def _comment(con: duckdb.DuckDBPyConnection, catalog: dict[str, dict[str, str]], table: str, note: str,
             view: str | None) -> None:
    """COMMENT ON table and its columns; `catalog`: the metrics schema's columns and types per table."""
    con.execute(f"COMMENT ON TABLE metrics.{table} IS {_literal(note)}")
    columns = catalog.get(table, {})
    of_view = set() if view is None else set(catalog.get(view.removeprefix("metrics."), {}))
    flags = next((r.flags for r in ROLLUPS if r.view == view), {})
    numeric = ("BIGINT", "INTEGER", "DOUBLE", "DECIMAL")
    for column, data_type in columns.items():
        if table.endswith("_materialised") and column in of_view:
            text = f"as {view}.{column}"
        elif column == "records":
            text = f"distinct nonconformities of {view} in the group"
        elif column in flags:
            text = f"items of {view} in the group where {flags[column]}"
        elif column == "decided_from":
            text = "the first instant at which the view decides the item (its counts change from then on)"
        elif column in of_view and data_type.startswith(numeric) and column not in ("score",):
            text = f"sum of {view}.{column} over the group"
        elif column in of_view:
            text = f"as {view}.{column} (a grouping column)"
        else:
            text = f"see pipelines/rollups.py ({table})"
        con.execute(f'COMMENT ON COLUMN metrics.{table}."{column}" IS {_literal(text)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the rollups up to date after derived.refresh; returns 'all', 'items' or 'nothing'."""
    _ensure_state(con)
    fingerprint = _fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = 'rollup_fingerprint'").fetchall()
    built = {r[0] for r in con.execute("SELECT rollup FROM metrics.rollup_state WHERE version = ?",
                                       [ROLLUP_VERSION]).fetchall()}
    captured = con.execute(f"SELECT count(*) FROM information_schema.tables WHERE table_name = '{TOUCHED_TICKETS}'"
                           ).fetchall()[0][0] > 0
    _set_clock(con, None)
    now_at, built_now = con.execute("SELECT (SELECT now_at FROM metrics.clock), "
                                    "(SELECT max(built_now) FROM metrics.rollup_state)").fetchall()[0]
    # a clock earlier than the last publish's: the slices hold no item decided between the two (rebuild)
    rebuild = (not stored or stored[0][0] != fingerprint or built != set(NAMES) or not captured
               or (built_now is not None and now_at < built_now))
    if not rebuild:
        rebuild = not _items_ready(con)
    con.execute("BEGIN TRANSACTION")
    lots = 0
    if rebuild:
        con.execute("DROP TABLE IF EXISTS metrics.rollup_item_days")  # the per-day refresh's (ROLLUP_VERSION 5)
        for r in ROLLUPS:
            _build_generic(con, r)
        _build_csat(con)
        _build_survey_scores(con)
        _build_monthly(con)
        _build_contact_centre(con, None)
        _build_ticket_values(con)
        done = "all"
    else:
        items = con.execute(f"SELECT (SELECT count(*) FROM {SEEN_TICKETS}) + (SELECT count(*) FROM {SEEN_SURVEYS})"
                            ).fetchall()[0][0]
        # nonconformities read their ticket's product and lot when they lack their own
        lots = con.execute(f"""
            SELECT (SELECT n FROM {TOUCHED_LOTS})
                   + (SELECT count(*) FROM core.nonconformities
                      WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED_TICKETS}))""").fetchall()[0][0]
        cc_days = _cc_affected_days(con)
        if cc_days:
            _build_contact_centre(con, cc_days)
        if items:
            _snapshot_views(con, "old")
            _snapshot_views(con, "new")
            for r in ROLLUPS:
                _refresh_generic(con, r, built_now)
            _refresh_csat(con, built_now)
            _refresh_survey_scores(con)
            _refresh_ticket_values(con)
        if lots:
            _build_monthly(con)
        done = "items" if items or lots or cc_days else "nothing"
    if done != "nothing":
        _purge_slices(con)
        con.execute("DELETE FROM meta.settings WHERE key = 'rollup_fingerprint'")
        con.execute("INSERT INTO meta.settings VALUES ('rollup_fingerprint', ?)", [fingerprint])
        con.execute("DELETE FROM metrics.rollup_state")
        con.execute("INSERT INTO metrics.rollup_state SELECT unnest(?), ?, (SELECT now_at FROM metrics.clock)",
                    [list(NAMES), ROLLUP_VERSION])
    for table in (TOUCHED_TICKETS, TOUCHED_SURVEYS, TOUCHED_LOTS):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    _drop_items(con)
    # comments go only with a table's CREATE OR REPLACE: document what this publish (re)created
    if done == "all":
        _document(con)
    elif done != "nothing" and lots:
        _document(con, {f"{n}_monthly_rollup" for n in ("copq_department", "defect_pareto")}
                  | {f"{v}_materialised" for v in MATERIALISED})
    con.execute("COMMIT")
    return done
