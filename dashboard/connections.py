"""Read-only connections to one warehouse version each, shared by the dashboard's queries (dashboard/db.py) and by
site-scoped accounts' (dashboard/auth.py).

Queries run side by side on cursors of a connection; the lock covers only the bookkeeping. A connection is closed
(a new version of the file opened under its key, or the cache letting it go) once the queries in flight on it have
ended, never under them. `using` asks for the cached connection without holding the lock: the thread opening a new
version holds the cache's compute lock while it waits for the old version's queries, and those need the lock to
end, so a caller waiting for the compute lock while holding the lock would deadlock the three.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

import duckdb


def close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass


class Connections:
    """The open connection of each key (a warehouse path, or a path and an account's scope), with the queries in
    flight on each."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.settled = threading.Condition(self.lock)     # notified when a query ends
        self._open: dict[Hashable, duckdb.DuckDBPyConnection] = {}
        self._in_flight: dict[int, int] = {}                # id(connection) -> queries running on it

    def open(self, key: Hashable, make: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
        """Close the connection open under `key` (after its queries), then make and record the new one."""
        with self.lock:
            old = self._open.pop(key, None)
            if old is not None:
                self._close_after_queries(old)
            con = make()
            self._open[key] = con
            return con

    def current(self, key: Hashable) -> duckdb.DuckDBPyConnection | None:
        with self.lock:
            return self._open.get(key)

    def release(self, con: duckdb.DuckDBPyConnection) -> None:
        """A connection a cache lets go: closed once its queries have ended."""
        with self.lock:
            self._close_after_queries(con)

    def close_all(self, matches: Callable[[Hashable], bool] = lambda key: True) -> None:
        """Close the connections whose key `matches`, each once its queries have ended."""
        with self.lock:
            for key in [k for k in self._open if matches(k)]:
                self._close_after_queries(self._open.pop(key))

    def is_open(self, con: duckdb.DuckDBPyConnection) -> bool:
        with self.lock:
            try:
                con.execute("SELECT 1").fetchall()
                return True
            except duckdb.Error:
                return False

    @contextmanager
    def using(self, key: Hashable, get: Callable[[], duckdb.DuckDBPyConnection]) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection `get()` returns (the cached one of this version), counted in flight while in use."""
        for _ in range(10):
            con = get()
            with self.lock:
                if self._open.get(key) is con:    # not replaced since by a newer version
                    self._in_flight[id(con)] = self._in_flight.get(id(con), 0) + 1
                    break
        else:
            raise duckdb.ConnectionException(f"{key}: the warehouse changed ten times while a query started")
        try:
            yield con
        finally:
            with self.lock:
                self._in_flight[id(con)] -= 1
                if not self._in_flight[id(con)]:
                    del self._in_flight[id(con)]
                self.settled.notify_all()

    def _close_after_queries(self, con: duckdb.DuckDBPyConnection) -> None:
        while self._in_flight.get(id(con)):
            self.settled.wait()
        close_quietly(con)
