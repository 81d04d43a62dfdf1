"""The demo hotline's complaint levels and inquiry follow-ups (issue 14; story 10 in pipelines/demo.py).

Vectorised numpy/Polars with generators of their own, seeded from the demo's seed and chunk, so the other columns'
random draws are the same as before these existed.

* `complaint_levels`: each complaint's coordination level follows how long the case took (004's limits: solved
  within 2 h -> within one department, 48 h -> across departments, 5 days -> across provinces, longer -> another
  company); one complaint in eight is filed one level stricter than its time, and the limits catch it (about 88 %
  attainment). Complexity: simple when the first answer came within 2 h, with one in ten the other way round.
* `inquiry_followups`: the hotline rates nearly every inquiry it answers (an IVR survey right after the call, seed
  004's satisfaction of all inquiries handled): ~98 % of resolved inquiries get one, ~97 % answer, ~98 % of those
  score 4-5, so the inquiries' satisfaction rate sits near its 95 % target.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.datasets import COMPLEXITIES, COORDINATION_LEVELS

HOUR = 3600.0
LEVEL_HOURS = np.array([2.0, 48.0, 120.0])          # upper durations that fit each level but the last


def _lookup(values: tuple[str, ...], idx: np.ndarray, valid: np.ndarray) -> pl.Series:
    """values[idx] as a Utf8 Series, null where not valid."""
    ix = pl.select(pl.when(pl.Series(valid)).then(pl.Series(np.asarray(idx).astype(np.uint32)))).to_series()
    return pl.Series(list(values), dtype=pl.Utf8).gather(ix)


def complaint_levels(rng: np.random.Generator, created: np.ndarray, resolved: np.ndarray, first_resp: np.ndarray,
                     is_complaint: np.ndarray) -> dict[str, pl.Series]:
    """coordination_level and complexity for a chunk's tickets (null where not a complaint). Times are epoch
    seconds, NaN when it has not happened (open complaints take a level at random)."""
    n = len(created)
    hours = (resolved - created) / HOUR
    fitted = np.searchsorted(LEVEL_HOURS, np.nan_to_num(hours, nan=0.0), side="left")
    prior = np.searchsorted(np.cumsum([0.55, 0.30, 0.10]), rng.random(n), side="right")
    level = np.where(np.isnan(hours), prior, fitted)
    stricter = (rng.random(n) < 0.125) & (level > 0)
    level = np.minimum(np.where(stricter, level - 1, level), len(COORDINATION_LEVELS) - 1)
    answered_fast = ((first_resp - created) / HOUR) <= 2.0
    simple = np.where(rng.random(n) < 0.9, answered_fast, ~answered_fast)
    return {"coordination_level": _lookup(COORDINATION_LEVELS, level, is_complaint),
            "complexity": _lookup(COMPLEXITIES, np.where(simple, 0, 1), is_complaint)}


def inquiry_followups(rng: np.random.Generator, tickets: pl.DataFrame, as_of: float) -> pl.DataFrame:
    """Follow-up rows for a chunk's resolved inquiries, in the chunk's surveys layout (times as Int64 epoch
    seconds, ticket_id_i the ticket's row); the caller gives them ids after the chunk's own."""
    resolved_all = tickets["resolved_at"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    idx = np.flatnonzero((tickets["ticket_type"] == "inquiry").fill_null(False).to_numpy()
                         & ~np.isnan(resolved_all))
    n = len(idx)
    attempted = np.round(resolved_all[idx] + rng.uniform(30, 300, n))
    keep = (rng.random(n) < 0.98) & (attempted <= as_of)
    outcome = np.searchsorted(np.cumsum([0.97, 0.02]), rng.random(n), side="right")   # responded, no answer, refused
    responded_at = np.round(attempted + rng.uniform(20, 120, n))
    outcome = np.where((outcome == 0) & (responded_at > as_of), 1, outcome)
    score = 5 - np.searchsorted(np.cumsum([0.70, 0.28, 0.012, 0.005]), rng.random(n), side="right")
    answered = outcome == 0
    rows = pl.Series(idx.astype(np.uint32))
    frame = pl.DataFrame({
        "ticket_id_i": idx,
        "attempted_at": pl.Series(attempted).cast(pl.Int64),
        "responded_at": pl.Series(np.where(answered, responded_at, np.nan), nan_to_null=True).cast(pl.Int64),
        "method": pl.Series(["phone"] * n, dtype=pl.Utf8),
        "outcome": pl.Series(["responded", "no_answer", "refused"], dtype=pl.Utf8).gather(
            pl.Series(outcome.astype(np.uint32))),
        "score": pl.select(pl.when(pl.Series(answered)).then(pl.Series(score.astype(np.int32)))).to_series(),
        "agent": tickets["agent"].gather(rows), "site": tickets["site"].gather(rows),
    })
    return frame.filter(pl.Series(keep))
