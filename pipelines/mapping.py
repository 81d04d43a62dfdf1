"""Mapping profiles: a source's columns and values -> the canonical model. Renames, casts and recodes only.

A profile is a YAML file in data/profiles/ (format in README.md, "Loading your own export"). Every parse is
an explicit Polars expression; a value that does not parse is flagged in `__error` (column and raw value) so
ingest can name the file, row and column instead of publishing a null.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from pipelines.config import edited_text
from pipelines.datasets import DATASETS, TS, Dataset
from pipelines.read import READABLE, ROW

ERROR = "__error"
DEFAULT_NULLS = ("", "NULL", "null", "None", "N/A", "n/a", "#N/A")
ISO_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
# Tried after a profile's own formats when those left values unparsed (map_frame's `lenient`, a second pass
# that only such a file pays: in the first, 10 formats per column doubled the mapping of 1M tickets). Year-first
# dates and times cannot be misread, and they are what an export turns into when somebody opens it in Excel and
# saves it again (an XLSX date cell reads as "2024-12-03 11:28:00"; a re-saved CSV gains seconds; a Chinese
# locale writes 2026年11月3日 9:05). Day- or month-first text is never guessed: only a profile names it.
YEAR_FIRST_FORMATS = (*ISO_FORMATS, "%Y/%m/%d %H:%M:%S%.f", "%Y/%m/%d %H:%M",
                      "%Y年%m月%d日 %H:%M:%S%.f", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日 %H时%M分",
                      "%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")   # %#z: Z, +08:00, +0800, +08
EXCEL_SERIALS = (20_000, 80_000)   # Excel serial day numbers read as dates in the lenient pass: 1954-10-03 to 2119
YEAR_FIRST_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S%.f", "%Y/%m/%d %H:%M:%S%.f")
# Durations in seconds (a call's wait, talk and wrap-up) as call-centre exports write them, read in the same second
# pass: "83.5", then "1:02:03" or "01:23" (two parts are minutes and seconds, as ACD reports show a call's time),
# then "1小时2分3秒", "1时2分", "2分钟5秒", "45秒".
_CLOCK = r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$"
_WORDS = r"^(?:(\d+)(?:小时|时))?(?:(\d+)分(?:钟)?)?(?:(\d+(?:\.\d+)?)秒)?$"
EXCEL_SHORTENED = r"^[+-]?\d(?:\.\d+)?[eE]\+\d+$"   # 1.23457E+17: what Excel writes for a long number
BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
            "y": True, "n": False, "t": True, "f": False, "是": True, "否": False, "1.0": True, "0.0": False}
PROFILE_KEYS = {"dataset", "description", "source", "timezone", "datetime_format", "datetime_formats",
                "date_format", "columns", "values", "constants", "null_values", "number_format"}
NUMBER_FORMAT_KEYS = {"decimal", "thousands"}


class MappingError(ValueError):
    """A profile or a file that cannot be mapped; the message names the file, row and column."""


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    dataset: Dataset
    description: str = ""
    source: dict = field(default_factory=dict)
    timezone: str | None = None
    datetime_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default_datetime_formats: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    null_values: tuple[str, ...] = DEFAULT_NULLS
    decimal: str = "."                     # number_format: decimal separator
    thousands: str | None = None           # number_format: thousands separator (none by default)

    def source_name(self, canonical: str) -> str:
        return self.columns.get(canonical, canonical)


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _number_format(raw, path: Path) -> tuple[str, str | None]:
    """`number_format: {decimal: ",", thousands: "."}`; default decimal "." and no thousands separator."""
    if raw is None:
        return ".", None
    if not isinstance(raw, dict) or set(raw) - NUMBER_FORMAT_KEYS:
        raise MappingError(f"{path}: number_format must be a mapping with keys {sorted(NUMBER_FORMAT_KEYS)}, "
                           'e.g. number_format: {decimal: ",", thousands: "."}')
    decimal, thousands = str(raw.get("decimal", ".")), raw.get("thousands")
    thousands = None if thousands in (None, "") else str(thousands)
    if decimal not in (".", ","):
        raise MappingError(f"{path}: number_format.decimal must be '.' or ',', not {decimal!r}")
    if thousands is not None and (len(thousands) != 1 or thousands == decimal or thousands in "0123456789+-eE"):
        raise MappingError(f"{path}: number_format.thousands must be one character other than the decimal "
                           f"separator and digits (e.g. ',', '.', ' ' or \"'\"), not {thousands!r}")
    return decimal, thousands


def profile_text(path: Path) -> str:
    """A profile's text: UTF-8 (with or without Notepad's byte-order mark), else GB18030, which Notepad and
    editors in a Chinese Windows locale save as "ANSI"."""
    try:
        return edited_text(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise MappingError(f"{path}: cannot read profile: not UTF-8 or GB18030 text; save it as UTF-8") from exc


def load_profile(path: Path) -> Profile:
    try:
        raw = yaml.safe_load(profile_text(path)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read profile: {exc}") from exc
    unknown = set(raw) - PROFILE_KEYS
    if unknown:
        raise MappingError(f"{path}: unknown profile keys {sorted(unknown)}; allowed: {sorted(PROFILE_KEYS)}")
    dataset = DATASETS.get(raw.get("dataset"))
    if dataset is None:
        raise MappingError(f"{path}: 'dataset' must be one of {sorted(DATASETS)}")
    for section in ("columns", "values", "constants", "datetime_formats"):
        bad = set(raw.get(section) or {}) - set(dataset.columns)
        if bad:
            raise MappingError(f"{path}: {section}: {sorted(bad)} are not {dataset.name} columns; "
                               f"canonical columns are {list(dataset.columns)}")
    return Profile(
        name=path.stem, path=path, dataset=dataset, description=raw.get("description", ""),
        source=raw.get("source") or {}, timezone=raw.get("timezone"),
        datetime_formats={k: _as_tuple(v) for k, v in (raw.get("datetime_formats") or {}).items()},
        default_datetime_formats=_as_tuple(raw.get("datetime_format")),
        date_formats=_as_tuple(raw.get("date_format")) or ("%Y-%m-%d",),
        columns={k: str(v) for k, v in (raw.get("columns") or {}).items()},
        values={k: {str(a): str(b).lower() if isinstance(b, bool) else str(b) for a, b in (v or {}).items()}
                for k, v in (raw.get("values") or {}).items()},
        constants=raw.get("constants") or {},
        null_values=tuple(str(v) for v in raw.get("null_values", DEFAULT_NULLS)),
        **dict(zip(("decimal", "thousands"), _number_format(raw.get("number_format"), path), strict=True)),
    )


PROFILES_SHIPPED = Path(__file__).resolve().parent.parent / "data" / "profiles"


class ProfileSkipped(UserWarning):
    """A profile file that cannot be used; the others still load (the CLI prints these)."""


def profile_folders(folder: Path) -> list[Path]:
    """Where profiles are looked up: the configuration's folder, then the ones shipped with the code."""
    return list(dict.fromkeys(p.resolve() for p in (Path(folder), PROFILES_SHIPPED)))


