"""Regenerate docs/data-model.md from the warehouse's own COMMENT ON text: `python docs/gen_data_model.py`."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from pipelines.config import load_config
from pipelines.warehouse import connect, publishing

REPO = Path(__file__).resolve().parents[1]


def render() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=Path(tmp) / "w.duckdb")
        with publishing(cfg):
            pass
        con = connect(cfg)
        tables = con.execute("""
            SELECT schema_name, table_name, comment FROM duckdb_tables()
            WHERE schema_name IN ('core', 'meta', 'metrics') ORDER BY schema_name = 'metrics', schema_name, table_name
        """).fetchall()
        lines = ["# Data model", "",
                 "Generated from the warehouse's `COMMENT ON` text by `docs/gen_data_model.py`; the DDL is in",
                 "`pipelines/sql/*.sql`. Schemas: `core` (published facts and dimensions), `meta` (load ledger,",
                 "settings, data-quality results), `metrics` (metric views, docs/metrics.md). Timestamps are",
                 "`TIMESTAMP WITH TIME ZONE`; the metric views convert them to the configured timezone.", ""]
        for schema, table, comment in tables:
            lines += [f"## {schema}.{table}", "", comment or "", "", "| column | type | meaning |", "| --- | --- | --- |"]
            for name, dtype, col_comment in con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]).fetchall():
                lines.append(f"| `{name}` | {dtype} | {(col_comment or '').replace('|', '/')} |")
            lines.append("")
        con.close()
        return "\n".join(lines)


if __name__ == "__main__":
    (REPO / "docs" / "data-model.md").write_text(render(), encoding="utf-8")
