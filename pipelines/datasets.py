"""The canonical model each source is mapped onto: columns, types, keys and known value sets.

This is the one registry of datasets: the contract between mapping profiles, the demo generator, the expectation
suites and the DDL in sql/schema.sql (a test checks the two agree). Everything that lists datasets (`sqd check`,
`sqd status`, the freshness badge, the dashboard's date range, the validator's derived columns) reads `DATASETS`.
Adding a dataset takes an entry here, a canonical profile (data/profiles/), a suite (expectations/), the table's DDL
(sql/schema.sql) and its views: docs/architecture.md "Adding a dataset".

Types are named by short strings so that `sqd status` can read the registry without importing Polars (CLI start,
docs/performance.md); `Dataset.columns` gives the Polars types, built on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

LINEAGE = ("load_id", "source_file", "file_hash", "loaded_at")

# short type name -> how Polars spells it (built lazily in `_polars_type`)
TYPE_NAMES = ("text", "ts", "date", "int", "float", "bool", "money")


def _polars_type(name: str) -> pl.DataType:
    import polars as pl
    return {"text": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "date": pl.Date, "int": pl.Int32,
            "float": pl.Float64, "bool": pl.Boolean, "money": pl.Decimal(18, 2)}[name]


def __getattr__(name: str):  # `from pipelines.datasets import TS`: the Polars timestamp type, on demand
    if name == "TS":
        return _polars_type("ts")
    raise AttributeError(name)


@dataclass(frozen=True)
class Dataset:
    name: str
    key: str
    schema: dict[str, str]                # column -> type name (TYPE_NAMES)
    required: tuple[str, ...]
    event_time: str                       # the column freshness is measured on
    value_sets: dict[str, tuple[str, ...]]
    # a key made of other columns (pipelines/mapping.py joins them with '|' when the file has no key column)
    key_parts: tuple[str, ...] = ()
    label: tuple[str, str] = ("", "")     # (English, Chinese) name shown in the dashboard and `sqd status`
    # whether the dashboard's date range spans this dataset's event times (a roster plans the future: no)
    in_date_range: bool = True
    # columns whose values must be in value_sets after the profile's map: an unknown value refuses the file at
    # mapping, naming the value and the profile's map (a work-order step nobody mapped cannot be guessed)
    strict_values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = {c: t for c, t in self.schema.items() if t not in TYPE_NAMES}
        if unknown:
            raise ValueError(f"dataset {self.name}: unknown column types {unknown}; use one of {TYPE_NAMES}")
        missing = [c for c in (self.key, self.event_time, *self.required, *self.key_parts, *self.value_sets,
                               *self.strict_values)
                   if c not in self.schema]
        if missing:
            raise ValueError(f"dataset {self.name}: {missing} are not among its columns")

    @cached_property
    def columns(self) -> dict[str, pl.DataType]:
        return {c: _polars_type(t) for c, t in self.schema.items()}

    @property
    def timestamp_columns(self) -> list[str]:
        return [c for c, t in self.schema.items() if t == "ts"]


CHANNELS = ("phone", "front_desk", "letter_email", "app", "field_visit")
TICKET_TYPES = ("repair", "complaint", "inquiry", "help", "suggestion", "praise", "warranty")
PRIORITIES = ("urgent", "high", "normal", "low")
COMPLAINT_GRADES = ("class_1", "class_2", "grievance")
# a complaint's coordination level (004: the resolution limit follows it) and the promised answer's complexity
COORDINATION_LEVELS = ("within_department", "cross_department", "cross_province", "other_company")
COMPLEXITIES = ("simple", "complex")
# the hotline's statuses too (issue 14): returned 退单, redispatched 重派, transferred 转派, under review 复核,
# appealed 申诉, archived 归档
TICKET_STATUSES = ("open", "in_progress", "resolved", "closed", "cancelled", "returned", "redispatched",
                   "transferred", "under_review", "appealed", "archived")
SURVEY_METHODS = ("phone", "sms", "app", "visit")
SURVEY_OUTCOMES = ("responded", "no_answer", "refused")
STAGES = ("incoming", "in_process", "final", "field")
DISPOSITIONS = ("rework", "downgrade", "repair", "scrap", "concession", "use_as_is")
CALL_OUTCOMES = ("answered", "abandoned", "voicemail", "overflow")

TICKETS = Dataset(
    name="tickets",
    key="ticket_id",
    schema={
        "ticket_id": "text", "created_at": "ts", "recorded_at": "ts", "channel": "text",
        "ticket_type": "text", "category": "text", "priority": "text", "complaint_grade": "text",
        "site": "text", "region": "text", "department": "text", "agent": "text",
        "customer_id": "text", "product": "text", "batch_id": "text", "distance_km": "float",
        "dispatched_at": "ts", "first_response_at": "ts", "on_site_at": "ts", "resolved_at": "ts",
        "closed_at": "ts", "status": "text", "reopen_count": "int", "is_escalated": "bool",
        "is_attributable_to_service": "bool", "is_repeat_complaint": "bool",
        "coordination_level": "text", "complexity": "text",
    },
    required=("ticket_id", "created_at"),
    event_time="created_at",
    value_sets={"channel": CHANNELS, "ticket_type": TICKET_TYPES, "priority": PRIORITIES,
                "complaint_grade": COMPLAINT_GRADES, "status": TICKET_STATUSES,
                "coordination_level": COORDINATION_LEVELS, "complexity": COMPLEXITIES},
    label=("tickets", "工单"),
)

SURVEYS = Dataset(
    name="surveys",
    key="survey_id",
    schema={
        "survey_id": "text", "ticket_id": "text", "attempted_at": "ts", "responded_at": "ts",
        "method": "text", "outcome": "text", "score": "int", "score_attitude": "int",
        "score_skill": "int", "score_timeliness": "int", "score_promise": "int",
        "recommend_score": "int", "comment": "text", "agent": "text", "site": "text",
    },
    required=("survey_id", "attempted_at", "outcome"),
    event_time="attempted_at",
    value_sets={"method": SURVEY_METHODS, "outcome": SURVEY_OUTCOMES},
    label=("surveys", "回访"),
)

INSPECTIONS = Dataset(
    name="inspections",
    key="lot_id",
    schema={
        "lot_id": "text", "product": "text", "line": "text", "plant": "text", "stage": "text",
        "inspected_at": "ts", "production_date": "date", "material_batch_id": "text",
        "lot_qty": "int", "inspected_qty": "int", "nonconforming_qty": "int",
        "inspector": "text",
    },
    required=("lot_id", "product", "inspected_at", "inspected_qty", "nonconforming_qty"),
    event_time="inspected_at",
    value_sets={"stage": STAGES},
    label=("inspections", "检验"),
)

NONCONFORMITIES = Dataset(
    name="nonconformities",
    key="nc_id",
    schema={
        "nc_id": "text", "lot_id": "text", "ticket_id": "text", "product": "text",
        "production_date": "date", "found_at": "ts", "defect_type": "text", "qty": "int",
        "disposition": "text", "material_cost": "money", "labour_cost": "money",
        "discount_cost": "money", "external_cost": "money",
        "responsible_department": "text",
    },
    required=("nc_id", "found_at"),
    event_time="found_at",
    value_sets={"disposition": DISPOSITIONS},
    label=("nonconformities", "不合格品"),
)

CALLS = Dataset(
    name="calls",
    key="call_id",
    schema={
        "call_id": "text", "queue": "text", "offered_at": "ts", "answered_at": "ts", "abandoned_at": "ts",
        "ended_at": "ts", "agent": "text", "wait_seconds": "float", "talk_seconds": "float",
        "wrap_seconds": "float", "is_transferred": "bool", "outcome": "text", "ticket_id": "text",
    },
    required=("call_id", "offered_at"),
    event_time="offered_at",
    value_sets={"outcome": CALL_OUTCOMES},
    label=("calls", "呼叫记录"),
)

ROSTER = Dataset(
    name="roster",
    key="roster_slot",
    schema={
        "roster_slot": "text", "agent": "text", "interval_start": "ts", "interval_minutes": "int",
        "is_logged_in": "bool", "is_available": "bool", "queue": "text",
    },
    required=("agent", "interval_start"),
    event_time="interval_start",
    value_sets={},
    key_parts=("agent", "interval_start"),
    label=("roster", "排班"),
    in_date_range=False,
)

# The hotline's work-order steps (issue 14, seed 004): one event row per step of a ticket
EVENT_STEPS = ("received", "dispatched", "returned", "redispatched", "transferred", "replied", "reviewed",
               "reminded", "escalated", "appealed", "archived", "reopened")
REVIEW_VERDICTS = ("valid", "invalid")
ESCALATION_LEVELS = ("reminder", "department_head", "vice_president")
APPEAL_GRADES = ("major_urgent", "ordinary", "complex")

TICKET_EVENTS = Dataset(
    name="ticket_events",
    key="event_id",
    schema={
        "event_id": "text", "ticket_id": "text", "occurred_at": "ts", "step": "text", "actor": "text",
        "from_department": "text", "to_department": "text", "reason": "text", "deadline_at": "ts",
        "verdict": "text", "escalation_level": "text", "appeal_ticket_id": "text", "appeal_grade": "text",
    },
    required=("ticket_id", "occurred_at", "step"),
    event_time="occurred_at",
    value_sets={"step": EVENT_STEPS, "verdict": REVIEW_VERDICTS, "escalation_level": ESCALATION_LEVELS,
                "appeal_grade": APPEAL_GRADES},
    key_parts=("ticket_id", "step", "occurred_at"),
    label=("work-order events", "工单流转"),
    strict_values=("step",),
)

# The nonconformity workflow (issue 15; seeds 000 §5.4 and 002 第五部 4.1): one event row per step of a nonconformity.
# Grade A (serious: a whole batch, a large loss, or unusable: only scrapped or returned) and B (general: can be
# sorted, reworked, repaired or used otherwise); docs/metrics.md "Nonconformity workflow" gives each grade's route.
NC_STEPS = ("found", "notified", "reviewed", "decided", "approved", "executed", "reinspected", "closed")
NC_GRADES = ("A", "B")
REINSPECTION_RESULTS = ("pass", "fail")

NONCONFORMITY_EVENTS = Dataset(
    name="nonconformity_events",
    key="event_id",
    schema={
        "event_id": "text", "nc_id": "text", "step": "text", "occurred_at": "ts", "actor": "text",
        "owner": "text", "grade": "text", "disposition": "text", "reinspection_result": "text", "note": "text",
    },
    required=("nc_id", "step", "occurred_at"),
    event_time="occurred_at",
    value_sets={"step": NC_STEPS, "grade": NC_GRADES, "disposition": DISPOSITIONS,
                "reinspection_result": REINSPECTION_RESULTS},
    key_parts=("nc_id", "step", "occurred_at"),
    label=("nonconformity steps", "不合格品处理步骤"),
    strict_values=("step", "grade", "disposition", "reinspection_result"),
)

CAPA_SOURCES = ("nonconformity", "complaint", "review")
CAPA_STATUSES = ("open", "in_progress", "completed", "closed", "cancelled")
CAPA_RESULTS = ("effective", "not_effective")
CAPA_METRICS = ("timeliness_rate", "csat_rate", "complaint_rate", "repeat_complaint_rate", "follow_up_rate",
                "response_rate", "defect_rate", "service_level", "abandon_rate")   # metrics.kpi_facts.metric

CORRECTIVE_ACTIONS = Dataset(
    name="corrective_actions",
    key="capa_id",
    schema={
        "capa_id": "text", "source_type": "text", "source_ids": "text", "opened_at": "ts", "root_cause": "text",
        "action": "text", "owner": "text", "due_date": "date", "status": "text", "completed_on": "date",
        "closed_on": "date", "verified_on": "date", "verified_by": "text", "verification_result": "text",
        "metric": "text", "product": "text", "department": "text", "site": "text", "window_days": "int",
    },
    required=("capa_id", "action", "owner", "due_date"),
    event_time="opened_at",
    value_sets={"source_type": CAPA_SOURCES, "status": CAPA_STATUSES, "verification_result": CAPA_RESULTS,
                "metric": CAPA_METRICS},
    label=("corrective actions", "纠正措施"),
    in_date_range=False,
)

# The registry, in the order pages and `sqd status` list them. One dataset per line.
DATASETS = {d.name: d for d in (
    TICKETS,
    SURVEYS,
    INSPECTIONS,
    NONCONFORMITIES,
    CALLS,
    ROSTER,
    CORRECTIVE_ACTIONS,
    NONCONFORMITY_EVENTS,
    TICKET_EVENTS,
)}