def profiles_in(folder: Path) -> dict[str, Profile]:
    """Every profile of `folder`, then the shipped ones it does not override by name. A file that cannot be read
    (bad YAML, an unknown column or dataset) is skipped with a ProfileSkipped warning naming it: one broken
    profile must not stop every load."""
    found: dict[str, Profile] = {}
    for where in profile_folders(folder):
        for path in sorted(where.glob("*.yaml")) if where.is_dir() else []:
            if path.stem in found:
                continue
            try:
                found[path.stem] = load_profile(path)
            except MappingError as exc:
                warnings.warn(ProfileSkipped(f"profile skipped: {exc}"), stacklevel=2)
    return found


def choose_profile(headers: list[str], profiles: dict[str, Profile], path: Path,
                   folders: Sequence[Path] = ()) -> Profile:
    """The profile whose required columns are all present and that maps the most headers."""
    present = set(headers)
    scored = []
    for profile in profiles.values():
        needed = {profile.source_name(c) for c in profile.dataset.required if c not in profile.constants}
        if needed <= present:
            mapped = sum(profile.source_name(c) in present for c in profile.dataset.columns)
            scored.append((mapped, len(profile.columns), profile.name, profile))
    if not scored:
        searched = ", ".join(str(f) for f in folders) or "data/profiles"
        raise MappingError(f"{path}: no profile matches its headers {headers[:12]} (searched {searched}); "
                           "write one (README: 'Loading your own export') or pass --profile")
    return max(scored, key=lambda s: s[:3])[3]


def _text(col: pl.Expr, nulls: tuple[str, ...]) -> pl.Expr:
    stripped = col.cast(pl.Utf8).str.strip_chars()
    return pl.when(stripped.is_in(list(nulls))).then(None).otherwise(stripped)


