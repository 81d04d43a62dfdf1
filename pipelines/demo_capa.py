"""The demo organisation's corrective actions (CAPA): `corrective_actions.csv`, profile corrective_actions__canonical.

Six actions around the demo's stories (pipelines/demo.py), dated from them and from the data's last day, so they
hold for any `--end-date`:

 id      | source                               | state at the end of the data
---------+--------------------------------------+---------------------------------------------------------------
 CA-0001 | the bad sealant material batch's lot | carried out after the batch's lots, closed, verified effective:
         | findings (story 4)                   | the sealant defect rate fell (metrics.capa_effectiveness)
 CA-0002 | the weekly review of the Hillcrest   | carried out, awaiting verification: Hillcrest's complaint rate
         | staff shortage (story 3)             | after against before
 CA-0003 | a weekly-review decision 6 weeks ago | in progress, due 10 days ago, not carried out: OVERDUE
 CA-0004 | lot findings of the product whose    | closed, verified NOT effective: the defect rate did not fall
         | rate rose most around day -45        | (chosen from the generated lots, so the view shows it)
 CA-0005 | lot findings (grout)                 | closed without an effectiveness check
 CA-0006 | a weekly-review decision last week   | open, due in three weeks

Vectorised Polars over the generated lots; no randomness beyond the plant's.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from pipelines.datasets import CORRECTIVE_ACTIONS

FILE_NAME = "corrective_actions.csv"
WINDOW_DAYS = 28
CANONICAL_TS = "%Y-%m-%d %H:%M:%S"


def _not_effective(inspections: pl.DataFrame, end_date: date) -> tuple[str, date]:
    """(product, completion date) among days -60..-40 whose defect rate over the WINDOW_DAYS after exceeds the
    WINDOW_DAYS before by the most: an action there that did not work."""
    lots = inspections.select(pl.col("product"), pl.col("inspected_at").dt.date().alias("day"),
                              "nonconforming_qty", "inspected_qty")
    days = pl.DataFrame({"completed": pl.date_range(end_date - timedelta(days=60), end_date - timedelta(days=40),
                                                    eager=True)})
    rates = (lots.join(days, how="cross")
             .filter((pl.col("day") >= pl.col("completed") - timedelta(days=WINDOW_DAYS))
                     & (pl.col("day") < pl.col("completed") + timedelta(days=WINDOW_DAYS)))
             .with_columns((pl.col("day") >= pl.col("completed")).alias("after"))
             .group_by("product", "completed")
             .agg((pl.col("nonconforming_qty").filter(pl.col("after")).sum()
                   / pl.col("inspected_qty").filter(pl.col("after")).sum()).alias("rate_after"),
                  (pl.col("nonconforming_qty").filter(~pl.col("after")).sum()
                   / pl.col("inspected_qty").filter(~pl.col("after")).sum()).alias("rate_before"))
             .with_columns((pl.col("rate_after") - pl.col("rate_before")).alias("rise"))
             .drop_nans().sort("rise", "product", "completed", descending=[True, False, False]))
    best = rates.row(0, named=True)
    return best["product"], best["completed"]


def _nc_ids(lot_nc: pl.DataFrame, inspections: pl.DataFrame, condition: pl.Expr, limit: int = 3) -> str:
    """Up to `limit` lot findings matching `condition` (on the finding joined with its lot), ';'-separated."""
    found = (lot_nc.join(inspections.select("lot_id", "material_batch_id", pl.col("product").alias("lot_product")),
                         on="lot_id", how="left")
             .filter(condition).sort("nc_id").head(limit))
    return ";".join(found["nc_id"].to_list())


def corrective_actions(end_date: date, shortage: tuple[date, date], bad_production: tuple[date, date],
                       bad_batch: str, inspections: pl.DataFrame, lot_nc: pl.DataFrame) -> pl.DataFrame:
    """The demo's actions (see the module's table) in the canonical layout; actions dated before the data's first
    day are left out."""
    start = date(end_date.year - 2, end_date.month, min(end_date.day, 28)) + timedelta(days=1)
    found = pl.col("found_at").dt.date() if lot_nc.schema.get("found_at") == pl.Datetime else \
        pl.col("found_at").str.slice(0, 10).str.to_date()
    lot_nc = lot_nc.with_columns(found.alias("found_day"))
    poor_product, poor_done = _not_effective(inspections, end_date)
    bad_end = bad_production[1]
    review_week = shortage[0] + timedelta(days=7)
    rows = [
        dict(capa_id="CA-0001", source_type="nonconformity",
             source_ids=_nc_ids(lot_nc, inspections, pl.col("material_batch_id") == bad_batch),
             opened=bad_end + timedelta(days=3),
             root_cause="Supplier shipped a sealant base batch out of viscosity spec; incoming inspection "
                        "sampled one drum only",
             action="Incoming inspection of every drum of each sealant batch; supplier corrective-action request",
             owner="钱进", due=bad_end + timedelta(days=21), status="closed", completed=bad_end + timedelta(days=14),
             closed=bad_end + timedelta(days=14 + WINDOW_DAYS + 3), verified=bad_end + timedelta(days=14 + WINDOW_DAYS + 3),
             verified_by="孔丽", result="effective", metric="defect_rate", product="sealant", site=None),
        dict(capa_id="CA-0002", source_type="review",
             source_ids=f"{review_week.isocalendar().year}-W{review_week.isocalendar().week:02d}",
             opened=review_week + timedelta(days=7),
             root_cause="Hillcrest ran two agents short; late arrivals and attitude complaints followed",
             action="Two agents moved to Hillcrest; its roster reviewed every Monday", owner="王芳",
             due=shortage[1] + timedelta(days=7), status="completed", completed=shortage[1] + timedelta(days=1),
             closed=None, verified=None, verified_by=None, result=None, metric="complaint_rate", product=None,
             site="Hillcrest"),
        dict(capa_id="CA-0003", source_type="review", source_ids=_week_label(end_date - timedelta(days=42)),
             opened=end_date - timedelta(days=40),
             root_cause="Follow-up calls of weekend repairs wait for Monday and miss the 48 h window",
             action="Weekend follow-up rota; technicians retrained on the 48 h follow-up rule", owner="李强",
             due=end_date - timedelta(days=10), status="in_progress", completed=None, closed=None, verified=None,
             verified_by=None, result=None, metric="follow_up_rate", product=None, site=None),
        dict(capa_id="CA-0004", source_type="nonconformity",
             source_ids=_nc_ids(lot_nc, inspections, (pl.col("lot_product") == poor_product)
                                & (pl.col("found_day") < poor_done)
                                & (pl.col("found_day") >= poor_done - timedelta(days=WINDOW_DAYS))),
             opened=poor_done - timedelta(days=10),
             root_cause=f"{poor_product}: mixing time shortened on the night shift",
             action="Mixing time restored to the standard and checked at each shift change", owner="赵磊",
             due=poor_done + timedelta(days=5), status="closed", completed=poor_done,
             closed=end_date - timedelta(days=5), verified=end_date - timedelta(days=5), verified_by="孔丽",
             result="not_effective", metric="defect_rate", product=poor_product, site=None),
        dict(capa_id="CA-0005", source_type="nonconformity",
             source_ids=_nc_ids(lot_nc, inspections, (pl.col("lot_product") == "grout")
                                & (pl.col("found_day") < end_date - timedelta(days=60))),
             opened=end_date - timedelta(days=75),
             root_cause="Grout bags torn at the palletiser", action="Palletiser guide rails replaced",
             owner="赵磊", due=end_date - timedelta(days=50), status="closed",
             completed=end_date - timedelta(days=55), closed=end_date - timedelta(days=20), verified=None,
             verified_by=None, result=None, metric="defect_rate", product="grout", site=None),
        dict(capa_id="CA-0006", source_type="review", source_ids=_week_label(end_date - timedelta(days=7)),
             opened=end_date - timedelta(days=1),
             root_cause="Repeat complaints about the hotline's callback promise",
             action="Callback promise tracked in the ticket; missed callbacks listed every morning", owner="王芳",
             due=end_date + timedelta(days=21), status="open", completed=None, closed=None, verified=None,
             verified_by=None, result=None, metric="repeat_complaint_rate", product=None, site=None),
    ]
    frame = pl.DataFrame(rows, schema={
        "capa_id": pl.Utf8, "source_type": pl.Utf8, "source_ids": pl.Utf8, "opened": pl.Date,
        "root_cause": pl.Utf8, "action": pl.Utf8, "owner": pl.Utf8, "due": pl.Date, "status": pl.Utf8,
        "completed": pl.Date, "closed": pl.Date, "verified": pl.Date, "verified_by": pl.Utf8, "result": pl.Utf8,
        "metric": pl.Utf8, "product": pl.Utf8, "site": pl.Utf8})
    return (frame.filter(pl.col("opened") >= start)
            .with_columns((pl.col("opened").cast(pl.Datetime) + pl.duration(hours=10)).dt.strftime(CANONICAL_TS)
                          .alias("opened_at"))
            .rename({"due": "due_date", "completed": "completed_on", "closed": "closed_on", "verified": "verified_on",
                     "result": "verification_result"})
            .with_columns(pl.lit(None, dtype=pl.Utf8).alias("department"),
                          pl.lit(WINDOW_DAYS, dtype=pl.Int32).alias("window_days"))
            .select(list(CORRECTIVE_ACTIONS.columns)))


def _week_label(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def write_corrective_actions(out_dir: Path, end_date: date, shortage: tuple[date, date],
                             bad_production: tuple[date, date], bad_batch: str, inspections: pl.DataFrame,
                             lot_nc: pl.DataFrame) -> Path:
    path = Path(out_dir) / FILE_NAME
    corrective_actions(end_date, shortage, bad_production, bad_batch, inspections, lot_nc).write_csv(path)
    return path

