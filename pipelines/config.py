"""The one configuration file (TOML): warehouse path, timezone, targets, SLA policies, warranty, loss shares.

`load_config()` reads `$SQD_CONFIG`, else `./sqd.toml`, else the defaults packaged beside this module.
Relative paths resolve against the config file's folder, so commands work from any directory.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG = Path(__file__).with_name("defaults.toml")
SLA_TARGETS = ("first_response", "on_site", "resolution")


class ConfigError(ValueError):
    """The configuration file says something impossible; the message names the file and key."""


@dataclass(frozen=True)
class SlaPolicy:
    policy_id: str
    rank: int
    calendar: str = "24x7"
    ticket_type: str | None = None
    category: str | None = None
    priority: str | None = None
    min_distance_km: float | None = None
    max_distance_km: float | None = None
    first_response_minutes: int | None = None
    on_site_minutes: int | None = None
    resolution_minutes: int | None = None
    # a target stated in working days: due at the close of business of the Nth working day after the day the ticket
    # was received (docs/decisions.md "Targets in working days"); business calendar only; one of minutes / days
    first_response_working_days: int | None = None
    on_site_working_days: int | None = None
    resolution_working_days: int | None = None


@dataclass(frozen=True)
class QualityConfig:
    """[quality]: the data-quality gate's thresholds (docs/data-quality.md)."""

    expectations_dir: Path = Path("expectations")   # one GX suite per dataset: <dataset>.json
    freshness_days: float = 7.0          # warning when a batch's newest record is older than this
    max_failing_share: float = 0.10      # more rows than this failing row-level checks refuses the batch
    volume_tolerance: float = 0.5        # warning outside trailing average x (1 - t) .. x (1 + t)
    volume_window: int = 10              # previous published loads averaged for the volume check
    future_tolerance_minutes: int = 10   # clock skew allowed before a timestamp is "in the future"
    chunk_rows: int = 1_000_000          # rows per pandas chunk handed to GX
    sample_rows: int = 5                 # failing rows kept as examples per expectation


@dataclass(frozen=True)
class FollowUpConfig:
    """[follow_up]: how long after resolution a follow-up, and after an attempt a deferred answer, may still come
    (docs/metrics.md "Follow-up and response windows"). Inside the window a row is pending, not missed."""

    window_hours: float = 48.0                              # resolved -> follow-up attempt (001: within 48 h)
    response_window_hours: float = 48.0                     # attempt -> answer, for the methods below
    response_window_methods: tuple[str, ...] = ("sms", "app")   # methods whose answer arrives later


@dataclass(frozen=True)
class ContactCentreConfig:
    """[contact_centre]: the hotline's access targets (DOMAIN.md section 4, 004) and the call intervals
    (docs/metrics.md "Contact centre"). Rates are fractions 0-1, times are seconds."""

    interval_minutes: int = 30               # calls are counted per interval of this length (divides a day)
    short_abandon_seconds: float = 5.0       # abandoned within this: left out of every rate (and stated)
    service_level_seconds: float = 20.0      # service level: answered within this ...
    service_level_target: float = 0.80       # ... for at least this share of calls (80/20)
    late_answer_seconds: float = 15.0        # answered after this counts as a late answer ...
    late_answer_max_share: float = 0.20      # ... at most this share of answered calls
    answer_wait_limit_seconds: float = 60.0  # agent answer rate: a caller waiting longer counts as unanswered
    connect_rate_target: float = 0.85        # >= answered / calls
    agent_answer_rate_target: float = 0.85   # >= answered within answer_wait_limit_seconds / calls
    abandon_rate_min: float = 0.03           # abandon rate within min .. max (004: 3-5 %)
    abandon_rate_max: float = 0.05


COORDINATION_LIMITS = ("within_department_minutes", "cross_department_minutes", "cross_province_working_days",
                       "other_company_working_days")