def lookup(expr: pl.Expr, mapping: dict, default: pl.Expr | None = None) -> pl.Expr:
    """`mapping[value]`, else `default`. A when/then chain, not Expr.replace: replace and replace_strict make
    Polars 2.1's streaming engine hold the whole file in memory (10M tickets: 4.8 GiB instead of 0.4)."""
    if not mapping:
        return default if default is not None else pl.lit(None)
    items = iter(mapping.items())
    key, value = next(items)
    chain = pl.when(expr == key).then(pl.lit(value))
    for key, value in items:
        chain = chain.when(expr == key).then(pl.lit(value))
    return chain.otherwise(default) if default is not None else chain


def clean_text(src: pl.Expr, name: str, profile: Profile) -> pl.Expr:
    """Trimmed text, the profile's null markers as null, its value map applied."""
    text = _text(src, profile.null_values)
    return lookup(text, profile.values[name], default=text) if name in profile.values else text


def _first_parse(text: pl.Expr, formats: Sequence[str], dtype: pl.DataType) -> pl.Expr | None:
    """The first of `formats` that parses each value. A later format only sees the values the earlier ones left
    unparsed: a failing strptime costs 3x a succeeding one."""
    parsed = None
    for fmt in formats:
        remaining = text if parsed is None else pl.when(parsed.is_null()).then(text)
        attempt = remaining.str.strptime(dtype, fmt, strict=False)
        parsed = attempt if parsed is None else pl.coalesce(parsed, attempt)
    return parsed


def _has_offset(fmt: str) -> bool:
    return any(code in fmt for code in ("%z", "%Z", "%#z", "%:z"))


def _excel_serial(text: pl.Expr) -> pl.Expr:
    """A local date and time written as Excel's serial number (days since 1899-12-30, the time as the fraction),
    as a workbook's date cell reads when it lost its date format: 46346.375 is 2026-11-20 09:00. Only numbers
    between EXCEL_SERIALS (1954 to 2119), to the nearest second."""
    days = text.cast(pl.Float64, strict=False)
    seconds = (days * 86_400).round(0).cast(pl.Int64)
    return pl.when(days.is_between(*EXCEL_SERIALS)).then(pl.lit(dt.datetime(1899, 12, 30)).cast(pl.Datetime("us"))
                                                         + pl.duration(seconds=seconds))


def _parse_timestamp(text: pl.Expr, formats: tuple[str, ...], tz: str, serials: bool = False) -> pl.Expr:
    """As UTC. Local times (formats without an offset) get one timezone conversion per column, not one per
    format: with _first_parse, 2x faster per column at 1M rows. `serials`: Excel serial numbers too."""
    local = _first_parse(text, [f for f in formats if not _has_offset(f)], pl.Datetime("us"))
    if serials:
        local = pl.coalesce(local, _excel_serial(text)) if local is not None else _excel_serial(text)
    if local is not None:
        local = local.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    with_offset = [f for f in formats if _has_offset(f)]
    if not with_offset:
        return local
    rest = text if local is None else pl.when(local.is_null()).then(text)
    offset = _first_parse(rest, with_offset, pl.Datetime("us", "UTC"))
    return offset if local is None else pl.coalesce(local, offset)


def _number(text: pl.Expr, profile: Profile) -> pl.Expr:
    """A finite Float64 written in the profile's number_format, else null (an error naming row and column).

    Default (decimal ".", no thousands separator): Polars' own parse, so "2,5" and "1,234" do not parse and
    "1.5e3" does. With a declared format a value must match it exactly: digits, the thousands separator only
    between groups of three, the decimal separator once ("1.234,5" with {decimal: ",", thousands: "."}; "2.5"
    there is refused, never read as 25). NaN and infinities are never a value."""
    if profile.decimal == "." and profile.thousands is None:
        value = text.cast(pl.Float64, strict=False)
    else:
        decimal, thousands = re.escape(profile.decimal), re.escape(profile.thousands or "")
        grouped = rf"|\d{{1,3}}(?:{thousands}\d{{3}})+" if profile.thousands else ""
        pattern = rf"^[+-]?(?:\d+{grouped})(?:{decimal}\d+)?$|^[+-]?{decimal}\d+$"
        plain = text.str.replace_all(profile.thousands, "", literal=True) if profile.thousands else text
        if profile.decimal != ".":
            plain = plain.str.replace_all(profile.decimal, ".", literal=True)
        value = pl.when(text.str.contains(pattern)).then(plain.cast(pl.Float64, strict=False))
    return pl.when(value.is_finite()).then(value)


