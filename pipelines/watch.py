"""The warm loader: a long-lived process that pays the imports once and loads files as they arrive.

`sqd watch INBOX` polls a folder and loads each complete file dropped into it through the same code as
`sqd ingest` (one file, one load, one publish under the writer lock), then moves it to `INBOX/done/` or
`INBOX/failed/` (with `<name>.reason.txt` saying why) and prints one line. `WarmLoader.load` is the loader
itself, without the folder: what a dashboard upload (admins only, once roles exist: issue 17) is to call.

Which files are picked up (docs/performance.md, "Warm loader"):
* not a dotfile and not ending in `.part`, `.tmp`, `.partial`, `.crdownload` or `.swp` (a writer that renames its
  file in when done is never read half-written; rsync and most browsers do this);
* and only once its size and modification time have stayed the same for `settle` seconds (a file copied straight
  into the folder is still growing while the copy runs);
* in arrival order: the scan that first saw it, then its modification time, then its name.

A file the loader refuses goes to `failed/` and the watcher carries on. When another load holds the writer lock
(WarehouseBusy) the file stays and is tried again on the next poll. SIGTERM or Ctrl+C stops the watcher after the
file being loaded (a load publishes whole or not at all, so a second Ctrl+C stopping it at once is safe too).
"""

from __future__ import annotations

import dataclasses
import shutil
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines import clock
from pipelines.config import Config

DONE, FAILED, BUSY = "done", "failed", "busy"
INCOMPLETE_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".swp")
REASON_SUFFIX = ".reason.txt"
DEFAULT_INTERVAL_S = 0.2
DEFAULT_SETTLE_S = 0.5
WARM_FILE = ("ticket_id,created_at,channel,ticket_type,priority,site,status\n"
             "WARM-1,2024-01-02 09:00:00,phone,repair,normal,warm,open\n"
             "WARM-2,2024-01-02 10:00:00,phone,inquiry,low,warm,open\n")


@dataclass
class Outcome:
    """What became of one file: `state` done (published, with quarantine or already loaded), failed (refused or
    an error: `message` says why) or busy (another load held the writer lock; nothing happened)."""
    source: Path
    state: str
    status: str
    message: str
    seconds: float
    result: object | None = None          # the LoadResult, when the loader got that far
    moved_to: Path | None = None

    def line(self) -> str:
        """The one log line: time, file, where it went, status, counts, seconds, and the reason if it failed."""
        r = self.result
        counts = (f"; {r.dataset}, read {r.rows_read:,}, new {r.inserted:,}, updated {r.updated:,}, "
                  f"quarantined {r.quarantined:,}, load {r.load_id}") if r is not None and self.state == DONE else ""
        why = f": {self.message.splitlines()[0][:300]}" if self.message and self.state != DONE else ""
        return (f"{clock.stamp():%Y-%m-%dT%H:%M:%S} {self.source.name} -> {self.state} ({self.status}{counts}) "
                f"in {self.seconds:.2f} s{why}")


