"""The demo hotline's work-order events (issue 14): every Riverside ticket's steps, as the hotline's flow export
(`riverside_events.csv`, profile ticket_events__hotline_zh: GB18030, Chinese headers, step names and departments).

Each ticket is received, dispatched (to its department, or ~4 % of the time to customer service by mistake), possibly returned and
dispatched again, transferred (~10 %), reminded and escalated when slow, replied to (an acknowledgement, sometimes a
progress reply, and the final reply when resolved), reopened and re-dispatched when the customer was unhappy
(the ticket's reopen_count), reviewed (复核, before archiving; the demo's cancelled tickets are invalid complaints
无效投诉)
and archived when closed: about 10 steps per ticket that goes the whole way. Steps after the demo's last day have
not happened yet. A few archived complaints are appealed: the appeal is a ticket of its own (id "AP" + the
ticket's number, added to the hotline's ticket export), upheld by its review about 40 % of the time.

Story 9 (pipelines/demo.py), the one a meeting should catch: the cleaning department (保洁部) returns about
half of the work orders it receives ("信息不全", "超出服务范围"), the others ~4 % (customer service also returns
what reached it by mistake): the return rate by department and the time lost in returns point at it.

Everything is vectorised numpy/Polars; seeded by the caller's generator; times are the demo's wall-clock seconds.
"""

from __future__ import annotations

import numpy as np
import polars as pl

STEP_ZH = {"received": "受理", "dispatched": "派单", "returned": "退单", "redispatched": "重派", "transferred": "转派",
           "replied": "回复", "reviewed": "复核", "reminded": "催办", "escalated": "督办", "appealed": "申诉",
           "archived": "归档", "reopened": "重启"}
DEPARTMENTS = ("engineering", "customer_service", "security", "cleaning", "field_service", "quality")
DEPARTMENT_ZH = ("工程部", "客服部", "安保部", "保洁部", "现场服务部", "品管部")
RETURNING = 3                                        # cleaning: story 8
RETURN_P = np.array([0.04, 0.04, 0.04, 0.50, 0.04, 0.04])
MISROUTED_P = 0.04                                   # sent to customer service first by mistake
RETURN_REASONS = ("信息不全", "超出服务范围", "不属本部门")
TRANSFER_REASONS = ("需跨部门处理", "需现场服务", "需安保配合")
REOPEN_REASONS = ("客户不满意", "问题未解决")
LEVEL_ZH = ("催促", "部门负责人", "分管副总")
VERDICT_ZH = ("有效", "无效投诉")
GRADE_ZH = ("重大紧急", "一般", "复杂")
HEADERS = {"ticket_id": "工单编号", "occurred_at": "操作时间", "step": "环节", "actor": "操作人",
           "from_department": "来源部门", "to_department": "接收部门", "reason": "原因", "deadline_at": "处理时限",
           "verdict": "复核结论", "escalation_level": "督办级别", "appeal_ticket_id": "申诉工单编号",
           "appeal_grade": "申诉级别"}
TS = "%Y/%m/%d %H:%M"
MIN_GAP = 120.0                                      # seconds between steps: distinct minutes in the export
DEADLINE = 24 * 3600.0
ACTORS = ("值班长", "派单员", "部门联络员", "质检员")