def _duration_seconds(text: pl.Expr) -> pl.Expr:
    """Seconds of a duration written as a clock (_CLOCK) or in Chinese units (_WORDS); null otherwise."""
    parts = []
    for pattern in (_CLOCK, _WORDS):
        hours, minutes, seconds = (text.str.extract(pattern, group).cast(pl.Float64) for group in (1, 2, 3))
        some = hours.is_not_null() | minutes.is_not_null() | seconds.is_not_null()
        parts.append(pl.when(some).then(hours.fill_null(0) * 3600 + minutes.fill_null(0) * 60
                                        + seconds.fill_null(0)))
    return pl.coalesce(parts)


def lenient_columns(profile: Profile) -> list[str]:
    """The columns map_frame's second, `lenient` pass reads more forms of: dates, times and durations."""
    return [c for c, t in profile.dataset.columns.items()
            if t in (pl.Date, TS) or (c.endswith("_seconds") and t.is_numeric())]


def parse_hint(profile: Profile, column: str, value: object) -> str:
    """What a value of canonical `column` must look like: the tail of the message naming one that did not parse."""
    if isinstance(value, str) and "\x00" in value:
        return " (it holds a NUL byte)"
    target = profile.dataset.columns.get(column)
    if isinstance(value, str) and target == pl.Utf8 and re.match(EXCEL_SHORTENED, value):
        return (" (a number Excel shortened when the file was saved: its digits are lost; export the file again "
                "and load it without saving it in Excel, or format the column as Text before saving)")
    if column in profile.dataset.strict_values:  # Dataset.strict_values: an unmapped value is refused by name
        known = profile.dataset.value_sets[column]
        mapped = ", ".join(f"{a} -> {b}" for a, b in profile.values.get(column, {}).items()) or "nothing"
        return (f" (not one of {', '.join(known)}; profile {profile.name!r} ({profile.path}) maps values.{column}: "
                f"{mapped}; add the value there)")
    if target == TS:
        formats = profile.datetime_formats.get(column) or profile.default_datetime_formats
        return (f" (expected format {' or '.join(formats)}, or a year-first date and time such as 2026-11-02 08:15)"
                if formats else " (expected a year-first date and time such as 2026-11-02 08:15)")
    if target == pl.Date:
        return f" (expected format {' or '.join(profile.date_formats)}, or a year-first date such as 2026-11-02)"
    if target is not None and target.is_numeric():
        kind = "a whole number" if target.is_integer() else "a finite number"
        thousands = f"thousands {profile.thousands!r}" if profile.thousands else "no thousands separator"
        duration = ", or a duration such as 01:23, 1:02:03 or 1分23秒" if column.endswith("_seconds") else ""
        return f" (expected {kind} with decimal {profile.decimal!r} and {thousands}; see number_format{duration})"
    return ""


def _native(src_type: pl.DataType, target: pl.DataType) -> bool:
    """A typed source column (Parquet, NDJSON) that becomes the target without parsing text."""
    return ((target == TS and isinstance(src_type, pl.Datetime))
            or (target == pl.Date and isinstance(src_type, (pl.Datetime, pl.Date))))


def _convert(name: str, src: pl.Expr, src_type: pl.DataType, target: pl.DataType, profile: Profile,
             tz: str, nul_checked: bool = False, lenient: bool = False) -> pl.Expr:
    """The typed value of one canonical column; null where the source value does not parse."""
    if _native(src_type, target) and target == TS:
        return (src.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
                if src_type.time_zone is None else src).dt.convert_time_zone("UTC").cast(TS)
    if _native(src_type, target):
        return src.cast(pl.Date)

    text = src  # already cleaned by map_frame (clean_text)
    if target == TS:
        # Explicit formats only (guessing is ~3x slower, STACK.md): the profile's, then the year-first ones.
        formats = profile.datetime_formats.get(name) or profile.default_datetime_formats or ISO_FORMATS
        value = _parse_timestamp(text, tuple(dict.fromkeys((*formats, *YEAR_FIRST_FORMATS))) if lenient
                                 else formats, tz, serials=lenient)
    elif target == pl.Date:
        formats = (*profile.date_formats, *(YEAR_FIRST_DATES if lenient else ("%Y-%m-%d",)))
        value = _first_parse(text, list(dict.fromkeys(formats)), pl.Date)
        if lenient:
            value = pl.coalesce(value, _excel_serial(text).dt.date())
    elif target == pl.Boolean:
        value = lookup(text.str.to_lowercase(), BOOLEANS).cast(pl.Boolean)
    elif target.is_integer():
        number = _number(text, profile)
        value = pl.when(number == number.round(0)).then(number).cast(target, strict=False)
    elif target.is_numeric():
        value = _number(text, profile)
        if lenient and name.endswith("_seconds"):
            value = pl.coalesce(value, _duration_seconds(text))
        value = value.cast(target, strict=False)
    elif nul_checked:
        value = text
    else:
        # A NUL byte in text is refused. A CSV file's are refused by read.py, with line and column, already:
        # this check costs 0.2 s per 1.6M rows of 18 text columns.
        value = pl.when(text.str.contains("\x00", literal=True)).then(None).otherwise(text)
    if target == pl.Utf8 and name.endswith("_id"):
        # An id Excel shortened when the file was saved (1.23457E+17 for an 18-digit number): its digits are gone,
        # and loaded it would be a new ticket, customer or call that matches nothing. Refused, naming it.
        value = pl.when(text.str.contains(EXCEL_SHORTENED)).then(None).otherwise(value)
    return value


