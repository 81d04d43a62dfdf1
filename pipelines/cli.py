"""`sqd`: the command line. Commands parse and report; the modules do the work."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.config import ConfigError, load_config
from pipelines.ingest import ALREADY_LOADED, REFUSED, WITH_QUARANTINE, LoadResult, ingest_files
from pipelines.warehouse import WarehouseBusy, connect

app = typer.Typer(help="Service-quality analytics: load, check and query the warehouse.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_QUARANTINE, EXIT_REFUSED, EXIT_ERROR = 0, 3, 2, 1


def _config(config: Path | None):
    try:
        return load_config(config)
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/] {exc}")
        raise typer.Exit(EXIT_ERROR) from exc


ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (default: ./sqd.toml).")]


def _report(results: list[LoadResult]) -> int:
    table = Table(title="Loads")
    for col in ("file", "dataset", "profile", "status", "read", "new", "updated", "unchanged", "quarantined"):
        table.add_column(col, justify="right" if col in ("read", "new", "updated", "unchanged", "quarantined")
                         else "left", overflow="fold")
    colour = {REFUSED: "red", WITH_QUARANTINE: "yellow", ALREADY_LOADED: "dim"}
    for r in results:
        table.add_row(r.path.name, r.dataset, r.profile, f"[{colour.get(r.status, 'green')}]{r.status}[/]",
                      f"{r.rows_read:,}", f"{r.inserted:,}", f"{r.updated:,}", f"{r.unchanged:,}",
                      f"{r.quarantined:,}")
    console.print(table)
    for r in results:
        if r.status == REFUSED:
            err.print(f"[red]refused:[/] {r.message}")
        elif r.status == WITH_QUARANTINE and r.message:
            err.print(f"[yellow]quarantined:[/] {r.message}")
    if any(r.status == REFUSED for r in results):
        return EXIT_REFUSED
    if any(r.status == WITH_QUARANTINE for r in results):
        return EXIT_QUARANTINE
    return EXIT_OK


def run_ingest(paths: list[Path], config, profile, force: bool) -> int:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("loading", total=len(paths))

        def advance(result: LoadResult) -> None:
            progress.update(task, advance=1, description=f"{result.path.name}: {result.status}")

        def stage(path: Path, step: str) -> None:
            progress.update(task, description=f"{path.name}: {step}")

        try:
            results = ingest_files(paths, config, profile=profile, force=force, on_progress=advance,
                                   on_stage=stage)
        except WarehouseBusy as exc:
            err.print(f"[red]{exc}[/]")
            return EXIT_ERROR
    return _report(results)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV, XLSX, Parquet or NDJSON files, loaded in order.")],
    profile: Annotated[str | None, typer.Option("--profile", "-p",
                                                help="Mapping profile name in data/profiles or a YAML path "
                                                     "(default: chosen by the file's headers).")] = None,
    force: Annotated[bool, typer.Option(help="Re-load files already loaded (same SHA-256).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Load files through mapping, checks and publish. Exit 0 published, 3 with quarantine, 2 refused."""
    raise typer.Exit(run_ingest(paths, _config(config), profile, force))


@app.command()
def demo(
    tickets: Annotated[int, typer.Option(help="Number of tickets to generate.")] = 60_000,
    out: Annotated[Path, typer.Option(help="Folder for the generated files.")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 20261122,
    config: ConfigOpt = None,
) -> None:
    """Generate the demo organisation's files and load them through `sqd ingest`'s code."""
    from pipelines.demo import generate_demo

    cfg = _config(config)
    started = time.perf_counter()
    with console.status(f"generating {tickets:,} demo tickets into {out}"):
        files = generate_demo(out, tickets=tickets, seed=seed)
    console.print(f"generated {len(files)} files in {time.perf_counter() - started:.1f} s")
    # Each file with the profile it was written for, in one publish. The demo holds a few deliberately bad rows
    # to show the quarantine, so "published with quarantine" is success here.
    code = run_ingest([p for p, _ in files], cfg, [name for _, name in files], False)
    raise typer.Exit(EXIT_OK if code == EXIT_QUARANTINE else code)


@app.command()
def status(config: ConfigOpt = None) -> None:
    """What is loaded: row counts, last load per source, freshness."""
    cfg = _config(config)
    try:
        con = connect(cfg)
    except FileNotFoundError as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_ERROR) from exc
    from pipelines.status import warehouse_status

    summary = warehouse_status(con)
    table = Table(title=f"Warehouse {cfg.warehouse_path}")
    for col in summary.columns:
        table.add_column(col, overflow="fold")
    for row in summary.iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SQL statement, run read-only.")],
    limit: Annotated[int, typer.Option(help="Rows to print at most.")] = 50,
    config: ConfigOpt = None,
) -> None:
    """Run a read-only SQL query against the warehouse and print the result."""
    cfg = _config(config)
    try:
        con = connect(cfg)
        rel = con.sql(query)
        frame = rel.pl() if rel is not None else None
    except FileNotFoundError as exc:
        err.print(str(exc))
        raise typer.Exit(EXIT_ERROR) from exc
    except duckdb.Error as exc:
        err.print(f"[red]{type(exc).__name__}:[/] {exc}")
        raise typer.Exit(EXIT_ERROR) from exc
    if frame is None:
        return
    table = Table(caption=f"{frame.height:,} row(s)" + (f", first {limit} shown" if frame.height > limit else ""))
    for col in frame.columns:
        table.add_column(col, overflow="fold")
    for row in frame.head(limit).iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


if __name__ == "__main__":
    app()
