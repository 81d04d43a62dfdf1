"""`sqd check`: re-validate the published tables with their expectation suites and print the latest results.

Registered in pipelines/cli.py. Exit 0 when no blocking or row-level expectation fails, 3 when only row-level
ones fail (rows a load would have quarantined), 2 when a blocking one fails; 1 on errors (no warehouse, bad
suite).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.cli_common import (EXIT_ERROR, EXIT_OK, EXIT_QUARANTINE, EXIT_REFUSED, ConfigOpt, console, err,
                                   load_or_exit, say)
from pipelines.datasets import DATASETS

if TYPE_CHECKING:
    from rich.table import Table

# The datasets by name, for the --dataset help (the registry imports no Polars, so `sqd --help` stays fast).
DATASET_NAMES = tuple(DATASETS)

SEVERITY_STYLE = {"blocking": "red", "row-level": "yellow", "warning": "magenta"}


OUTCOME_STYLE = {"passed": "green", "passed_with_warnings": "magenta", "failed_row_level": "yellow",
                 "failed_blocking": "red"}


def _runs_table(frame) -> Table:
    from rich.table import Table

    table = Table(title="Data quality: latest run per dataset")
    for col in ("dataset", "run", "validated", "rows", "outcome", "expectations"):
        table.add_column(col, justify="right" if col == "rows" else "left", overflow="fold")
    for (dataset,), group in frame.group_by("dataset", maintain_order=True):
        first = group.row(0, named=True)
        failed = group.filter(~group["success"]).height
        checks = f"all {group.height} passed" if not failed else f"{failed} of {group.height} failed"
        outcome = first["run_outcome"]
        rows = "" if first["rows_checked"] is None else f"{first['rows_checked']:,}"
        table.add_row(dataset, f"{first['kind']} {first['started_at']:%Y-%m-%d %H:%M}",
                      first["source_file"].rsplit("/", 1)[-1], rows,
                      f"[{OUTCOME_STYLE.get(outcome, 'red')}]{outcome}[/]", checks)
    return table


def _results_table(frame, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for col in ("dataset", "expectation", "severity", "result", "observed", "unexpected", "examples"):
        table.add_column(col, justify="right" if col == "unexpected" else "left", overflow="fold")
    for row in frame.iter_rows(named=True):
        ok = row["success"]
        result = "[green]pass[/]" if ok else f"[{SEVERITY_STYLE.get(row['severity'], 'red')}]FAIL[/]"
        examples = ""
        if row["sample_rows"] and not ok:
            samples = json.loads(row["sample_rows"])[:3]
            examples = "; ".join((f"row {s['row']}: " if "row" in s else "")
                                 + ", ".join(f"{k}={v}" for k, v in s["values"].items()) for s in samples)
        unexpected = "" if row["unexpected_count"] is None else f"{row['unexpected_count']:,}"
        observed = row["exception"] or row["observed_value"] or ""
        table.add_row(row["dataset"], row["expectation"], row["severity"], result, observed, unexpected,
                      examples)
    return table


def _quarantine_table(frame, total: int) -> Table:
    """The first rows of the open quarantine (`frame`, already limited in SQL) out of `total` entries."""
    from rich.table import Table

    shown = f", newest {frame.height:,} shown" if total > frame.height else ""
    table = Table(title="Quarantined rows (open)", caption=f"{total:,} open entr(y/ies){shown}")
    for col in ("dataset", "key", "expectation", "offending values", "file", "row", "load"):
        table.add_column(col, overflow="fold")
    for row in frame.iter_rows(named=True):
        table.add_row(row["dataset"], row["record_key"] or "", row["expectation"],
                      row["offending_values"] or "", row["source_file"].rsplit("/", 1)[-1],
                      str(row["source_row"]), row["load_id"])
    return table


def check(
    dataset: Annotated[list[str] | None, typer.Option(
        "--dataset", "-d", help=f"Only these datasets ({', '.join(DATASET_NAMES)}); default all.")] = None,
    run: Annotated[bool, typer.Option(help="Re-validate the warehouse now and store the run (--no-run: only "
                                           "print the latest stored results, read-only).")] = True,
    quarantine: Annotated[bool, typer.Option("--quarantine", "-q",
                                             help="Also list the open quarantined rows.")] = False,
    show_all: Annotated[bool, typer.Option("--all", "-a", help="Show every expectation, not only failures.")]
    = False,
    limit: Annotated[int, typer.Option(help="Quarantined rows to print at most.")] = 50,
    config: ConfigOpt = None,
) -> None:
    """Re-validate the published tables with expectations/<dataset>.json and print the latest results.
    Exit 0 passed (warnings allowed), 3 row-level failures, 2 blocking failures."""
    from pipelines.ingest import LoadAborted, check_can_load
    from pipelines.quality import (BLOCKING, ROW_LEVEL, check_warehouse, latest_results, open_quarantine_counts,
                                   quarantined_rows)
    from pipelines.validate import SuiteError
    from pipelines.warehouse import WarehouseBusy, connect, publishing

    cfg = load_or_exit(config)
    unknown = sorted(set(dataset or []) - set(DATASETS))
    if unknown:
        say(err, "unknown dataset(s)", f"{unknown}; choose from {list(DATASETS)}")
        raise typer.Exit(EXIT_ERROR)
    if not cfg.warehouse_path.exists():
        err.print(f"{cfg.warehouse_path}: no warehouse yet; run `sqd demo` or `sqd ingest FILE`")
        raise typer.Exit(EXIT_ERROR)
    if run:
        try:
            check_can_load(cfg)   # a publish too: calendar overrides, warehouse file and folder checked first
            with console.status("checking the warehouse"), publishing(cfg) as con:
                check_warehouse(con, cfg, dataset or None)
        except (SuiteError, WarehouseBusy, LoadAborted) as exc:
            say(err, "", exc)
            raise typer.Exit(EXIT_ERROR) from exc
    con = connect(cfg)
    try:
        results = latest_results(con)
        if dataset:
            results = results.filter(results["dataset"].is_in(dataset))
        counts = open_quarantine_counts(con)
        shown_rows = quarantined_rows(con, limit=limit) if quarantine else None
    finally:
        con.close()
    if results.is_empty():
        console.print("no data-quality results yet: load a file or run `sqd check`")
        raise typer.Exit(EXIT_OK)
    console.print(_runs_table(results))
    shown = results if show_all else results.filter(~results["success"])
    if shown.height:
        console.print(_results_table(shown, "Expectations" if show_all else "Failed expectations"))
    if counts:
        console.print("open quarantine: " + ", ".join(f"{d} {n:,}" for d, n in counts)
                      + ("" if quarantine else " (list them with --quarantine)"))
    if shown_rows is not None and shown_rows.height:
        console.print(_quarantine_table(shown_rows, sum(n for _, n in counts)))
    outcomes = set(results["run_outcome"].to_list())
    raise typer.Exit(EXIT_REFUSED if BLOCKING in outcomes else EXIT_QUARANTINE if ROW_LEVEL in outcomes
                     else EXIT_OK)
