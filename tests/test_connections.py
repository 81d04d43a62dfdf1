"""dashboard/connections.py: one open connection per key, queries side by side, a replaced connection closed only
once its queries have ended (shared by the dashboard's and the scoped accounts' queries)."""

from __future__ import annotations

import threading

import duckdb

from dashboard.connections import Connections


def test_a_replaced_connection_closes_after_its_queries_and_new_queries_use_the_new_one():
    pool = Connections()
    first = pool.open("w", lambda: duckdb.connect(":memory:"))
    holding, release = threading.Event(), threading.Event()
    answers: list[int] = []

    def long_query() -> None:
        with pool.using("w", lambda: first) as con:
            holding.set()
            release.wait(30)
            answers.append(con.cursor().execute("SELECT 42").fetchall()[0][0])

    query = threading.Thread(target=long_query, daemon=True)
    query.start()
    assert holding.wait(30)
    with pool.using("w", lambda: first) as con:          # a second query beside the first
        assert con.cursor().execute("SELECT 1").fetchall() == [(1,)]
    opened: list[duckdb.DuckDBPyConnection] = []
    opener = threading.Thread(target=lambda: opened.append(pool.open("w", lambda: duckdb.connect(":memory:"))),
                              daemon=True)
    opener.start()
    opener.join(0.3)
    assert opener.is_alive() and pool.is_open(first)     # waits for the first query
    release.set()
    query.join(30)
    opener.join(30)
    assert answers == [42] and not pool.is_open(first)
    assert pool.current("w") is opened[0] is not first


def test_a_query_that_got_a_replaced_connection_asks_again():
    """`using` counts a query only on the key's current connection: one handed a connection replaced meanwhile
    asks the cache again, as a page's next query would."""
    pool = Connections()
    stale = pool.open("w", lambda: duckdb.connect(":memory:"))
    fresh = pool.open("w", lambda: duckdb.connect(":memory:"))   # a newer version: `stale` is closed
    handed = iter([stale, fresh])
    with pool.using("w", lambda: next(handed)) as con:
        assert con is fresh and con.execute("SELECT 1").fetchall() == [(1,)]
    assert not pool.is_open(stale)
    pool.close_all()
    assert pool.current("w") is None and not pool.is_open(fresh)
