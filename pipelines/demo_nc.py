"""The demo's nonconformity workflow (issue 15): the QC department's step log for the lot findings of the last
six weeks, and the workshop's list of today's nonconformities without amounts (so the loss rules show).

`write_nc_steps(out_dir, end_date, lot_nc, seed)` writes two files and returns them with their profiles:
  nc_steps.csv          nonconformity_events__qc_zh   不合格品处理记录: Chinese headers and values, UTF-8
  nonconformities_recent.csv  nonconformities__canonical  found in the last 7 days: product, qty, disposition,
                                                       no amounts (the loss rules price them)

Steps per finding (times from the finding, hours, lognormal): notified ~3 h (about 1 in 8 after the 12 h limit),
reviewed +6, decided +4 (grade A for about half the scrapped ones, else B), approved +8, executed +24, re-inspected
+4 after rework or repair (about 1 in 4 fails and goes round once more: decided, executed, re-inspected passing),
closed +4. A step later than the end of `end_date` is not yet recorded, so the newest findings are open at every
step; 14 older findings stall after a step (one for each step, twice), so some are overdue at every step.
Vectorised: one array per step, no loop over findings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.datasets import DISPOSITIONS, NONCONFORMITIES

STEPS_ZH = {"found": "发现", "notified": "通知责任人", "reviewed": "评审", "decided": "处置决定", "approved": "批准",
            "executed": "执行", "reinspected": "复检", "closed": "关闭"}
DISPOSITIONS_ZH = {"rework": "返工", "downgrade": "降级", "repair": "返修", "scrap": "报废", "concession": "让利销售",
                   "use_as_is": "原样使用"}
# the responsible person of each department (通知生产责任人) and the fixed roles of the route
PEOPLE = {"market": "市场-周敏", "production": "生产-张伟", "technology": "技术-刘洋", "purchasing": "采购-李强",
          "quality": "品管-陈静", "logistics": "物流-赵磊"}
NOTIFIER, REVIEWERS, DECIDER, APPROVER = "生产技术科", "评审小组", "质控部", "总经理"
INSPECTOR = "质检-钱进"
WINDOW_DAYS = 42
TS = "%Y-%m-%d %H:%M:%S"
STEP_HOURS = (("notified", 3.0), ("reviewed", 6.0), ("decided", 4.0), ("approved", 8.0), ("executed", 24.0),
              ("reinspected", 4.0), ("closed", 4.0))
RECENT = 30            # today's nonconformities without amounts
PRODUCTS = ("white-glue", "sealant", "tile-adhesive", "primer", "grout")
DEFECTS = ("viscosity out of spec", "incomplete curing", "contamination")   # pipelines/demo.py's commonest
RECENT_COLUMNS = ("nc_id", "found_at", "product", "qty", "disposition", "responsible_department", "defect_type")


def _steps(lot_nc: pl.DataFrame, end_date: date, rng: np.random.Generator) -> pl.DataFrame:
    """One row per recorded step (canonical names) of the lot findings of the last WINDOW_DAYS days."""
    end = datetime.combine(end_date, datetime.max.time()).replace(microsecond=0)
    start = (end - timedelta(days=WINDOW_DAYS)).strftime(TS)
    nc = lot_nc.filter(pl.col("found_at") >= start, pl.col("disposition").is_in(list(DISPOSITIONS)),
                       pl.col("found_at") <= end.strftime(TS))
    n = nc.height
    found = nc["found_at"].str.strptime(pl.Datetime("us"), TS).to_numpy()
    disposition = nc["disposition"].to_numpy()
    person = nc["responsible_department"].replace_strict(PEOPLE, default="生产-张伟").to_numpy()
    grade = np.where((disposition == "scrap") & (rng.random(n) < 0.5), "A", "B")
    reworked = np.isin(disposition, ("rework", "repair"))
    fails = reworked & (rng.random(n) < 0.25)
    # hours after the finding, step by step; a late notification for about 1 in 8
    gaps = {step: rng.lognormal(np.log(h), 0.5, n) for step, h in STEP_HOURS}
    gaps["notified"] = np.where(rng.random(n) < 0.12, rng.uniform(13, 30, n), gaps["notified"])
    # 14 findings of 8-30 days ago stall after a step: two for each of the 7 steps before closing
    old = np.flatnonzero(found < np.datetime64(end - timedelta(days=8)))
    old = old[found[old] > np.datetime64(end - timedelta(days=30))]
    stall = np.full(n, 99)
    chosen = rng.choice(old, size=min(14, old.size), replace=False) if old.size else np.empty(0, np.int64)
    stall[chosen] = np.arange(chosen.size) % 7          # index of the last step recorded (0 = found)

    parts, at, k = [], np.zeros(n), 0

    def add(step: str, mask: np.ndarray, hours: np.ndarray, actor, owner, **extra) -> None:
        when = found + (hours * 3_600_000_000).astype("timedelta64[us]")
        keep = mask & (when <= np.datetime64(end))
        parts.append(pl.DataFrame({
            "nc_id": nc["nc_id"].filter(pl.Series(keep)), "occurred_at": when[keep],
            "actor": np.broadcast_to(actor, n)[keep], "owner": np.broadcast_to(owner, n)[keep],
            **{c: np.broadcast_to(v, n)[keep] for c, v in extra.items()}}).with_columns(step=pl.lit(step)))

    add("found", np.ones(n, bool), at, INSPECTOR, NOTIFIER)
    route = [("notified", NOTIFIER, person), ("reviewed", REVIEWERS, DECIDER), ("decided", DECIDER, APPROVER),
             ("approved", APPROVER, person), ("executed", person, np.where(reworked, INSPECTOR, DECIDER))]
    for step, actor, owner in route:
        k += 1
        at = at + gaps[step]
        extra = {"grade": grade} if step == "reviewed" else {}
        if step in ("decided", "approved"):
            extra = {"disposition": disposition}
        add(step, stall >= k, at, actor, owner, **extra)
    k += 1
    at = at + np.where(reworked, gaps["reinspected"], 0)
    add("reinspected", reworked & (stall >= k), at, INSPECTOR, DECIDER,
        reinspection_result=np.where(fails, "fail", "pass"))
    # a failed re-inspection: decided again, executed again, re-inspected and passed
    again = fails & (stall >= k)
    for step, hours, actor, owner in (("decided", 2.0, DECIDER, person), ("executed", 12.0, person, INSPECTOR)):
        at = at + np.where(fails, hours, 0)
        add(step, again, at, actor, owner, **({"disposition": disposition} if step == "decided" else {}))
    at = at + np.where(fails, 3.0, 0)
    add("reinspected", again, at, INSPECTOR, DECIDER, reinspection_result="pass")
    k += 1
    at = at + gaps["closed"]
    add("closed", stall >= k, at, DECIDER, DECIDER)
    return pl.concat(parts, how="diagonal_relaxed").sort("occurred_at", "nc_id")


def _zh(steps: pl.DataFrame) -> pl.DataFrame:
    """The QC department's export: Chinese headers and values (nonconformity_events__qc_zh)."""
    grade = {"A": "A级", "B": "B级"}
    result = {"pass": "合格", "fail": "不合格"}
    return steps.select(
        pl.col("nc_id").alias("不合格品单号"), pl.col("step").replace_strict(STEPS_ZH).alias("环节"),
        pl.col("occurred_at").dt.strftime(TS).alias("时间"), pl.col("actor").alias("经办人"),
        pl.col("owner").alias("责任人"),
        pl.col("grade").replace_strict(grade, default=None).alias("等级"),
        pl.col("disposition").replace_strict(DISPOSITIONS_ZH, default=None).alias("处置方式"),
        pl.col("reinspection_result").replace_strict(result, default=None).alias("复检结果"))


