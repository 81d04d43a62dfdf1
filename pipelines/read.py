"""Source file -> Polars LazyFrame of the file's own columns. No cleaning here; mapping.py does that.

CSV and XLSX are read as text so that mapping parses every value with the profile's declared format and can
name the row and column of a value it cannot parse. Parquet and NDJSON keep their own types.
Each frame gets `__row`: the row's line number in the file as a person would count it (header = line 1).

A file that would be read wrongly is refused here, naming the file and line (README, "Loading your own export"):
text in two encodings, a row with more or fewer fields than the header, a NUL byte in a CSV value, a header name
twice, an XLSX formula without a saved result, malformed NDJSON, a folder. Measured on a 266 MiB, 1.6M-line CSV
(2 busy cores): the line check (_check_lines, which also has Polars validate UTF-8) is one streaming pass of
0.36 s median, 0.54 s with every field quoted, where the newline count it replaced took 0.12 s; re-encoding the
same data as GB18030 with the search for UTF-8 lines takes 2.4 s, 2.0 s without it.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import numpy as np
import polars as pl

ROW = "__row"
READABLE = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx",
            ".parquet": "parquet", ".ndjson": "ndjson", ".jsonl": "ndjson"}
SNIFF_BYTES = 4 << 20
QUOTED_SAMPLE = 200     # lines with quotes and too many separators whose fields are counted by a CSV parser
UTF8 = ("utf-8", "utf8", "utf-8-sig")
# A whole line of ASCII and UTF-8 encoded CJK text (U+2000-U+9FFF, full-width forms), with at least one such
# character: in a GB18030 file that is a line written as UTF-8 (潘玉 would be stored as 娼樼帀). GB2312 text (the
# common characters) does not form these sequences by chance: no random 1-4 character value did, in 200,000 tries
# each. Rare GBK characters can: 4 in 1,000 random two-character values drawn from all 21,791, which matters only
# when such a value is the line's only Chinese text. Two-byte UTF-8 (Latin, ·) is left out because GBK text forms
# it often (路 is C2 B7).
_CJK_UTF8 = rb"(?:[\xe2-\xe9][\x80-\xbf]|\xef[\xbc-\xbf])[\x80-\xbf]"
_ASCII = rb"[\x00-\x09\x0b-\x7f]"
_UTF8_LINE = re.compile(rb"\n" + _ASCII + rb"*+" + _CJK_UTF8 + rb"(?:" + _ASCII + rb"|" + _CJK_UTF8 + rb")*+(?=\n)")
_DUPLICATED = re.compile(r"^(.*)_duplicated_\d+$")


class SourceError(ValueError):
    """A file that cannot be read; the message names the file (and row, where known)."""


def file_format(path: Path) -> str:
    fmt = READABLE.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"{path}: unsupported file type {path.suffix!r}; expected one of {sorted(READABLE)}")
    return fmt


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a file; name the files in it (e.g. {path / '*.csv'})")
    if not path.exists():
        raise SourceError(f"{path}: file not found")


def _utf8_name(encoding: str) -> bool:
    return encoding.replace("_", "-").lower() in UTF8


def _marked(head: bytes) -> str | None:
    """The encoding a byte-order mark names: UTF-8 (Excel's "CSV UTF-8"), UTF-16 (its "Unicode text")."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decodes(head: bytes, encoding: str) -> bool:
    """Whether a file's first bytes are text in `encoding`; a character the cut splits does not count against it."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK and GB2312), decided on the file's first MiBs.
    The rest of the file is checked as it is read (_check_lines for UTF-8, _utf8_copy for GB18030)."""
    _check_path(path)
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if marked := _marked(head):
        return marked
    if _decodes(head, "utf-8"):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"{path}: not UTF-8 or GB18030 text (line {line}, byte {exc.start}); "
                          "set source.encoding") from exc


