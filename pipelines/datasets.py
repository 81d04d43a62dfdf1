"""The canonical model each source is mapped onto: columns, types, keys and known value sets.

This is the contract between mapping profiles, the demo generator, the expectation suites and the DDL in
sql/schema.sql (a test checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

TS = pl.Datetime("us", "UTC")
LINEAGE = ("load_id", "source_file", "file_hash", "loaded_at")


@dataclass(frozen=True)
class Dataset:
    name: str
    key: str
    columns: dict[str, pl.DataType]
    required: tuple[str, ...]
    event_time: str                       # the column freshness is measured on
    value_sets: dict[str, tuple[str, ...]]
    # a key made of other columns (pipelines/mapping.py joins them with '|' when the file has no key column)
    key_parts: tuple[str, ...] = ()

    @property
    def timestamp_columns(self) -> list[str]:
        return [c for c, t in self.columns.items() if t == TS]


CHANNELS = ("phone", "front_desk", "letter_email", "app", "field_visit")
TICKET_TYPES = ("repair", "complaint", "inquiry", "help", "suggestion", "praise", "warranty")
PRIORITIES = ("urgent", "high", "normal", "low")
COMPLAINT_GRADES = ("class_1", "class_2", "grievance")
TICKET_STATUSES = ("open", "in_progress", "resolved", "closed", "cancelled")
SURVEY_METHODS = ("phone", "sms", "app", "visit")
SURVEY_OUTCOMES = ("responded", "no_answer", "refused")
STAGES = ("incoming", "in_process", "final", "field")
DISPOSITIONS = ("rework", "downgrade", "repair", "scrap", "concession", "use_as_is")
CALL_OUTCOMES = ("answered", "abandoned", "voicemail", "overflow")

TICKETS = Dataset(
    name="tickets",
    key="ticket_id",
    columns={
        "ticket_id": pl.Utf8, "created_at": TS, "recorded_at": TS, "channel": pl.Utf8,
        "ticket_type": pl.Utf8, "category": pl.Utf8, "priority": pl.Utf8, "complaint_grade": pl.Utf8,
        "site": pl.Utf8, "region": pl.Utf8, "department": pl.Utf8, "agent": pl.Utf8,
        "customer_id": pl.Utf8, "product": pl.Utf8, "batch_id": pl.Utf8, "distance_km": pl.Float64,
        "dispatched_at": TS, "first_response_at": TS, "on_site_at": TS, "resolved_at": TS,
        "closed_at": TS, "status": pl.Utf8, "reopen_count": pl.Int32, "is_escalated": pl.Boolean,
        "is_attributable_to_service": pl.Boolean, "is_repeat_complaint": pl.Boolean,
    },
    required=("ticket_id", "created_at"),
    event_time="created_at",
    value_sets={"channel": CHANNELS, "ticket_type": TICKET_TYPES, "priority": PRIORITIES,
                "complaint_grade": COMPLAINT_GRADES, "status": TICKET_STATUSES},
)

SURVEYS = Dataset(
    name="surveys",
    key="survey_id",
    columns={
        "survey_id": pl.Utf8, "ticket_id": pl.Utf8, "attempted_at": TS, "responded_at": TS,
        "method": pl.Utf8, "outcome": pl.Utf8, "score": pl.Int32, "score_attitude": pl.Int32,
        "score_skill": pl.Int32, "score_timeliness": pl.Int32, "score_promise": pl.Int32,
        "recommend_score": pl.Int32, "comment": pl.Utf8, "agent": pl.Utf8, "site": pl.Utf8,
    },
    required=("survey_id", "attempted_at", "outcome"),
    event_time="attempted_at",
    value_sets={"method": SURVEY_METHODS, "outcome": SURVEY_OUTCOMES},
)

INSPECTIONS = Dataset(
    name="inspections",
    key="lot_id",
    columns={
        "lot_id": pl.Utf8, "product": pl.Utf8, "line": pl.Utf8, "plant": pl.Utf8, "stage": pl.Utf8,
        "inspected_at": TS, "production_date": pl.Date, "material_batch_id": pl.Utf8,
        "lot_qty": pl.Int32, "inspected_qty": pl.Int32, "nonconforming_qty": pl.Int32,
        "inspector": pl.Utf8,
    },
    required=("lot_id", "product", "inspected_at", "inspected_qty", "nonconforming_qty"),
    event_time="inspected_at",
    value_sets={"stage": STAGES},
)

NONCONFORMITIES = Dataset(
    name="nonconformities",
    key="nc_id",
    columns={
        "nc_id": pl.Utf8, "lot_id": pl.Utf8, "ticket_id": pl.Utf8, "product": pl.Utf8,
        "production_date": pl.Date, "found_at": TS, "defect_type": pl.Utf8, "qty": pl.Int32,
        "disposition": pl.Utf8, "material_cost": pl.Decimal(18, 2), "labour_cost": pl.Decimal(18, 2),
        "discount_cost": pl.Decimal(18, 2), "external_cost": pl.Decimal(18, 2),
        "responsible_department": pl.Utf8,
    },
    required=("nc_id", "found_at"),
    event_time="found_at",
    value_sets={"disposition": DISPOSITIONS},
)

CALLS = Dataset(
    name="calls",
    key="call_id",
    columns={
        "call_id": pl.Utf8, "queue": pl.Utf8, "offered_at": TS, "answered_at": TS, "abandoned_at": TS,
        "ended_at": TS, "agent": pl.Utf8, "wait_seconds": pl.Float64, "talk_seconds": pl.Float64,
        "wrap_seconds": pl.Float64, "is_transferred": pl.Boolean, "outcome": pl.Utf8, "ticket_id": pl.Utf8,
    },
    required=("call_id", "offered_at"),
    event_time="offered_at",
    value_sets={"outcome": CALL_OUTCOMES},
)

ROSTER = Dataset(
    name="roster",
    key="roster_slot",
    columns={
        "roster_slot": pl.Utf8, "agent": pl.Utf8, "interval_start": TS, "interval_minutes": pl.Int32,
        "is_logged_in": pl.Boolean, "is_available": pl.Boolean, "queue": pl.Utf8,
    },
    required=("agent", "interval_start"),
    event_time="interval_start",
    value_sets={},
    key_parts=("agent", "interval_start"),
)

DATASETS = {d.name: d for d in (TICKETS, SURVEYS, INSPECTIONS, NONCONFORMITIES, CALLS, ROSTER)}
