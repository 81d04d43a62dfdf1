"""Erlang C staffing kept per inputs (pipelines/staffing.py needed_cached): a page view that shows the same figures
reuses them, the cached figures equal a fresh computation, and a load that changes the calls computes afresh."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dashboard import queries
from pipelines import staffing
from pipelines.ingest import PUBLISHED, ingest_files
from pipelines.warehouse import connect, direct

HEADER = ("call_id,queue,offered_at,answered_at,abandoned_at,ended_at,agent,wait_seconds,talk_seconds,"
          "wrap_seconds,is_transferred,outcome,ticket_id\n")
DAY = date(2026, 11, 20)


def calls_file(path: Path, prefix: str, n: int, agents: int) -> Path:
    """`n` answered calls of 170 + 10 s in the 09:00 interval of DAY, taken in turn by `agents` agents."""
    rows = [f"{prefix}{i},general,2026-11-20 09:{i % 30:02d}:00,2026-11-20 09:{i % 30:02d}:05,,"
            f"2026-11-20 09:{i % 30:02d}:05,{prefix}ag{i % agents},5,170,10,false,answered," for i in range(n)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def plan(config):
    """The page's staffing (dashboard/queries.py calls_staffing, on the tables a load maintains) and the same
    computed afresh from the views, bypassing the cache."""
    con = connect(config, read_only=True)
    try:
        run, f = direct(con), queries.Filters(DAY, DAY)
        return queries.calls_staffing(run, f), staffing.staffing(run, DAY, DAY, cached=False)
    finally:
        con.close()


def test_cached_staffing_equals_a_fresh_computation_and_a_new_load_recomputes_it(project, tmp_path: Path):
    [first] = ingest_files([calls_file(tmp_path / "a.csv", "A", 20, 2)], project, "calls__canonical")
    assert first.status == PUBLISHED, first.message
    staffing.clear_cache()
    page, fresh = plan(project)
    assert staffing.CACHE_STATS == {"hits": 0, "misses": 1}
    again, _ = plan(project)                                    # the next view of the page: no Erlang C pass
    assert staffing.CACHE_STATS == {"hits": 1, "misses": 1}
    assert page.equals(fresh) and again.equals(fresh)
    assert page.select("calls", "agents_needed").rows() == [(20, 4)]   # 2 Erlangs at 180 s: 4 agents for 80/20

    [second] = ingest_files([calls_file(tmp_path / "b.csv", "B", 40, 4)], project, "calls__canonical")
    assert second.status == PUBLISHED, second.message
    page, fresh = plan(project)
    assert staffing.CACHE_STATS == {"hits": 1, "misses": 2}     # other calls: computed, not the stored figure
    assert page.equals(fresh)
    assert page.select("calls", "agents_needed").rows() == [(60, 9)]   # 6 Erlangs: 9 agents


def test_the_cache_key_covers_every_input():
    staffing.clear_cache()
    calls, aht = np.array([100.0, 0.0, 360.0]), np.array([180.0, 180.0, 240.0])
    base = staffing.needed_cached(calls, aht, 1800, 0.80, 20)
    assert staffing.needed_cached(calls.copy(), aht.copy(), 1800, 0.80, 20) is base          # equal inputs
    others = [staffing.needed_cached(calls, aht, 1800, 0.90, 20), staffing.needed_cached(calls, aht, 1800, 0.80, 10),
              staffing.needed_cached(calls, aht, 900, 0.80, 20), staffing.needed_cached(calls + [1, 0, 0], aht, 1800, 0.80, 20),
              staffing.needed_cached(calls, aht + [0, 0, 1], 1800, 0.80, 20)]
    assert staffing.CACHE_STATS == {"hits": 1, "misses": 6}
    assert base.tolist() == [14, 0, 54] and not base.flags.writeable
    for got, args in zip(others, [(calls, aht, 1800, 0.90, 20), (calls, aht, 1800, 0.80, 10),
                                  (calls, aht, 900, 0.80, 20), (calls + [1, 0, 0], aht, 1800, 0.80, 20),
                                  (calls, aht + [0, 0, 1], 1800, 0.80, 20)], strict=True):
        assert got.tolist() == staffing.agents_needed(*args).tolist()
    for i in range(staffing.CACHE_ENTRIES + 5):                                             # bounded
        staffing.needed_cached(np.array([float(i + 1)]), np.array([180.0]), 1800, 0.80, 20)
    assert len(staffing._CACHE) == staffing.CACHE_ENTRIES


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agents_needed_is_the_fewest_on_random_intervals(seed):
    """Intervals leave the vectorised search once met: each still gets the fewest agents reaching the target."""
    rng = np.random.default_rng(seed)
    calls = rng.poisson(rng.uniform(0, 600, 400)) * (rng.random(400) < 0.9)
    aht = rng.uniform(30, 400, 400) * (rng.random(400) < 0.95)
    needed = staffing.agents_needed(calls, aht, 1800, 0.80, 20)
    traffic = calls * aht / 1800
    busy = needed > 0
    assert (busy == (traffic > 0)).all()
    n, a, h = needed[busy], traffic[busy], aht[busy]
    assert (staffing.service_level(a, n, h, 20) >= 0.80).all()
    fewer = staffing.service_level(a, n - 1, h, 20)
    assert ((n - 1 <= a) | (fewer < 0.80)).all()