@dataclass(frozen=True)
class HotlineConfig:
    """[hotline]: complaint resolution limits by coordination level and the promised answer (seed 004, DOMAIN.md
    section 4), the repeat-complaint window, the routing table and the key accounts (docs/metrics.md "Hotline")."""

    within_department_minutes: int = 120     # 004 l.1293: receipt -> solved and replied, within one department
    cross_department_minutes: int = 2880     # across departments in the province: 48 h
    cross_province_working_days: int = 4     # across provinces: 4 working days
    other_company_working_days: int = 7      # with another company: 7 working days
    simple_answer_minutes: int = 120         # 004 l.1247: the caller is promised an answer in 2 h (simple) ...
    complex_answer_minutes: int = 1440       # ... or 24 h (complex)
    repeat_window_months: int = 3            # a new complaint within this after a missed limit or an unhappy result
    routing: Path | None = None              # CSV category,department: the department routing suggests
    key_accounts: tuple[str, ...] = ()       # customer ids of key accounts (大客户)


@dataclass(frozen=True)
class NcWorkflowConfig:
    """[nc_workflow]: nonconformity steps' limits counted from the finding, the sampling band and the pass-rate bands
    (seed 000 §5.3, §5.4, §9.1, §9.2.13; docs/metrics.md "Nonconformity workflow")."""

    notify_hours: float = 12.0           # 000 §5.4: the responsible person notified within 12 h
    review_hours: float = 24.0           # our choice: the seeds give no limit for review, decision, approval
    decide_hours: float = 48.0
    approve_hours: float = 72.0
    close_days_a: float = 15.0           # 000 §9.2.13: major (grade A) within 15 days
    close_days_b: float = 7.0            # general (grade B, or ungraded) within a week
    sampling_min: float = 0.05           # 000 §5.3: 5-10 % of each product sampled
    sampling_max: float = 0.10
    pass_rate_bonus: float = 1.00        # 000 §9.1.8-9.1.10
    pass_rate_neutral: float = 0.99
    pass_rate_penalty: float = 0.98


# how a disposition's loss is computed where the source gives no amount, and the prices each rule needs
LOSS_RULES = {"material_cost": ("unit_cost",), "price_difference": ("unit_price", "concession_price"),
              "revenue_share": ("unit_price",), "none": ()}
PRICE_KEYS = ("unit_price", "unit_cost", "concession_price")


@dataclass(frozen=True)
class LossRulesConfig:
    """[loss_rules]: seed 002's loss rules (scrap = material cost, concession = price difference, as is = 2 % of
    revenue) per disposition, the product prices they need, and 000 §9.2's accident compensation bands."""

    use_as_is_share: float = 0.02
    dispositions: dict[str, str] = field(default_factory=lambda: {
        "scrap": "material_cost", "concession": "price_difference", "downgrade": "price_difference",
        "use_as_is": "revenue_share", "rework": "none", "repair": "none"})
    prices: dict[str, dict[str, float]] = field(default_factory=dict)     # product -> {unit_price, ...}
    # (above, share, minimum): a loss above `above` -> the responsible person pays share x loss, at least minimum
    accident_bands: tuple[tuple[float, float, float], ...] = ((0.0, 1.0, 0.0), (500.0, 0.8, 500.0),
                                                               (1000.0, 0.6, 800.0))


@dataclass(frozen=True)
class Config:
    source: Path
    warehouse_path: Path
    timezone: str
    calendar_overrides: Path
    targets: dict[str, float]
    business_opens: time
    business_closes: time
    sla_policies: tuple[SlaPolicy, ...]
    warranty_default_days: int
    warranty_days: dict[str, int] = field(default_factory=dict)
    loss_shares: dict[str, float] = field(default_factory=dict)
    quality: QualityConfig = field(default_factory=QualityConfig)
    follow_up: FollowUpConfig = field(default_factory=FollowUpConfig)
    contact_centre: ContactCentreConfig = field(default_factory=ContactCentreConfig)
    hotline: HotlineConfig = field(default_factory=HotlineConfig)
    nc_workflow: NcWorkflowConfig = field(default_factory=NcWorkflowConfig)
    loss_rules: LossRulesConfig = field(default_factory=LossRulesConfig)
    load_memory_limit: str = "1.2GB"
    profiles_dir: Path = Path("data/profiles")       # mapping profiles (YAML), beside the configuration file

    @property
    def state_dir(self) -> Path:
        """Files that live beside the warehouse but outside it (saved queries, notes, history)."""
        return self.warehouse_path.parent / ".sqd"


