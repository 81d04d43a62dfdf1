"""`sqd`: the command line. Commands parse and report; the modules do the work."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.cli_common import (EXIT_ERROR, EXIT_OK, EXIT_QUARANTINE, EXIT_REFUSED, ConfigOpt, console, err,
                                   load_or_exit, plain, say)

if TYPE_CHECKING:
    from pipelines.ingest import LoadResult

# Each command imports what it needs when it runs (docs/performance.md, "CLI start"): `sqd --help`, `sqd status` and
# `sqd sql` never import Great Expectations, pandas or the loader; tests/test_cli.py holds that.

app = typer.Typer(help="Service-quality analytics: load, check and query the warehouse.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _report(results: list[LoadResult]) -> int:
    from rich.table import Table

    from pipelines.ingest import ALREADY_LOADED, REFUSED, WITH_QUARANTINE

    table = Table(title="Loads")
    for col in ("file", "dataset", "profile", "status", "read", "new", "updated", "unchanged", "quarantined"):
        table.add_column(col, justify="right" if col in ("read", "new", "updated", "unchanged", "quarantined")
                         else "left", overflow="fold")
    colour = {REFUSED: "red", WITH_QUARANTINE: "yellow", ALREADY_LOADED: "dim"}
    for r in results:
        table.add_row(plain(r.path.name), r.dataset, plain(r.profile),
                      f"[{colour.get(r.status, 'green')}]{r.status}[/]",
                      f"{r.rows_read:,}", f"{r.inserted:,}", f"{r.updated:,}", f"{r.unchanged:,}",
                      f"{r.quarantined:,}")
    console.print(table)
    for r in results:
        if r.status == REFUSED:
            say(err, "refused:", r.message)
        elif r.status == WITH_QUARANTINE and r.message:
            say(err, "quarantined:", r.message, "yellow")
        elif r.message:   # published, with the gate's warnings (freshness, volume) or notes on the load
            say(err, "published with warnings:" if "warnings:" in r.message else "note:", r.message, "magenta")
    if any(r.status == REFUSED for r in results):
        return EXIT_REFUSED
    if any(r.status == WITH_QUARANTINE for r in results):
        return EXIT_QUARANTINE
    return EXIT_OK


def run_ingest(paths: list[Path], config, profile, force: bool, replace_rows: bool = False) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipelines.ingest import LoadAborted, ingest_files
    from pipelines.mapping import ProfileSkipped
    from pipelines.warehouse import WarehouseBusy

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("loading", total=len(paths))

        def advance(result: LoadResult) -> None:
            progress.update(task, advance=1, description=f"{result.path.name}: {result.status}")

        def stage(path: Path, step: str) -> None:
            progress.update(task, description=f"{path.name}: {step}")

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ProfileSkipped)
                results = ingest_files(paths, config, profile=profile, force=force, on_progress=advance,
                                       on_stage=stage, replace_rows=replace_rows)
        except WarehouseBusy as exc:
            say(err, "", exc)
            return EXIT_ERROR
        except LoadAborted as exc:   # one line; nothing was published
            say(err, "cannot load:", exc)
            return EXIT_ERROR
    for warning in caught:
        if issubclass(warning.category, ProfileSkipped):
            say(err, "warning:", warning.message, "magenta")
    return _report(results)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV, XLSX, XLS, Parquet or NDJSON files, loaded in order.")],
    profile: Annotated[str | None, typer.Option("--profile", "-p",
                                                help="Mapping profile name in data/profiles or a YAML path "
                                                     "(default: chosen by the file's headers).")] = None,
    force: Annotated[bool, typer.Option(help="Re-load files already loaded (same SHA-256).")] = False,
    replace_rows: Annotated[bool, typer.Option(
        "--replace-rows", help="Replace existing rows whole: columns the file does not carry become empty "
                               "(default: only the file's columns are updated).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Load files through mapping, checks and publish. Exit 0 published, 3 with quarantine, 2 refused."""
    raise typer.Exit(run_ingest(paths, load_or_exit(config), profile, force, replace_rows))


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Folder to watch; loaded files go to INBOX/done, refused ones to "
                                               "INBOX/failed with <name>.reason.txt.")],
    profile: Annotated[str | None, typer.Option("--profile", "-p",
                                                help="Mapping profile for every file (default: chosen by each "
                                                     "file's headers).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Load what is in the folder now, then exit (exit 2 if a "
                                                      "file failed).")] = False,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between looks at the folder.")] = 0.2,
    settle: Annotated[float, typer.Option(min=0, help="Seconds a file's size and time must stay the same before "
                                                      "it is loaded (a file being copied in is still growing).")]
    = 0.5,
    replace_rows: Annotated[bool, typer.Option(
        "--replace-rows", help="Replace existing rows whole (as `sqd ingest --replace-rows`).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Load each file dropped into INBOX as it arrives, with the imports paid once (docs/performance.md).
    Files named .* or *.part/*.tmp are left alone until renamed. Stop with Ctrl+C or SIGTERM."""
    from pipelines.watch import FAILED, WarmLoader, Watcher

    cfg = load_or_exit(config)
    if inbox.exists() and not inbox.is_dir():
        say(err, f"{inbox}:", "not a folder")
        raise typer.Exit(EXIT_ERROR)
    from pipelines.ingest import LoadAborted, check_can_load
    from pipelines.mapping import ProfileSkipped, profiles_in

    try:
        check_can_load(cfg)
    except LoadAborted as exc:
        say(err, "cannot load:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    with warnings.catch_warnings(record=True) as caught:   # unreadable profiles, named once at the start
        warnings.simplefilter("always", ProfileSkipped)
        profiles_in(cfg.profiles_dir)
    for warning in caught:
        if issubclass(warning.category, ProfileSkipped):
            say(err, "warning:", warning.message, "magenta")
    started = time.perf_counter()
    loader = WarmLoader(cfg, profile, replace_rows=replace_rows)

    def log(line: str) -> None:
        console.print(plain(line, 4000), highlight=False, soft_wrap=True)

    watcher = Watcher(inbox, loader, interval=interval, settle=settle, log=log)
    log(f"watching {inbox} (ready in {time.perf_counter() - started:.1f} s; loads into {cfg.warehouse_path})")
    restore = watcher.install_signal_handlers()
    try:
        if once:
            outcomes = watcher.run_once()
            raise typer.Exit(EXIT_REFUSED if any(o.state == FAILED for o in outcomes) else EXIT_OK)
        watcher.run()
    finally:
        restore()


@app.command()
def demo(
    tickets: Annotated[int, typer.Option(help="Number of tickets to generate.")] = 60_000,
    out: Annotated[Path, typer.Option(help="Folder for the generated files.")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 20261122,
    end_date: Annotated[str | None, typer.Option(
        help="Last day of the data, YYYY-MM-DD (default: yesterday).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Generate the demo organisation's files and load them through `sqd ingest`'s code."""
    from datetime import date

    from pipelines.demo import generate_demo

    try:
        last_day = date.fromisoformat(end_date) if end_date else None
    except ValueError:
        err.print(f"--end-date: {end_date!r} is not a date like 2026-11-22", markup=False)
        raise typer.Exit(EXIT_ERROR) from None

    cfg = load_or_exit(config)
    started = time.perf_counter()
    with console.status(f"generating {tickets:,} demo tickets into {out}"):
        files = generate_demo(out, tickets=tickets, seed=seed, end_date=last_day)
    console.print(f"generated {len(files)} files in {time.perf_counter() - started:.1f} s")
    # Each file with the profile it was written for, in one publish. The demo holds a few deliberately bad rows
    # to show the quarantine, so "published with quarantine" is success here.
    code = run_ingest([p for p, _ in files], cfg, [name for _, name in files], False)
    raise typer.Exit(EXIT_OK if code == EXIT_QUARANTINE else code)


@app.command()
def status(config: ConfigOpt = None) -> None:
    """What is loaded: row counts, last load per source, freshness."""
    import duckdb
    from rich.table import Table

    from pipelines.warehouse import connect

    cfg = load_or_exit(config)
    try:
        con = connect(cfg)
    except FileNotFoundError as exc:
        say(err, "", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    except duckdb.Error as exc:  # a folder or not a DuckDB file
        say(err, "cannot open the warehouse:", str(exc).splitlines()[0])
        raise typer.Exit(EXIT_ERROR) from exc
    from pipelines.status import approximate_calendar_years, status_relation

    # Times as text, to the second in the warehouse's zone (the connection's TimeZone), formatted by DuckDB:
    # fetching a TIMESTAMPTZ into Python costs a pytz zone-list scan, and Polars/pyarrow half a second of imports.
    summary = status_relation(con)
    shown = ", ".join(f"strftime({_quoted(c)}, '%Y-%m-%d %H:%M:%S') AS {_quoted(c)}"
                      if str(t).startswith("TIMESTAMP") else _quoted(c)
                      for c, t in zip(summary.columns, summary.types, strict=True))
    columns = summary.columns
    rows = summary.query("summary", f"SELECT {shown} FROM summary").fetchall()
    approximate = approximate_calendar_years(con)
    con.close()
    table = Table(title=f"Warehouse {cfg.warehouse_path}")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[plain(_cell(v)) for v in row])
    console.print(table)
    console.print(f"times in {cfg.timezone}", style="dim")
    if approximate:
        years = ", ".join(map(str, approximate))
        console.print(f"working days in {years} are approximate: no official schedule (holidays and adjusted "
                      f"workdays) is known for them, so public holidays with weekends off are used; add the State "
                      f"Council's schedule to {cfg.calendar_overrides} (date,is_workday,holiday_name) and run "
                      f"`sqd check`", style="yellow", markup=False, highlight=False)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(value: object) -> str:
    """A status cell: counts with separators, nothing for a missing value (times come formatted)."""
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else str(value)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, "
                                              "EXPLAIN), run read-only in the sandbox.")],
    limit: Annotated[int, typer.Option(help="Rows to print at most.")] = 50,
    timeout: Annotated[float, typer.Option(min=1, help="Time limit in seconds (at least 1); the query is stopped "
                                                       "after it.")] = 30.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Row cap of the result (the rest is cut, with a "
                                                             "notice).")] = 10_000,
    out: Annotated[Path | None, typer.Option(help="Also write the result to this file: .csv (formulas "
                                                  "neutralised), .parquet or .xlsx.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Run one read-only SQL statement against the warehouse and print the result (docs/sql-workspace.md)."""
    import duckdb
    from rich.table import Table

    from pipelines.sandbox import run_query

    cfg = load_or_exit(config)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        say(err, f"--out {out}:", "the file name must end in .csv, .parquet or .xlsx")
        raise typer.Exit(EXIT_ERROR)
    try:
        # fork: this process runs no threads and holds no DuckDB instance yet, and a fork costs milliseconds
        # text rows unless a file is written: no Polars or pyarrow to import (issue 13 target 6)
        result = run_query(cfg, query, timeout_s=timeout, row_cap=max_rows, source="cli", start_method="fork",
                           text=out is None)
    except FileNotFoundError as exc:
        say(err, "", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    except duckdb.Error as exc:  # the warehouse could not be opened
        say(err, f"{type(exc).__name__}:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    if not result.ok:
        label = {"refused": "refused", "timeout": "stopped", "memory": "stopped"}.get(result.status, "error")
        where = f" (line {result.line}, column {result.column})" if result.line and result.column else ""
        say(err, f"{label}{where}:", result.message)
        raise typer.Exit(EXIT_ERROR)
    frame = result.frame
    columns, rows = (result.columns, result.text_rows) if frame is None else (frame.columns, frame.head(limit).rows())
    caption = f"{result.rows:,} row(s) in {result.elapsed_s:.2f} s"
    if result.truncated:
        caption += f"; cut at --max-rows {result.row_cap:,}"
    if result.rows > limit:
        caption += f"; first {limit} shown"
    table = Table(caption=caption)
    for col in columns:
        table.add_column(plain(col, 200))
    for row in rows[:limit]:
        table.add_row(*[plain("" if v is None else v, 500) for v in row])
    console.print(table)
    if out is not None:
        from pipelines.sandbox import export_bytes

        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(export_bytes(frame, out.suffix))
        console.print(f"wrote {out}")


@app.command()
def report(
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W46 (default: the last full week of "
                                                  "data).")] = None,
    month: Annotated[str | None, typer.Option(help="A month instead of a week, e.g. 2026-11 (the monthly "
                                                   "pack).")] = None,
    quarter: Annotated[str | None, typer.Option(help="A quarter instead of a week, e.g. 2026-Q4 (the quarterly "
                                                     "pack).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the pack: en or zh.")] = "en",
    out: Annotated[Path, typer.Option(help="Folder for the HTML and PDF files.")] = Path("reports"),
    pdf: Annotated[bool, typer.Option(help="Also print a PDF with headless Chromium.")] = True,
    config: ConfigOpt = None,
) -> None:
    """Write the quality-review pack of a week (or --month, --quarter) as one self-contained HTML file and a PDF
    (docs/weekly-review.md)."""
    import duckdb

    from pipelines.report import PdfUnavailable, write_html, write_pdf
    from pipelines.warehouse import connect, direct
    from pipelines.weekly import build_pack, parse_period

    cfg = load_or_exit(config)
    if lang not in ("en", "zh"):
        say(err, f"--lang {lang}:", "choose en or zh")
        raise typer.Exit(EXIT_ERROR)
    chosen = [(k, v) for k, v in (("week", week), ("month", month), ("quarter", quarter)) if v is not None]
    if len(chosen) > 1:
        say(err, "", "give one of --week, --month and --quarter")
        raise typer.Exit(EXIT_ERROR)
    kind, label = chosen[0] if chosen else ("week", None)
    try:
        wanted = parse_period(kind, label) if label else None
    except ValueError as exc:
        say(err, f"--{kind}:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    try:
        con = connect(cfg)
    except FileNotFoundError as exc:
        say(err, "", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    except duckdb.Error as exc:  # a folder or not a DuckDB file
        say(err, "cannot open the warehouse:", str(exc).splitlines()[0])
        raise typer.Exit(EXIT_ERROR) from exc
    try:
        with console.status(f"computing the {kind}'s pack"):
            pack = build_pack(direct(con), cfg, wanted, kind)
    except LookupError as exc:
        say(err, "", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    finally:
        con.close()
    html_path = write_html(pack, out, lang)
    console.print(f"wrote {html_path}")
    for change in (*pack.changes, *pack.year_changes):
        console.print(f"  • {change.sentence(lang)}", highlight=False)
    if not pdf:
        return
    try:
        with console.status("printing the PDF with headless Chromium"):
            pdf_path = write_pdf(html_path)
    except PdfUnavailable as exc:
        say(err, "no PDF:", exc, "yellow")
        return
    except RuntimeError as exc:
        say(err, "PDF failed:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    console.print(f"wrote {pdf_path}")


from pipelines.cli_check import check  # noqa: E402
app.command()(check)
from pipelines.cli_user import register as _register_user; _register_user(app)  # noqa: E402, E702


if __name__ == "__main__":
    app()