def _recent(end_date: date, rng: np.random.Generator) -> pl.DataFrame:
    """Today's nonconformities as the workshop lists them: no lot, no amounts."""
    day = rng.integers(0, 7, RECENT)
    minute = rng.integers(8 * 60, 18 * 60, RECENT)
    found = (np.datetime64(end_date) - day.astype("timedelta64[D]")).astype("datetime64[m]") + minute
    return pl.DataFrame({
        "nc_id": [f"NCW{i:05d}" for i in range(1, RECENT + 1)],
        "found_at": pl.Series(found.astype("datetime64[us]")).dt.strftime(TS),
        "product": np.asarray(PRODUCTS)[rng.integers(0, len(PRODUCTS), RECENT)],
        "qty": rng.integers(5, 200, RECENT),
        "disposition": np.asarray(("scrap", "concession", "use_as_is", "rework", "downgrade"))[
            rng.choice(5, RECENT, p=(0.35, 0.25, 0.15, 0.15, 0.10))],
        "responsible_department": np.asarray(tuple(PEOPLE))[rng.choice(6, RECENT, p=(0, .5, .2, .2, .05, .05))],
        "defect_type": np.asarray(DEFECTS)[rng.integers(0, 3, RECENT)],   # the demo's three commonest
    }).sort("found_at", "nc_id").select(     # every canonical column (the others empty), as the other files
        pl.col(c).cast(pl.Utf8) if c in RECENT_COLUMNS else pl.lit(None, pl.Utf8).alias(c)
        for c in NONCONFORMITIES.schema)


def write_nc_steps(out_dir: Path, end_date: date, lot_nc: pl.DataFrame, seed: int) -> list[tuple[Path, str]]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 15]))
    recent_path, steps_path = out_dir / "nonconformities_recent.csv", out_dir / "nc_steps.csv"
    _recent(end_date, rng).write_csv(recent_path)
    _zh(_steps(lot_nc, end_date, rng)).write_csv(steps_path)
    return [(recent_path, "nonconformities__canonical"), (steps_path, "nonconformity_events__qc_zh")]