def map_frame(frame: pl.LazyFrame, profile: Profile, default_tz: str, path: Path,
              lenient: bool = False) -> pl.LazyFrame:
    """Canonical columns in canonical order, plus __row and __error (name of the first column that failed).
    `lenient`: dates and times the profile's formats do not parse are tried in YEAR_FIRST_FORMATS too, and
    durations in seconds as clocks and in Chinese units (_duration_seconds)."""
    schema = frame.collect_schema()
    dataset = profile.dataset
    tz = profile.timezone or default_tz
    missing = [f"{c} (header {profile.source_name(c)!r})" for c in dataset.required
               if c not in profile.constants and profile.source_name(c) not in schema]
    if missing:
        raise MappingError(f"{path}: required column(s) missing: {', '.join(missing)}; "
                           f"the file's headers are {[h for h in schema if h != ROW]}")
    raws, values, errors = [], [], []
    nul_checked = (profile.source.get("format") or READABLE.get(path.suffix.lower())) == "csv"  # read.py did
    for name, target in dataset.columns.items():
        src_name = profile.source_name(name)
        if name in profile.constants:
            src, src_type = pl.lit(str(profile.constants[name])), pl.Utf8
        elif src_name in schema:
            src, src_type = pl.col(src_name), schema[src_name]
        else:
            values.append(pl.lit(None, target).alias(name))
            continue
        raw = pl.col(f"__raw_{name}")
        textual = not _native(src_type, target)
        raws.append((clean_text(src, name, profile) if textual else src).alias(f"__raw_{name}"))
        value = _convert(name, raw, pl.Utf8 if textual else src_type, target, profile, tz, nul_checked,
                         lenient)
        if name in dataset.strict_values:  # a value outside the model's set after the map: an error, not a row
            value = pl.when(value.is_in(list(dataset.value_sets[name]))).then(value)
        values.append(value.alias(name))
        errors.append(pl.when(raw.is_not_null() & pl.col(name).is_null()).then(pl.lit(name)))
    # Three steps so each value is cleaned and parsed once: raw text, typed columns, then which one failed.
    # __error holds the first failing column's name; ingest re-reads those few rows for the raw values.
    if dataset.key_parts and dataset.key not in profile.constants and profile.source_name(dataset.key) not in schema:
        # a key made of other columns (the roster: agent and interval): joined once they are parsed
        key = pl.concat_str([pl.col(c).cast(pl.Utf8) for c in dataset.key_parts], separator="|")
        values = [v for v in values if v.meta.output_name() != dataset.key]
    else:
        key = None
    # A row with every mapped field empty is no record (Excel saves empty formatted rows as ",,,,"): left out, as
    # a blank line is. Polars reads an empty field as null, so the test reads no text.
    read = [profile.source_name(c) for c in dataset.columns
            if c not in profile.constants and profile.source_name(c) in schema]
    return (
        (frame.filter(pl.any_horizontal(pl.col(read).is_not_null())) if read else frame)
        .select(pl.col(ROW), *raws)
        .with_columns(*values)
        .with_columns(*([key.alias(dataset.key)] if key is not None else []))
        .select(pl.col(ROW), *dataset.columns,
                (pl.coalesce(errors) if errors else pl.lit(None, pl.Utf8)).alias(ERROR))
    )