class WarmLoader:
    """Loads one file at a time into `config`'s warehouse, with everything imported and GX's context made once,
    at construction (`warm=True` also runs a two-row load into a throwaway warehouse, so the first real file pays
    no first-call cost either)."""

    def __init__(self, config: Config, profile: str | None = None, *, force: bool = False,
                 replace_rows: bool = False, warm: bool = True) -> None:
        self.config, self.profile, self.force, self.replace_rows = config, profile, force, replace_rows
        from pipelines import ingest, validate  # the loader and, through it, Polars, DuckDB, the gate

        self._ingest = ingest
        validate.gx_context()                   # GX imported and its context made, in this thread
        from pipelines.warehouse import publishing, schema_template, use_template
        self._templates = tempfile.TemporaryDirectory(prefix="sqd-schema-")
        folder = Path(self._templates.name)
        schema_template(folder)                       # the DDL and views, bound once
        # A publish of nothing with this configuration: the tables the publish's own steps make (SLA base, backlog,
        # work orders, rollups) made and commented once. A new warehouse starts from it: the first load into one
        # spent 0.4-1.4 s creating and commenting them (rollups._document alone 0.3-0.9 s).
        empty = dataclasses.replace(config, warehouse_path=folder / "empty" / "warehouse.duckdb")
        self.template_error: str | None = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with publishing(empty):
                    pass
            use_template(empty.warehouse_path)
        except Exception as exc:  # noqa: BLE001 (e.g. a calendar override that does not parse: each load says so)
            self.template_error = f"{type(exc).__name__}: {exc}"   # new warehouses start from the schema's
        if warm:
            self._warm_run()

    def _warm_run(self) -> str:
        """A two-row load into a throwaway warehouse: its status ('published'), or the error it met."""
        with tempfile.TemporaryDirectory(prefix="sqd-warm-") as folder:
            sample = Path(folder) / "warm.csv"
            sample.write_text(WARM_FILE, encoding="utf-8")
            throwaway = dataclasses.replace(self.config, warehouse_path=Path(folder) / "warm.duckdb")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    [result] = self._ingest.ingest_files([sample], throwaway, profile="tickets__canonical")
                except Exception as exc:  # noqa: BLE001 (warming is an optimisation; real loads report errors)
                    return f"{type(exc).__name__}: {exc}"
        return result.status

    def load(self, path: Path) -> Outcome:
        """Load one file; never raises for the file's sake (the outcome says what happened)."""
        from pipelines.warehouse import NoSpaceForCopy, WarehouseBusy

        ingest = self._ingest
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # skipped profiles were reported when the watcher started
                [result] = ingest.ingest_files([path], self.config, profile=self.profile, force=self.force,
                                               replace_rows=self.replace_rows)
        except NoSpaceForCopy as exc:
            return Outcome(path, FAILED, "aborted", str(exc), time.perf_counter() - started)
        except WarehouseBusy as exc:
            return Outcome(path, BUSY, "busy", str(exc), time.perf_counter() - started)
        except ingest.LoadAborted as exc:
            return Outcome(path, FAILED, "aborted", str(exc), time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 (one bad file must not stop the watcher)
            return Outcome(path, FAILED, "error", f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
        state = FAILED if result.status == ingest.REFUSED else DONE
        return Outcome(path, state, result.status, result.message or "", time.perf_counter() - started, result)


def is_candidate(path: Path) -> bool:
    """A file the watcher may load: a regular file, not hidden, not a partial download or an editor's swap."""
    name = path.name
    return (not name.startswith(".") and not name.lower().endswith(INCOMPLETE_SUFFIXES)
            and path.is_file())


def unique_target(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/<stem>-2<suffix>` (then -3, ...) when a file of that name is already there."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while target.exists() or target.with_name(target.name + REASON_SUFFIX).exists():
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    return target


class Watcher:
    """Polls `inbox` every `interval` seconds and hands each complete file to a WarmLoader."""

    def __init__(self, inbox: Path, loader: WarmLoader, *, interval: float = DEFAULT_INTERVAL_S,
                 settle: float = DEFAULT_SETTLE_S, log: Callable[[str], None] = print) -> None:
        self.inbox, self.loader, self.interval, self.settle, self.log = inbox, loader, interval, settle, log
        self.done_dir, self.failed_dir = inbox / DONE, inbox / FAILED
        for folder in (inbox, self.done_dir, self.failed_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.stop = threading.Event()
        self._seen: dict[Path, tuple[tuple[int, int], float, int]] = {}   # signature, since, scan number
        self._scan = 0
        self._busy_logged: set[Path] = set()
        self.outcomes: list[Outcome] = []

    # ------------------------------------------------------------------ which files are ready
    def ready(self) -> list[Path]:
        """The complete files in the inbox, oldest arrival first (see the module's docstring)."""
        self._scan += 1
        now = time.monotonic()
        present: dict[Path, tuple[int, int]] = {}
        for path in self.inbox.iterdir():
            if not is_candidate(path):
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            present[path] = (st.st_size, st.st_mtime_ns)
        for path in list(self._seen):
            if path not in present:
                del self._seen[path]
        ready = []
        for path, signature in present.items():
            seen = self._seen.get(path)
            if seen is None or seen[0] != signature:       # new, or changed since the last look: wait again
                first_scan = seen[2] if seen else self._scan
                self._seen[path] = (signature, now, first_scan)
                seen = self._seen[path]
            if now - seen[1] >= self.settle:
                ready.append(path)
        return sorted(ready, key=lambda p: (self._seen[p][2], present[p][1], p.name))

    # ------------------------------------------------------------------ one file
    def handle(self, path: Path) -> Outcome:
        outcome = self.loader.load(path)
        if outcome.state == BUSY:
            if path not in self._busy_logged:   # one line, not one per poll, while the other load runs
                self._busy_logged.add(path)
                self.log(outcome.line() + "; trying again")
            return outcome
        self._busy_logged.discard(path)
        self._seen.pop(path, None)
        folder = self.done_dir if outcome.state == DONE else self.failed_dir
        target = unique_target(folder, path.name)
        if outcome.state == FAILED:
            target.with_name(target.name + REASON_SUFFIX).write_text(
                f"{path.name}: {outcome.status}\n{outcome.message}\n", encoding="utf-8")
        try:
            shutil.move(path, target)
            outcome.moved_to = target
        except FileNotFoundError:            # taken away while it loaded: nothing left to move
            pass
        self.outcomes.append(outcome)
        self.log(outcome.line())
        return outcome

    # ------------------------------------------------------------------ the loop
    def run_once(self) -> list[Outcome]:
        """Load what is in the inbox now (waiting for files still settling), then return."""
        handled: list[Outcome] = []
        deadline = time.monotonic() + self.settle + self.interval
        while not self.stop.is_set():
            for path in self.ready():
                if self.stop.is_set():
                    break
                handled.append(self.handle(path))
            waiting = [p for p in self._seen if p.exists()]
            if not waiting or time.monotonic() > deadline + self.settle:
                break
            self.stop.wait(self.interval)
        return handled

    def run(self) -> None:
        """Poll until stop is set (SIGTERM, Ctrl+C)."""
        while not self.stop.is_set():
            for path in self.ready():
                if self.stop.is_set():
                    break
                self.handle(path)
            self.stop.wait(self.interval)

    def install_signal_handlers(self) -> Callable[[], None]:
        """SIGTERM and the first Ctrl+C stop after the current file; a second Ctrl+C stops at once. Returns the
        function that puts the previous handlers back."""
        def graceful(signum, _frame) -> None:
            if self.stop.is_set() and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.stop.set()
            self.log(f"{clock.stamp():%Y-%m-%dT%H:%M:%S} stopping ({signal.Signals(signum).name}): after the "
                     "current file")

        previous = {sig: signal.signal(sig, graceful) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