def config_path() -> Path:
    env = os.environ.get("SQD_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / "sqd.toml"
    return local if local.exists() else DEFAULT_CONFIG


def edited_text(data: bytes) -> str:
    """A small file a person edits (sqd.toml, a profile, a reference or calendar CSV): UTF-8, with or without the
    byte-order mark Notepad and Excel write, else GB18030, which Notepad, WPS and Excel save as "ANSI" in a Chinese
    Windows locale. UnicodeDecodeError when it is neither (GB18030 refuses few byte sequences)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_config_text(path: Path) -> str:
    try:
        return edited_text(path.read_bytes())
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 or GB18030 text; save the file as UTF-8") from exc


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else config_path()
    try:
        raw = tomllib.loads(read_config_text(path))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return parse_config(raw, path)


def _shown(value: object) -> str:
    """A wrong value as the message shows it: its TOML kind, and the value when it is short."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _table(raw: dict, key: str, where: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a section (a table of keys), got {_shown(value)}")
    return value


def _number(value: object, where: str, whole: bool = False) -> float | int:
    """A TOML number (not a string, true/false or table); `whole`: an integer."""
    ok = (isinstance(value, int) if whole else isinstance(value, int | float)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{where}: expected {kind}, got {_shown(value)}")
    return value if whole else float(value)


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected text in quotes, got {_shown(value)}")
    return value


def _time(value: object, where: str) -> time:
    if isinstance(value, time) and value.tzinfo is None:    # a TOML local time: opens = 08:30
        return value
    try:
        parsed = time.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: expected a time like \"08:30\", got {_shown(value)}") from exc
    if parsed.tzinfo is not None:
        raise ConfigError(f"{where}: expected a time like \"08:30\" without a zone, got {_shown(value)}")
    return parsed