def evident_encoding(path: Path, declared: str) -> str:
    """The encoding a CSV file shows it is in, where that contradicts its profile's `declared` one beyond doubt;
    else `declared`. A GB18030 export opened in Excel and saved again comes back as UTF-8 with a byte-order mark
    ("CSV UTF-8") or as GBK ("CSV"), and a file must not be refused, or misread, for that:
    - a byte-order mark is UTF-8 (or UTF-16, Excel's "Unicode text");
    - a declared non-UTF-8 encoding, and a head that is valid UTF-8 holding Chinese text written as UTF-8
      (GB18030 Chinese text is never valid UTF-8: _CJK_UTF8): UTF-8;
    - a declared UTF-8, and a head that is not UTF-8 but is GB18030: GB18030.
    The rest of the file is still checked against what was chosen (_check_lines, _utf8_copy)."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if marked := _marked(head):
        return marked
    utf8 = _decodes(head, "utf-8")
    if not _utf8_name(declared):
        return "utf-8" if utf8 and re.search(_CJK_UTF8, head) else declared
    return "gb18030" if not utf8 and _decodes(head, "gb18030") else declared


def _two_encodings(path: Path, line: int, found: str, expected: str, declared: bool) -> SourceError:
    how = "as its profile declares" if declared else "detected on its first 4 MiB"
    return SourceError(f"{path}: line {line} is {found} but the file is {expected.upper()} ({how}): a file must "
                       "use one encoding throughout; save it again in one encoding")


def _utf8_copy(path: Path, encoding: str, workdir: Path, declared: bool = False) -> Path:
    """Polars reads UTF-8 only: re-encode a GB18030 file once, streaming, into the load's work folder.

    Each block of whole lines is also searched for a line written in UTF-8 (_UTF8_LINE): GB18030 decodes such a
    line without error, into the wrong characters, so a file mixing the two is refused naming that line."""
    target = workdir / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, carry = 0, b""          # lines before `carry`; carry = a last line not yet complete
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while True:
            block = src.read(SNIFF_BYTES)
            data = carry + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            whole, carry = data[:cut], data[cut:]
            found = _UTF8_LINE.search(b"\n" + whole + (b"" if whole.endswith(b"\n") else b"\n"))
            if found:
                raise _two_encodings(path, lines + whole.count(b"\n", 0, found.start()) + 1, "UTF-8", encoding,
                                     declared)
            try:
                dst.write(decoder.decode(whole, final=not block))
            except UnicodeDecodeError as exc:
                line = lines + whole.count(b"\n", 0, max(exc.start, 0)) + 1
                raise SourceError(f"{path}: line {line} is not {encoding} text (byte 0x{whole[exc.start]:02x}); "
                                  "a file must use one encoding throughout (or set source.encoding)") from exc
            lines += whole.count(b"\n")
            if not block:
                return target


def _utf16_copy(path: Path, workdir: Path) -> Path:
    """A UTF-16 file (with its byte-order mark) as UTF-8, streaming, in the load's work folder. No search for lines
    in another encoding: a UTF-16 file has none by construction (its bytes are not ASCII-compatible)."""
    target = workdir / (path.stem + ".utf8.csv")
    with open(path, encoding="utf-16", newline="") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        try:
            while block := src.read(SNIFF_BYTES):
                dst.write(block)
        except UnicodeDecodeError as exc:
            raise SourceError(f"{path}: is not UTF-16 throughout (it starts with a UTF-16 byte-order mark); "
                              "save it again in one encoding") from exc
    return target


def _first_bad_utf8_line(path: Path) -> tuple[int, int]:
    """Line and byte of the first invalid UTF-8 in `path`, read in blocks (only after Polars found one)."""
    decoder, lines, offset = codecs.getincrementaldecoder("utf-8")(), 0, 0
    with open(path, "rb") as handle:
        while True:
            block = handle.read(SNIFF_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                at = max(exc.start - pending, 0)
                return lines + block.count(b"\n", 0, at) + 1, offset + at
            if not block:
                return lines + 1, offset
            lines, offset = lines + block.count(b"\n"), offset + len(block)


def _check_lines(path: Path, original: Path, separator: str, skip: int, headers: list[str],
                 declared: bool = False) -> tuple[int, bool]:
    """One pass over the text's physical lines (Polars, streaming): refuse a row with more or fewer fields than
    the header, a NUL byte, or invalid UTF-8, naming the line; return the number of physical lines, and whether
    a line holds an odd number of quotes (only then can a quoted value span lines).

    Fields are counted as separators + 1, which is exact for a line without quotes; a line with too few
    separators has too few fields whatever its quotes. A quoted value may hold the separator: the first
    QUOTED_SAMPLE lines with quotes and too many separators are parsed with the csv module (the rest are left to
    Polars, which refuses more fields than the header without naming the line). A short row whose quoted values
    hold exactly as many separators as it lacks fields is not seen. Lines inside a multi-line quoted value (the
    quote count before them is odd) are not counted. Blank lines are left as they are read."""
    line, fields = pl.col("line"), len(headers)
    quotes, count = pl.col("quotes"), pl.col("count")
    # A line is a whole record when it starts outside quotes (an even number of odd-quote lines before it) and
    # holds an even number of quotes. The parity before a line would be a running sum over the whole file; the
    # pass collects the few odd-quote lines and the candidates instead, and numpy keeps the candidates that start
    # outside quotes.
    body = (pl.col("i") > skip + 1) & (quotes % 2 == 0) & pl.col("filled")
    ragged = body & (((quotes == 0) & (count != fields)) | (count < fields))
    quoted = body & (quotes > 0) & (count > fields)
    try:
        # Each line's counts once, into narrow columns without the text, then the aggregates: an aggregate that
        # keeps the text column (or several aggregates beside it) made the streaming engine hold every line
        # (3M lines: 1.3 GiB; without it 0.3 GiB). The few texts a message needs come from a second pass.
        found = (pl.scan_lines(path).with_row_index("i", offset=1)
                 .select("i", quotes=line.str.count_matches('"', literal=True),
                         count=line.str.count_matches(separator, literal=True) + 1,
                         nul=line.str.contains("\x00", literal=True), filled=line != "")
                 .select(pl.len().alias("lines"),
                         pl.col("i").filter(quotes % 2 == 1).implode().alias("odd"),
                         pl.col("i").filter(ragged).implode().alias("ragged"),
                         count.filter(ragged).implode().alias("fields"),
                         pl.col("i").filter(pl.col("nul")).first().alias("nul_line"),
                         pl.col("i").filter(quoted).head(QUOTED_SAMPLE).implode().alias("quoted"))
                 .collect(engine="streaming"))
        total, odd, ragged_lines, ragged_counts, nul_line, quoted_lines = found.row(0)
        wanted = [*quoted_lines, *([nul_line] if nul_line is not None else [])]
        texts = {} if not wanted else dict(
            pl.scan_lines(path).with_row_index("i", offset=1).filter(pl.col("i").is_in(wanted))
            .collect(engine="streaming").select("i", "line").iter_rows())
        quoted_text = [texts[n] for n in quoted_lines]
        nul_text = texts.get(nul_line)
    except pl.exceptions.ComputeError as exc:
        if "utf8" not in str(exc).replace("-", ""):
            raise
        at, byte = _first_bad_utf8_line(path)
        raise _two_encodings(original, at, f"not UTF-8 (byte {byte})", "UTF-8", declared) from exc
    odd = np.asarray(odd, dtype=np.int64)

    def outside(lines: list[int]) -> np.ndarray:
        """Which of these lines start outside a quoted value (an even number of odd-quote lines before them)."""
        return np.searchsorted(odd, np.asarray(lines, dtype=np.int64), side="left") % 2 == 0

    keep = outside(ragged_lines)
    bad = int(np.asarray(ragged_lines)[keep][0]) if keep.any() else None
    bad_count = int(np.asarray(ragged_counts)[keep][0]) if keep.any() else None
    inside_quoted = ~outside(quoted_lines)
    quoted_text = [text for text, inside in zip(quoted_text, inside_quoted, strict=True) if not inside]
    quoted_lines = [number for number, inside in zip(quoted_lines, inside_quoted, strict=True) if not inside]
    for number, text in zip(quoted_lines, quoted_text, strict=True):     # at most QUOTED_SAMPLE lines
        parsed = len(next(csv.reader([text], delimiter=separator)))
        if parsed != fields and (bad is None or number < bad):
            bad, bad_count = number, parsed
            break
    if bad is not None:
        what = "more" if bad_count > fields else "fewer"
        raise SourceError(f"{original}: line {bad} has {bad_count} fields, {what} than the header's {fields} "
                          f"(line {skip + 1}); a value with an unquoted {separator!r}, or a field missing or extra?")
    if nul_line is not None:
        column = nul_text[:nul_text.index("\x00")].count(separator)
        name = headers[column] if column < len(headers) else f"field {column + 1}"
        raise SourceError(f"{original}: line {nul_line}, column {name!r}: the value holds a NUL byte (\\x00); "
                          "the file may be damaged, or a binary file")
    return total, bool(odd.size)


def _refuse_duplicates(path: Path, names: list[str], line: int) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(names, 1):
        if name in seen:
            raise SourceError(f"{path}: line {line}: the header names column {name!r} twice (columns "
                              f"{seen[name]} and {position}); rename one, the loader would read only the first")
        if name:
            seen[name] = position


TITLE_ROWS_MAX = 10     # rows above the header a file may hold (a report's title, an "exported at" line)
_UNNAMED = re.compile(r"^(?:__UNNAMED__\d+|_duplicated_\d+)$")   # an empty header cell (calamine; Polars' 2nd, 3rd)


def title_rows(rows: list[list]) -> int:
    """How many leading `rows` are a title above the header: rows with at most one filled cell, before the first
    row with two or more (the header). A report exported from a hotline or ERP system, or saved from Excel, often
    starts with its title (滨江热线工单明细, 导出时间: ...) above the column names. 0 when no row within
    TITLE_ROWS_MAX has two filled cells (a one-column file)."""
    for position, row in enumerate(rows[:TITLE_ROWS_MAX + 1]):
        if sum(1 for v in row if v is not None and str(v).strip()) >= 2:
            return position
    return 0


SEPARATORS = (",", "\t", ";", "|")


def sniff_separator(top: list[str], suffix: str) -> str:
    """A CSV file's separator, where its profile names none: of SEPARATORS, the one found most often (outside
    quotes) on the first line that holds any of them: a title saved by Excel (报表,,,,) or the header, never a
    data line, whose text may hold more semicolons than the header has columns. Ties go to the earlier. A ".csv"
    some systems (and Excel's "Unicode text") write with tabs, or a European Excel with semicolons, was read as
    one column."""
    default = "\t" if suffix == ".tsv" else ","
    for line in top:
        bare = re.sub(r'"[^"]*"', "", line)
        counts = {sep: bare.count(sep) for sep in SEPARATORS}
        if any(counts.values()):
            return max(SEPARATORS, key=lambda sep: (counts[sep], sep == default))
    return default


def _top_lines(path: Path, encoding: str) -> list[str]:
    """The first lines of a text file, each cut at 64 KiB (a file may be one long line)."""
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        return [handle.readline(1 << 16) for _ in range(TITLE_ROWS_MAX + 1)]


def _csv_top(lines: list[str], separator: str) -> list[list[str]]:
    """The records of a file's first lines (a quoted value spanning lines stays one; one never closed ends with
    them: the reader of the whole file says where it began)."""
    try:
        return list(itertools.islice(csv.reader(lines, delimiter=separator), TITLE_ROWS_MAX + 1))
    except csv.Error:
        return []


def csv_layout(path: Path, encoding: str, source: dict, suffix: str) -> tuple[str, int, list[str]]:
    """A CSV file's separator, the rows above its header and the header's names, from its first lines read once;
    the profile's `source.separator` and `source.skip_rows` win over what the lines suggest. `suffix`: the
    original file's (a re-encoded copy's name ends in .csv)."""
    lines = _top_lines(path, encoding)
    separator = source.get("separator") or sniff_separator(lines, suffix.lower())
    top = _csv_top(lines, separator)
    skip = int(source["skip_rows"]) if "skip_rows" in source else title_rows(top)
    return separator, skip, top[skip] if skip < len(top) else []


def _tidy_headers(frame: pl.LazyFrame, path: Path, line: int) -> pl.LazyFrame:
    """Header names without the spaces around them (工单编号␣, a full-width space), and without the columns whose
    header cell is empty (Excel saves a sheet's empty trailing columns as ",,"): a column is matched by its name,
    and nothing can be matched to no name. Two columns of one name (after trimming) are refused."""
    names = frame.collect_schema().names()
    kept = {n: n.strip() for n in names if n.strip() and not _UNNAMED.match(n)}
    present = set(names)      # Polars names a header's second use <name>_duplicated_0
    _refuse_duplicates(path, [m.group(1).strip() if (m := _DUPLICATED.match(n)) and m.group(1) in present
                              else kept.get(n, "") for n in names], line)
    if len(kept) == len(names) and all(k == v for k, v in kept.items()):
        return frame
    return frame.select([pl.col(n).alias(v) for n, v in kept.items()])


def _with_line_numbers(frame: pl.LazyFrame, lines: int, skip: int, multiline: bool = True) -> pl.LazyFrame:
    """`__row` = the physical line where each record starts, as an editor shows it (header = line 1 + skip).

    A quoted field may span lines (a multi-line survey comment), and then record number + 2 is wrong for every
    later row. Counting the newlines inside every field costs a pass over all text, so it is done only for a file
    whose physical lines (`lines`, counted by _check_lines) outnumber its records. `multiline` False (no line
    holds an odd number of quotes, so no value spans lines): record number + 2 is right and the records are not
    counted; counting them (Polars' row count of the CSV) mapped the whole file, 1.56 GiB of RSS at 10M tickets."""
    if not multiline:
        return frame.with_row_index(ROW, offset=2 + skip)
    records = frame.select(pl.len()).collect().item()
    if lines <= records + 1 + skip:
        return frame.with_row_index(ROW, offset=2 + skip)
    inside = pl.sum_horizontal([pl.col(c).str.count_matches("\n", literal=True).fill_null(0)
                                for c in frame.collect_schema().names()])
    before = inside.cum_sum() - inside                   # newlines inside the fields of earlier records
    line = (pl.int_range(pl.len(), dtype=pl.Int64) + 2 + skip + before).cast(pl.get_index_type())
    return frame.with_columns(line.alias(ROW)).select(ROW, pl.exclude(ROW))


def _sheet_part(archive: zipfile.ZipFile, sheet: str | int) -> tuple[str, str]:
    """The zip member holding a sheet's XML, and the sheet's name."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.findall("m:sheets/m:sheet", ns)
    chosen = next((s for s in sheets if s.get("name") == sheet), None) if isinstance(sheet, str) else (
        sheets[int(sheet)] if int(sheet) < len(sheets) else None)
    if chosen is None:
        return "", ""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target", "") for r in rels if r.get("Id") == chosen.get(rel)), "")
    part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return part, chosen.get("name", "")


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(<v>[^<]*</v>)?')


def _xlsx_formulas(path: Path, sheet: str | int) -> None:
    """Refuse a sheet with a formula cell whose result was not saved: calamine reads it as empty or 0.

    Excel and LibreOffice save each formula's last result (<v>) beside it (<f>); files written by libraries often
    do not (no <v>), or save 0 and ask to be recalculated when opened (calcPr fullCalcOnLoad="1"). The sheet's XML
    is scanned in blocks; a sheet without formulas costs one search for '<f' per block."""
    try:
        with zipfile.ZipFile(path) as archive:
            part, name = _sheet_part(archive, sheet)
            if not part or part not in archive.namelist():
                return
            recalc = b'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml")
            with archive.open(part) as xml:
                tail = b""
                while block := xml.read(1 << 20):
                    data = tail + block
                    if b"<f" in data:
                        for cell in _FORMULA_CELL.finditer(data):
                            if recalc or not cell.group(3) or cell.group(3) == b"<v></v>":
                                column, row = cell.group(1).decode(), cell.group(2).decode()
                                why = ("the workbook asks to be recalculated when opened, so its saved results may "
                                       "be stale" if recalc and cell.group(3) else "it has no saved result")
                                raise SourceError(
                                    f"{path}: sheet {name!r}, cell {column}{row} (row {row}) holds a formula and "
                                    f"{why}; the value would be read as empty or 0. Open the file in Excel or "
                                    "LibreOffice and save it (results are saved with it), or export it as CSV")
                    start = data.rfind(b"<c ")
                    tail = data[start:] if start >= 0 else b""
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return  # not a regular workbook: the reader reports what it cannot read


def _refuse_disguised_workbook(path: Path) -> None:
    """An .xls/.xlsx that is not a workbook: many Chinese hotline and ERP systems export a web page (HTML) or
    tab-separated text under an .xls name, which Excel opens without a word; the reader's own error says nothing
    a person can act on."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or not head:
        return          # a zip (xlsx, xlsm) or an OLE file (xls): the reader's to judge
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")) or b"<table" in text or b"<html" in text:
        raise SourceError(f"{path}: is a web page (HTML) with a spreadsheet's name, as some systems export; open it "
                          "in Excel or WPS and save it as .xlsx, or export CSV")
    raise SourceError(f"{path}: is text, not an Excel workbook (some systems export tab-separated text with an "
                      f"{path.suffix} name); rename it to .csv (or .tsv), or open it in Excel and save it as .xlsx")


def _first_bad_json_line(path: Path) -> tuple[int, str] | None:
    """The first line of an NDJSON file that is not one JSON value (after Polars failed to read it).
    Line by line on this error path only; it stops at the first bad line."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, 1):
            if text.strip():
                try:
                    json.loads(text)
                except ValueError as exc:
                    return number, f"{exc.msg} at column {exc.colno}"
    return None


def reading_failed(path: Path, exc: BaseException) -> SourceError | None:
    """The line a reader's error comes from, where it can be found (NDJSON): for an error raised while the whole
    file is read, after the schema was inferred on its first 10,000 lines. None: no better message than Polars'."""
    if READABLE.get(path.suffix.lower()) != "ndjson" or not isinstance(exc, pl.exceptions.PolarsError):
        return None
    bad = _first_bad_json_line(path)
    return SourceError(f"{path}: line {bad[0]} is not valid JSON ({bad[1]}); each line must be one JSON object"
                       ) if bad else None


def _ndjson(path: Path) -> pl.LazyFrame:
    frame = pl.scan_ndjson(path, infer_schema_length=10_000)
    try:
        frame.collect_schema()
    except pl.exceptions.PolarsError as exc:
        raise (reading_failed(path, exc) or SourceError(f"{path}: cannot read as NDJSON: "
                                                        f"{str(exc).strip()[:200]}")) from exc
    return frame.with_row_index(ROW, offset=1)


def _sheet_args(source: dict) -> dict:
    """Polars' read_excel arguments for the profile's `source.sheet` (a name, or a 0-based index)."""
    sheet = source.get("sheet", 0)
    return {"sheet_name": sheet} if isinstance(sheet, str) else {"sheet_id": int(sheet) + 1}


def _xlsx_header(path: Path, source: dict) -> tuple[int, list[str]]:
    """Rows above a sheet's header (the profile's skip_rows, else title_rows) and the header's names (trimmed;
    "" for an empty cell), from its first rows only."""
    _refuse_disguised_workbook(path)
    skip = int(source.get("skip_rows", 0))
    # empty rows kept: they count in the row numbers a message names (mapping.py leaves them out)
    top = pl.read_excel(path, engine="calamine", infer_schema_length=0, drop_empty_rows=False,
                        read_options={"header_row": None, "n_rows": skip + TITLE_ROWS_MAX + 1},
                        **_sheet_args(source))
    if "skip_rows" not in source:
        skip = title_rows([list(r) for r in top.iter_rows()])
    header = top.slice(skip, 1)
    return skip, [str(v).strip() if v is not None else "" for v in header.row(0)] if len(header) else []


def other_sheets(path: Path, source: dict) -> list[str]:
    """A workbook's sheets after the first, where the profile names none: where to look when the first holds
    no table of the dataset (a 填表说明 or cover sheet before the data)."""
    if "sheet" in source or READABLE.get(path.suffix.lower()) != "xlsx" or source.get("format", "xlsx") != "xlsx":
        return []
    try:
        import fastexcel   # calamine's Python binding, which Polars' read_excel uses
        return list(fastexcel.read_excel(str(path)).sheet_names[1:])
    except Exception:  # noqa: BLE001 - not a readable workbook: scan_source says what is wrong with it
        return []


def read_headers(path: Path, source: dict | None = None) -> list[str]:
    """The file's column names, read without loading or re-encoding the file (for choosing a profile); `source`
    names an XLSX sheet ({"sheet": name})."""
    _check_path(path)
    if file_format(path) == "csv":
        _separator, _skip, names = csv_layout(path, detect_encoding(path), {}, path.suffix)
        return [n.strip() for n in names if n.strip()]
    source = source or {}
    if file_format(path) == "xlsx" and source.get("format", "xlsx") == "xlsx":
        try:
            _skip, names = _xlsx_header(path, source)
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            if isinstance(exc, SourceError):
                raise
            raise SourceError(f"{path}: cannot read as xlsx: {str(exc).strip().splitlines()[0][:200]}") from exc
        return [n for n in names if n]
    with tempfile.TemporaryDirectory() as tmp:
        return [c for c in scan_source(path, source, Path(tmp)).collect_schema() if c != ROW]


def scan_source(path: Path, source: dict, workdir: Path | None = None) -> pl.LazyFrame:
    """Scan one file lazily; `source` is the profile's `source:` section."""
    _check_path(path)
    fmt = source.get("format") or file_format(path)
    try:
        if fmt == "csv":
            original = path
            encoding = source.get("encoding", "auto")
            declared = encoding != "auto"
            if not declared:
                encoding = detect_encoding(path)
            else:
                encoding = evident_encoding(path, encoding)
            if encoding == "utf-16":
                path = _utf16_copy(path, workdir or Path(tempfile.mkdtemp()))
            elif not _utf8_name(encoding):
                path = _utf8_copy(path, encoding, workdir or Path(tempfile.mkdtemp()), declared)
            separator, skip, _names = csv_layout(path, "utf-8-sig", source, original.suffix)
            frame = pl.scan_csv(path, infer_schema=False, separator=separator, skip_rows=skip, raise_if_empty=True)
            headers = frame.collect_schema().names()
            tidy = _tidy_headers(frame, original, skip + 1)
            lines, multiline = _check_lines(path, original, separator, skip, headers, declared)
            return _with_line_numbers(tidy, lines, skip, multiline)
        if fmt == "xlsx":
            skip, header = _xlsx_header(path, source)
            _refuse_duplicates(path, header, skip + 1)
            _xlsx_formulas(path, source.get("sheet", 0))
            frame = pl.read_excel(path, engine="calamine", infer_schema_length=0, drop_empty_rows=False,
                                  read_options={"header_row": skip}, **_sheet_args(source))
            return _tidy_headers(frame.lazy(), path, skip + 1).with_row_index(ROW, offset=2 + skip)
        if fmt == "parquet":
            return pl.scan_parquet(path).with_row_index(ROW, offset=1)
        if fmt == "ndjson":
            return _ndjson(path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"{path}: cannot read as {fmt}: {str(exc).strip().splitlines()[0][:200]}") from exc
    raise SourceError(f"{path}: unknown format {fmt!r}")