def _f(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _ln(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def _after(prev: np.ndarray, t: np.ndarray) -> np.ndarray:
    """t, but at least MIN_GAP after prev (NaN prev: t; NaN t: the step does not happen)."""
    return np.where(np.isnan(t), np.nan, np.where(np.isnan(prev), t, np.maximum(t, prev + MIN_GAP)))


def _pick(values, idx: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[idx]


def riverside_events(rng: np.random.Generator, tickets: pl.DataFrame,
                     as_of: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the flow export in Chinese, the appeal tickets as canonical ticket rows like `tickets`)."""
    n = tickets.height
    tid = tickets["ticket_id"].to_numpy()
    created, dispatched = _f(tickets["created_at"]), _f(tickets["dispatched_at"])
    first_resp, resolved, closed = _f(tickets["first_response_at"]), _f(tickets["resolved_at"]), _f(tickets["closed_at"])
    dept = tickets["department"].replace_strict({d: i for i, d in enumerate(DEPARTMENTS)}, default=0,
                                                return_dtype=pl.Int64).to_numpy()
    cancelled = (tickets["status"] == "cancelled").to_numpy()
    complaint = (tickets["ticket_type"] == "complaint").to_numpy()
    reopen = tickets["reopen_count"].fill_null(0).to_numpy() > 0
    escalated_src = tickets["is_escalated"].fill_null(False).to_numpy()

    events: list[dict] = []   # one dict of equal-length arrays per step kind; rows kept where `at` is set

    def add(at, step, mask, **cols):
        keep = mask & ~np.isnan(at) & (np.round(at) <= as_of)
        idx = np.flatnonzero(keep)
        if idx.size:
            row = {"ticket_id": tid[idx], "at": at[idx], "step": np.full(idx.size, STEP_ZH[step], dtype=object)}
            for k, v in cols.items():
                row[k] = v[idx] if isinstance(v, np.ndarray) else np.full(idx.size, v, dtype=object)
            events.append(row)

    everyone = np.ones(n, dtype=bool)
    add(created, "received", everyone, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)))

    handled = ~np.isnan(dispatched) | ~np.isnan(first_resp) | ~np.isnan(resolved)
    t_disp = _after(created, np.where(np.isnan(dispatched), created + _ln(rng, 600, 0.6, n), dispatched))
    t_disp = np.where(handled, t_disp, np.nan)
    misrouted = rng.random(n) < MISROUTED_P
    misrouted &= dept != 1
    first_dept = np.where(misrouted, 1, dept)
    first_zh = _pick(DEPARTMENT_ZH, first_dept)
    add(t_disp, "dispatched", everyone, actor=_pick(ACTORS, np.ones(n, dtype=np.int64)), to_department=first_zh,
        deadline_at=t_disp + DEADLINE)

    # returns (退单): what was misrouted comes back; cleaning returns much of what it gets (story 8)
    returned = handled & ~cancelled & ((misrouted & (rng.random(n) < 0.9)) | (rng.random(n) < RETURN_P[first_dept]))
    t_ret = _after(t_disp, t_disp + _ln(rng, 2400, 0.8, n))
    reason = np.where(misrouted, 2, rng.integers(0, 2, n))
    add(t_ret, "returned", returned, actor=_pick(ACTORS, np.full(n, 2)), from_department=first_zh,
        reason=_pick(RETURN_REASONS, reason))
    # dispatched again: to the right department, or (what cleaning returned as out of its scope) to engineering
    second = np.where(~misrouted & (first_dept == RETURNING), 0, dept)
    t_disp2 = _after(t_ret, t_ret + _ln(rng, 900, 0.6, n))
    add(t_disp2, "dispatched", returned, actor=_pick(ACTORS, np.ones(n, dtype=np.int64)),
        to_department=_pick(DEPARTMENT_ZH, second), deadline_at=t_disp2 + DEADLINE)
    t_work = np.where(returned, t_disp2, t_disp)
    holder = np.where(returned, second, first_dept)

    # transfers (转派) with a new deadline
    transferred = handled & ~cancelled & (rng.random(n) < 0.10)
    to_dept = np.where(holder == 4, 0, 4)               # to field service (需现场服务), or from it to engineering
    t_tr = _after(t_work, t_work + _ln(rng, 3600, 0.8, n))
    add(t_tr, "transferred", transferred, actor=_pick(ACTORS, np.full(n, 2)),
        from_department=_pick(DEPARTMENT_ZH, holder), to_department=_pick(DEPARTMENT_ZH, to_dept),
        reason=_pick(TRANSFER_REASONS, rng.integers(0, 3, n)), deadline_at=t_tr + DEADLINE)
    t_hand = np.where(transferred, t_tr, t_work)
    holder = np.where(transferred, to_dept, holder)
    holder_zh = _pick(DEPARTMENT_ZH, holder)

    # the first reply (an acknowledgement), reminders and escalations when it is slow
    t_rep1 = _after(t_hand, np.where(np.isnan(first_resp), resolved, first_resp))
    t_rep1 = np.where(handled & ~cancelled, t_rep1, np.nan)
    slow = (np.nan_to_num(resolved, nan=as_of) - created) > 2 * 86400
    reminded = handled & ~cancelled & ((rng.random(n) < 0.3) | slow | escalated_src)
    t_rem = _after(t_hand, t_hand + _ln(rng, 5400, 0.7, n))
    add(t_rem, "reminded", reminded, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)), to_department=holder_zh,
        escalation_level=_pick(LEVEL_ZH, np.zeros(n, dtype=np.int64)))
    head = reminded & (slow | escalated_src) & (rng.random(n) < 0.6)
    t_head = _after(t_rem, t_rem + _ln(rng, 7200, 0.7, n))
    add(t_head, "escalated", head, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)),
        escalation_level=_pick(LEVEL_ZH, np.ones(n, dtype=np.int64)))
    vp = head & (rng.random(n) < 0.3)
    t_vp = _after(t_head, t_head + _ln(rng, 14400, 0.7, n))
    add(t_vp, "escalated", vp, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)),
        escalation_level=_pick(LEVEL_ZH, np.full(n, 2)))
    t_rep1 = _after(np.fmax(t_hand, np.where(reminded, t_rem, np.nan)), t_rep1)
    add(t_rep1, "replied", everyone, actor=_pick(ACTORS, np.full(n, 2)), from_department=holder_zh)

    # a progress reply (多次回复) on about half of the longer ones
    progress = ~np.isnan(resolved) & (rng.random(n) < 0.8) & ((resolved - t_rep1) > 1800)
    t_prog = _after(t_rep1, t_rep1 + (resolved - t_rep1) / 2)
    add(t_prog, "replied", progress, actor=_pick(ACTORS, np.full(n, 2)), from_department=holder_zh)
    last = np.where(progress, t_prog, t_rep1)

    # reopened and re-dispatched (重启, 重派) when the customer was unhappy
    t_reo = _after(last, last + _ln(rng, 7200, 0.8, n))
    add(t_reo, "reopened", reopen & ~cancelled, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)),
        reason=_pick(REOPEN_REASONS, rng.integers(0, 2, n)))
    t_redisp = _after(t_reo, t_reo + _ln(rng, 1200, 0.6, n))
    add(t_redisp, "redispatched", reopen & ~cancelled, actor=_pick(ACTORS, np.ones(n, dtype=np.int64)),
        to_department=holder_zh, deadline_at=t_redisp + DEADLINE)
    last = np.where(reopen & ~cancelled & ~np.isnan(t_redisp), t_redisp, last)

    # the final reply when resolved, the review of complaints, the archive when closed
    t_final = _after(last, resolved)
    add(t_final, "replied", ~np.isnan(resolved) & ~cancelled, actor=_pick(ACTORS, np.full(n, 2)),
        from_department=holder_zh)
    last = np.where(np.isnan(t_final), last, t_final)
    reviewed = complaint | cancelled | ~np.isnan(closed)      # every closed work order is reviewed
    t_rev = np.where(cancelled, _after(t_disp, t_disp + _ln(rng, 1800, 0.5, n)),
                     _after(last, last + _ln(rng, 3600, 0.6, n)))
    t_rev = np.where(cancelled | ~np.isnan(resolved), t_rev, np.nan)
    add(t_rev, "reviewed", reviewed, actor=_pick(ACTORS, np.full(n, 3)),
        verdict=_pick(VERDICT_ZH, cancelled.astype(np.int64)))
    last = np.where(reviewed & ~np.isnan(t_rev), np.fmax(np.nan_to_num(last, nan=-np.inf), t_rev), last)
    t_arch = _after(last, np.fmax(closed, last + MIN_GAP))
    add(t_arch, "archived", ~np.isnan(closed), actor=_pick(ACTORS, np.full(n, 3)))

    # appeals (申诉): a few archived complaints; each a ticket of its own
    appealed = complaint & ~np.isnan(t_arch) & (np.round(t_arch) <= as_of) & (rng.random(n) < 0.04)
    t_app = _after(t_arch, t_arch + _ln(rng, 86400, 0.8, n))
    grade = _choice(rng, n, (0.1, 0.6, 0.3))
    ap_id = np.full(n, None, dtype=object)
    ap_id[appealed] = ("AP" + pl.Series(tid[appealed], dtype=pl.Utf8)).to_numpy()
    add(t_app, "appealed", appealed, actor=_pick(ACTORS, np.zeros(n, dtype=np.int64)), appeal_ticket_id=ap_id,
        appeal_grade=_pick(GRADE_ZH, grade))
    frame = _frame(events)

    # the appeal tickets and their own steps: received, reviewed (upheld ~40 %), archived
    idx = np.flatnonzero(appealed & (np.round(t_app) <= as_of))
    ap_at = np.round(t_app[idx])
    decided = ap_at + np.round(_ln(rng, 2 * 86400, 0.6, idx.size))
    upheld = rng.random(idx.size) < 0.4
    done = decided <= as_of
    ap_rows = tickets.select(pl.all().gather(pl.Series(idx, dtype=pl.UInt32))).with_columns(
        ticket_id=pl.Series(ap_id[idx], dtype=pl.Utf8), created_at=pl.Series(ap_at).cast(pl.Int64),
        recorded_at=pl.Series(ap_at).cast(pl.Int64), ticket_type=pl.lit("complaint"),
        dispatched_at=pl.lit(None, pl.Int64), first_response_at=pl.lit(None, pl.Int64),
        on_site_at=pl.lit(None, pl.Int64),
        resolved_at=pl.Series(np.where(done, decided, np.nan), nan_to_null=True).cast(pl.Int64),
        closed_at=pl.Series(np.where(done, decided + 3600, np.nan), nan_to_null=True).cast(pl.Int64),
        status=pl.Series(np.where(done, np.where(decided + 3600 <= as_of, "closed", "resolved"), "in_progress")),
        reopen_count=pl.lit(0, pl.Int32), is_escalated=pl.lit(False),
        is_repeat_complaint=pl.lit(False),
    )
    ap_events: list[dict] = []
    for at, step, mask, extra in ((ap_at, "received", np.ones(idx.size, bool), {}),
                                  (decided, "reviewed", done, {"verdict": _pick(VERDICT_ZH, (~upheld).astype(int))}),
                                  (decided + 3600, "archived", done & (decided + 3600 <= as_of), {})):
        k = np.flatnonzero(mask)
        if k.size:
            ap_events.append({"ticket_id": ap_id[idx][k], "at": at[k],
                              "step": np.full(k.size, STEP_ZH[step], dtype=object),
                              **{c: v[k] for c, v in extra.items()}})
    if ap_events:
        frame = pl.concat([frame, _frame(ap_events)], how="vertical")
    return frame, ap_rows


def _choice(rng: np.random.Generator, n: int, p) -> np.ndarray:
    cum = np.cumsum(np.asarray(p, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), len(cum) - 1)


def _frame(parts: list[dict]) -> pl.DataFrame:
    """Step rows -> the export's columns in Chinese, sorted by ticket and time, times as text."""
    columns = [c for c in HEADERS if c not in ("occurred_at",)]
    frames = []
    for part in parts:
        size = part["at"].size
        data = {"ticket_id": pl.Series(part["ticket_id"], dtype=pl.Utf8),
                "at": pl.Series(np.round(part["at"])).cast(pl.Int64)}
        for c in columns[1:]:
            if c == "deadline_at" and c in part:
                data[c] = pl.Series(np.round(part[c])).cast(pl.Int64)
            elif c == "deadline_at":
                data[c] = pl.Series([None] * size, dtype=pl.Int64)
            else:
                data[c] = pl.Series(part[c], dtype=pl.Utf8) if c in part else pl.Series([None] * size, dtype=pl.Utf8)
        frames.append(pl.DataFrame(data))
    out = pl.concat(frames, how="vertical").sort("ticket_id", "at", maintain_order=True)
    return out.select(
        pl.col("ticket_id").alias(HEADERS["ticket_id"]),
        pl.from_epoch("at", time_unit="s").dt.strftime(TS).alias(HEADERS["occurred_at"]),
        *(pl.col(c).alias(HEADERS[c]) for c in columns[1:] if c != "deadline_at" and c != "ticket_id"),
        pl.from_epoch("deadline_at", time_unit="s").dt.strftime(TS).alias(HEADERS["deadline_at"]),
    ).select(list(HEADERS.values()))