SIZE_UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
              "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def size_bytes(size: str) -> int:
    """A size as the configuration writes it ('1.2GB', '512 MiB', as _memory checks it) in bytes, as DuckDB reads
    it (GB = 10^9, GiB = 2^30)."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]i?B)", size.strip()).groups()
    return int(float(number) * SIZE_UNITS[unit])


def _memory(value: str, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value):
        raise ConfigError(f"{where}: expected a size such as '2GB', got {_shown(value)}")
    return value


POLICY_TEXT = ("policy_id", "calendar", "ticket_type", "category", "priority")
POLICY_NUMBERS = ("min_distance_km", "max_distance_km")


def _policy(p: object, where: str) -> SlaPolicy:
    if not isinstance(p, dict):
        raise ConfigError(f"{where}: expected a [[sla_policies]] table, got {_shown(p)}")
    unknown = set(p) - set(SlaPolicy.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    if "policy_id" not in p or "rank" not in p:
        raise ConfigError(f"{where}: policy_id and rank are required")
    for key in POLICY_TEXT:
        if key in p:
            _string(p[key], f"{where} {key}")
    _number(p["rank"], f"{where} rank", whole=True)
    for key in POLICY_NUMBERS:
        if key in p:
            _number(p[key], f"{where} {key}")
    if p.get("calendar", "24x7") not in ("24x7", "business"):
        raise ConfigError(f"{where}: calendar must be '24x7' or 'business'")
    for t in SLA_TARGETS:
        m = p.get(f"{t}_minutes")
        if m is not None and (not isinstance(m, int) or isinstance(m, bool) or m <= 0):
            raise ConfigError(f"{where}: {t}_minutes must be a positive whole number of minutes, got {_shown(m)}")
        d = p.get(f"{t}_working_days")
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d <= 0):
            raise ConfigError(f"{where}: {t}_working_days must be a positive whole number of days, got {_shown(d)}")
        if d is not None and m is not None:
            raise ConfigError(f"{where}: give {t}_minutes or {t}_working_days, not both")
        if d is not None and p.get("calendar", "24x7") != "business":
            raise ConfigError(f"{where}: {t}_working_days needs calendar = 'business'")
    return SlaPolicy(**{k: float(v) if k in POLICY_NUMBERS else v for k, v in p.items()})


def parse_config(raw: dict, source: Path) -> Config:
    """Every value is checked for its type and range; a ConfigError names the file, the [section] and the key."""
    # The packaged defaults have no folder of their own: resolve their paths from where the user stands.
    base = Path.cwd() if source == DEFAULT_CONFIG else source.parent
    wh = _table(raw, "warehouse", str(source))
    tz = _string(wh.get("timezone", "Asia/Shanghai"), f"{source}: [warehouse] timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{source}: [warehouse] timezone {tz!r} is not an IANA time zone") from exc
    paths = {key: _string(wh.get(key, default), f"{source}: [warehouse] {key}") for key, default in
             (("path", "data/warehouse.duckdb"), ("calendar_overrides", "data/calendar_overrides.csv"))}

    targets = {
        "timeliness_rate": 0.90, "csat_rate": 0.85, "complaint_rate": 0.03, "follow_up_rate": 0.95,
        "defect_rate": 0.01, "response_rate": 0.60, "repeat_complaint_rate": 0.01,
        "complaint_limit_rate": 1.0, "hotline_satisfaction_inquiry": 0.95, "hotline_satisfaction_complaint": 0.90,
        "hotline_satisfaction_cross_province": 0.85, "hotline_satisfaction_key_account": 0.95,
        "first_contact_resolution_rate": 0.85,
    } | {k: _number(v, f"{source}: [targets] {k}") for k, v in _table(raw, "targets", str(source)).items()}
    for key, value in targets.items():
        if not 0 <= value <= 1:
            raise ConfigError(f"{source}: [targets] {key} = {value} must be a fraction between 0 and 1")

    hours = _table(raw, "business_hours", str(source))
    opens = _time(hours.get("opens", "08:30"), f"{source}: [business_hours] opens")
    closes = _time(hours.get("closes", "17:30"), f"{source}: [business_hours] closes")
    if closes <= opens:
        raise ConfigError(f"{source}: [business_hours] closes must be after opens")

    listed = raw.get("sla_policies", [])
    if not isinstance(listed, list):
        raise ConfigError(f"{source}: sla_policies must be a list of [[sla_policies]] tables, got {_shown(listed)}")
    policies = [_policy(p, f"{source}: [[sla_policies]] #{i + 1}") for i, p in enumerate(listed)]
    ids = [p.policy_id for p in policies]
    if len(ids) != len(set(ids)):
        raise ConfigError(f"{source}: [[sla_policies]] policy_id values must be unique")

    warranty = _table(raw, "warranty", str(source))
    default_days = _number(warranty.get("default_days", 80), f"{source}: [warranty] default_days", whole=True)
    products = {k: _number(v, f"{source}: [warranty.products] {k}", whole=True)
                for k, v in _table(warranty, "products", f"{source}: [warranty]").items()}
    for key, days in {"default_days": default_days, **products}.items():
        if days < 0:
            raise ConfigError(f"{source}: [warranty] {key} = {days} must be 0 or more days")
    shares = {k: _number(v, f"{source}: [loss_shares] {k}")
              for k, v in _table(raw, "loss_shares", str(source)).items()}
    negative = sorted(k for k, v in shares.items() if v < 0)
    if negative:
        raise ConfigError(f"{source}: [loss_shares] {negative[0]} = {shares[negative[0]]:g}: a share cannot be "
                          "negative (each department's share of the loss is 0 to 100)")
    if shares and abs(sum(shares.values()) - 100) > 1e-6:
        raise ConfigError(
            f"{source}: [loss_shares] must sum to 100, they sum to {sum(shares.values()):g}"
        )
    quality = _quality(_table(raw, "quality", str(source)), base, source)
    return Config(
        source=source,
        warehouse_path=(base / paths["path"]).resolve(),
        load_memory_limit=_memory(wh.get("load_memory_limit", "1.2GB"),
                                  f"{source}: [warehouse] load_memory_limit"),
        profiles_dir=(base / "data" / "profiles").resolve(),
        timezone=tz,
        calendar_overrides=(base / paths["calendar_overrides"]).resolve(),
        targets=targets,
        business_opens=opens,
        business_closes=closes,
        sla_policies=tuple(sorted(policies, key=lambda p: p.rank)),
        warranty_default_days=default_days,
        warranty_days=products,
        loss_shares=shares,
        quality=quality,
        follow_up=_follow_up(_table(raw, "follow_up", str(source)), source),
        contact_centre=_contact_centre(_table(raw, "contact_centre", str(source)), source),
        hotline=_hotline(_table(raw, "hotline", str(source)), base, source),
        nc_workflow=_nc_workflow(_table(raw, "nc_workflow", str(source)), source),
        loss_rules=_loss_rules(_table(raw, "loss_rules", str(source)), source),
    )


def _contact_centre(raw: dict, source: Path) -> ContactCentreConfig:
    where = f"{source}: [contact_centre]"
    d = ContactCentreConfig()
    unknown = set(raw) - set(ContactCentreConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    values = {key: _number(raw.get(key, getattr(d, key)), f"{where} {key}", whole=key == "interval_minutes")
              for key in ContactCentreConfig.__dataclass_fields__}
    c = ContactCentreConfig(**values)
    if c.interval_minutes < 1 or 1440 % c.interval_minutes:
        raise ConfigError(f"{where} interval_minutes = {c.interval_minutes} must divide a day (15, 30, 60 ...)")
    for key in ("short_abandon_seconds", "service_level_seconds", "late_answer_seconds",
                "answer_wait_limit_seconds"):
        if getattr(c, key) < 0:
            raise ConfigError(f"{where} {key} = {getattr(c, key):g} must be 0 or more seconds")
    for key in ("service_level_target", "late_answer_max_share", "connect_rate_target",
                "agent_answer_rate_target", "abandon_rate_min", "abandon_rate_max"):
        if not 0 <= getattr(c, key) <= 1:
            raise ConfigError(f"{where} {key} = {getattr(c, key):g} must be a fraction between 0 and 1")
    if c.abandon_rate_min > c.abandon_rate_max:
        raise ConfigError(f"{where} abandon_rate_min must not exceed abandon_rate_max")
    return c


def _hotline(raw: dict, base: Path, source: Path) -> HotlineConfig:
    where = f"{source}: [hotline]"
    d = HotlineConfig()
    unknown = set(raw) - set(HotlineConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    numbers = {key: _number(raw.get(key, getattr(d, key)), f"{where} {key}", whole=True)
               for key in (*COORDINATION_LIMITS, "simple_answer_minutes", "complex_answer_minutes",
                           "repeat_window_months")}
    for key, value in numbers.items():
        if value <= 0:
            raise ConfigError(f"{where} {key} = {value} must be a positive whole number")
    routing = _string(raw.get("routing", "data/reference/hotline_routing.csv"), f"{where} routing")
    accounts = raw.get("key_accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
        raise ConfigError(f"{where} key_accounts must be a list of customer ids in quotes, got {_shown(accounts)}")
    path = (base / routing).resolve() if routing else None
    if path is not None and path.is_file():      # a missing file leaves routing empty (the Hotline page says so)
        try:
            header = edited_text(path.read_bytes()).splitlines()[:1]
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where} routing: {path} cannot be read as UTF-8 or GB18030 text ({exc})") from exc
        columns = {c.strip() for c in header[0].split(",")} if header else set()
        if not {"category", "department"} <= columns:
            raise ConfigError(f"{where} routing: {path} needs a header with the columns category,department")
    return HotlineConfig(**numbers, routing=path, key_accounts=tuple(accounts))


def _follow_up(raw: dict, source: Path) -> FollowUpConfig:
    where = f"{source}: [follow_up]"
    unknown = set(raw) - set(FollowUpConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    d = FollowUpConfig()
    methods = raw.get("response_window_methods", list(d.response_window_methods))
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise ConfigError(f"{where} response_window_methods must be a list of method names")
    f = FollowUpConfig(
        window_hours=_number(raw.get("window_hours", d.window_hours), f"{where} window_hours"),
        response_window_hours=_number(raw.get("response_window_hours", d.response_window_hours),
                                      f"{where} response_window_hours"),
        response_window_methods=tuple(methods),
    )
    if f.window_hours < 0 or f.response_window_hours < 0:
        raise ConfigError(f"{where} window_hours and response_window_hours must be >= 0")
    return f


def _quality(raw: dict, base: Path, source: Path) -> QualityConfig:
    where = f"{source}: [quality]"
    unknown = set(raw) - ({"expectations", *QualityConfig.__dataclass_fields__} - {"expectations_dir"})
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    d = QualityConfig()
    whole = {"volume_window", "future_tolerance_minutes", "chunk_rows", "sample_rows"}
    numbers = {key: _number(raw.get(key, getattr(d, key)), f"{where} {key}", whole=key in whole)
               for key in ("freshness_days", "max_failing_share", "volume_tolerance", *sorted(whole))}
    folder = _string(raw.get("expectations", str(d.expectations_dir)), f"{where} expectations")
    q = QualityConfig(expectations_dir=(base / folder).resolve(), **numbers)
    if q.freshness_days <= 0:
        raise ConfigError(f"{where} freshness_days must be positive")
    if not 0 <= q.max_failing_share <= 1:
        raise ConfigError(f"{where} max_failing_share must be a fraction between 0 and 1")
    if q.volume_tolerance < 0 or q.volume_window < 1:
        raise ConfigError(f"{where} volume_tolerance must be >= 0 and volume_window >= 1")
    if q.future_tolerance_minutes < 0 or q.chunk_rows < 1 or q.sample_rows < 0:
        raise ConfigError(f"{where} future_tolerance_minutes and sample_rows must be >= 0, chunk_rows >= 1")
    return q


def _nc_workflow(raw: dict, source: Path) -> NcWorkflowConfig:
    where = f"{source}: [nc_workflow]"
    unknown = set(raw) - set(NcWorkflowConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    d = NcWorkflowConfig()
    c = NcWorkflowConfig(**{key: _number(raw.get(key, getattr(d, key)), f"{where} {key}")
                            for key in NcWorkflowConfig.__dataclass_fields__})
    for key in ("notify_hours", "review_hours", "decide_hours", "approve_hours", "close_days_a", "close_days_b"):
        if getattr(c, key) <= 0:
            raise ConfigError(f"{where} {key} = {getattr(c, key):g} must be more than 0")
    for key in ("sampling_min", "sampling_max", "pass_rate_bonus", "pass_rate_neutral", "pass_rate_penalty"):
        if not 0 <= getattr(c, key) <= 1:
            raise ConfigError(f"{where} {key} = {getattr(c, key):g} must be a fraction between 0 and 1")
    if c.sampling_min > c.sampling_max:
        raise ConfigError(f"{where} sampling_min must not exceed sampling_max")
    if not c.pass_rate_penalty <= c.pass_rate_neutral <= c.pass_rate_bonus:
        raise ConfigError(f"{where} pass_rate_penalty <= pass_rate_neutral <= pass_rate_bonus must hold")
    return c


def _loss_rules(raw: dict, source: Path) -> LossRulesConfig:
    """Every disposition of the model has a known rule; a product's prices are numbers >= 0, and a configured price
    table holds every price its rules need (a product with no table at all is flagged per row instead)."""
    from pipelines.datasets import DISPOSITIONS

    where = f"{source}: [loss_rules]"
    unknown = set(raw) - {"use_as_is_share", "dispositions", "prices", "accident_bands"}
    if unknown:
        raise ConfigError(f"{where} unknown keys {sorted(unknown)}")
    d = LossRulesConfig()
    share = _number(raw.get("use_as_is_share", d.use_as_is_share), f"{where} use_as_is_share")
    if not 0 <= share <= 1:
        raise ConfigError(f"{where} use_as_is_share = {share:g} must be a fraction between 0 and 1")
    given = _table(raw, "dispositions", where)
    for name, rule in given.items():
        if name not in DISPOSITIONS:
            raise ConfigError(f"{source}: [loss_rules.dispositions] {name}: unknown disposition; the model knows "
                              f"{', '.join(DISPOSITIONS)}")
        if _string(rule, f"{source}: [loss_rules.dispositions] {name}") not in LOSS_RULES:
            raise ConfigError(f"{source}: [loss_rules.dispositions] {name} = {rule!r}: unknown loss rule; use one "
                              f"of {', '.join(LOSS_RULES)}")
    rules = d.dispositions | given
    prices: dict[str, dict[str, float]] = {}
    for product, table in _table(raw, "prices", where).items():
        at = f"{source}: [loss_rules.prices] {product}"
        if not isinstance(table, dict):
            raise ConfigError(f"{at}: expected a table like {{ unit_price = 18.0, unit_cost = 10.8 }}, "
                              f"got {_shown(table)}")
        extra = set(table) - set(PRICE_KEYS)
        if extra:
            raise ConfigError(f"{at}: unknown keys {sorted(extra)}; use {', '.join(PRICE_KEYS)}")
        values = {k: _number(v, f"{at} {k}") for k, v in table.items()}
        if any(v < 0 for v in values.values()):
            raise ConfigError(f"{at}: a price cannot be negative")
        if values.get("concession_price", 0) > values.get("unit_price", float("inf")):
            raise ConfigError(f"{at}: concession_price is above unit_price (the concession would be a gain)")
        for disposition, rule in sorted(rules.items()):
            lacking = [k for k in LOSS_RULES[rule] if k not in values]
            if lacking:
                raise ConfigError(f"{at}: no {' or '.join(lacking)}, which the {disposition} rule ({rule}) needs; "
                                  "give it, or leave the product out to flag its rows")
        prices[product] = values
    listed = raw.get("accident_bands", [{"above": a, "share": s, "minimum": m} for a, s, m in d.accident_bands])
    if not isinstance(listed, list):
        raise ConfigError(f"{where} accident_bands must be a list of [[loss_rules.accident_bands]] tables")
    bands = []
    for i, band in enumerate(listed):
        at = f"{source}: [[loss_rules.accident_bands]] #{i + 1}"
        if not isinstance(band, dict) or set(band) != {"above", "share", "minimum"}:
            raise ConfigError(f"{at}: expected above, share and minimum")
        above, part, minimum = (_number(band[k], f"{at} {k}") for k in ("above", "share", "minimum"))
        if above < 0 or minimum < 0 or not 0 <= part <= 1:
            raise ConfigError(f"{at}: above and minimum must be >= 0 and share a fraction between 0 and 1")
        bands.append((above, part, minimum))
    if [b[0] for b in bands] != sorted({b[0] for b in bands}):
        raise ConfigError(f"{where} accident_bands must be listed by rising `above`, each once")
    return LossRulesConfig(use_as_is_share=share, dispositions=rules, prices=prices, accident_bands=tuple(bands))
