"""Source file -> Polars LazyFrame of the file's own columns. No cleaning here; mapping.py does that.

CSV and XLSX are read as text so that mapping parses every value with the profile's declared format and can
name the row and column of a value it cannot parse. Parquet and NDJSON keep their own types.
Each frame gets `__row`: the row's line number in the file as a person would count it (header = line 1).
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from pathlib import Path

import polars as pl

ROW = "__row"
READABLE = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".parquet": "parquet", ".ndjson": "ndjson", ".jsonl": "ndjson"}
SNIFF_BYTES = 4 << 20


class SourceError(ValueError):
    """A file that cannot be read; the message names the file (and row, where known)."""


def file_format(path: Path) -> str:
    fmt = READABLE.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"{path}: unsupported file type {path.suffix!r}; expected one of {sorted(READABLE)}")
    return fmt


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK and GB2312), decided on the file's first MiBs."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character may straddle the cut: decode incrementally and ignore an incomplete tail.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 or GB18030 text (byte {exc.start}); set source.encoding") from exc


def _utf8_copy(path: Path, encoding: str, workdir: Path) -> Path:
    """Polars reads UTF-8 only: re-encode a GB18030 file once, streaming, into the load's work folder."""
    target = workdir / (path.stem + ".utf8.csv")
    try:
        with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 22):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: cannot decode as {encoding} near byte {exc.start}") from exc
    return target


def _newlines(path: Path) -> int:
    """Physical lines of a file: its newline bytes (plus a last line without one), counted in 4 MiB blocks."""
    count, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(SNIFF_BYTES):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _with_line_numbers(frame: pl.LazyFrame, path: Path, skip: int) -> pl.LazyFrame:
    """`__row` = the physical line where each record starts, as an editor shows it (header = line 1 + skip).

    A quoted field may span lines (a multi-line survey comment), and then record number + 2 is wrong for every
    later row. Counting the newlines inside every field costs a pass over all text, so it is done only for a file
    whose physical lines outnumber its records (a cheap count of newline bytes tells)."""
    records = frame.select(pl.len()).collect().item()
    if _newlines(path) <= records + 1 + skip:
        return frame.with_row_index(ROW, offset=2 + skip)
    inside = pl.sum_horizontal([pl.col(c).str.count_matches("\n", literal=True).fill_null(0)
                                for c in frame.collect_schema().names()])
    before = inside.cum_sum() - inside                   # newlines inside the fields of earlier records
    line = (pl.int_range(pl.len(), dtype=pl.Int64) + 2 + skip + before).cast(pl.get_index_type())
    return frame.with_columns(line.alias(ROW)).select(ROW, pl.exclude(ROW))


def read_headers(path: Path) -> list[str]:
    """The file's column names, read without loading or re-encoding the file (for choosing a profile)."""
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    if file_format(path) == "csv":
        encoding = detect_encoding(path)
        with open(path, encoding=encoding, newline="") as handle:
            first = handle.readline()
        return next(csv.reader([first], delimiter="\t" if path.suffix == ".tsv" else ","), [])
    with tempfile.TemporaryDirectory() as tmp:
        return [c for c in scan_source(path, {}, Path(tmp)).collect_schema() if c != ROW]


def scan_source(path: Path, source: dict, workdir: Path | None = None) -> pl.LazyFrame:
    """Scan one file lazily; `source` is the profile's `source:` section."""
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    fmt = source.get("format") or file_format(path)
    skip = int(source.get("skip_rows", 0))
    try:
        if fmt == "csv":
            encoding = source.get("encoding", "auto")
            if encoding == "auto":
                encoding = detect_encoding(path)
            if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
                path = _utf8_copy(path, encoding, workdir or Path(tempfile.mkdtemp()))
            frame = pl.scan_csv(
                path, infer_schema=False, separator=source.get("separator", "\t" if path.suffix == ".tsv" else ","),
                skip_rows=skip, raise_if_empty=True,
            )
            return _with_line_numbers(frame, path, skip)
        if fmt == "xlsx":
            sheet = source.get("sheet", 0)
            sheet_args = {"sheet_name": sheet} if isinstance(sheet, str) else {"sheet_id": int(sheet) + 1}
            frame = pl.read_excel(path, engine="calamine", infer_schema_length=0,
                                  read_options={"header_row": skip}, **sheet_args)
            return frame.lazy().with_row_index(ROW, offset=2 + skip)
        if fmt == "parquet":
            return pl.scan_parquet(path).with_row_index(ROW, offset=1)
        if fmt == "ndjson":
            return pl.scan_ndjson(path, infer_schema_length=10_000).with_row_index(ROW, offset=1)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"{path}: cannot read as {fmt}: {exc}") from exc
    raise SourceError(f"{path}: unknown format {fmt!r}")
