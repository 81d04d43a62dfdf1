"""The demo generator: deterministic, well-formed, and every documented story visible in the data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines import demo
from pipelines.datasets import DATASETS, NONCONFORMITIES, SURVEYS, TICKETS
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)

PROFILES = Path(__file__).resolve().parents[1] / "data" / "profiles"
N = 20_000
BAD_TICKETS = {"TQ000001", "TQ000002", "TQ000003"}
CHAIN = ["created_at", "dispatched_at", "first_response_at", "on_site_at", "resolved_at", "closed_at"]
CANONICAL_TS = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[tuple[Path, str]]]:
    out = tmp_path_factory.mktemp("demo")
    return out, demo.generate_demo(out, tickets=N)


def _profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / f"{name}.yaml").read_text(encoding="utf-8"))


def _apply_profile(frame: pl.DataFrame, profile: dict, ts_columns: list[str]) -> pl.DataFrame:
    """A minimal reader of the profile format: rename, recode values, timestamps to canonical text."""
    frame = frame.rename({src: canon for canon, src in profile["columns"].items()})
    recode = [pl.col(c).replace_strict({str(k): (str(v).lower() if isinstance(v, bool) else str(v))
                                        for k, v in m.items()}, default=None)
              for c, m in profile.get("values", {}).items()]
    fmt = profile["datetime_format"]
    frame = frame.with_columns(*recode)
    return frame.with_columns(
        pl.col(c).str.strptime(pl.Datetime, fmt).dt.strftime(CANONICAL_TS) for c in ts_columns)


def _read(files: list[tuple[Path, str]], dataset: str) -> pl.DataFrame:
    frames = []
    for path, profile in files:
        if not profile.startswith(dataset + "__"):
            continue
        if path.suffix == ".csv":
            raw = path.read_bytes()
            encoding = _profile(profile).get("source", {}).get("encoding", "utf-8") \
                if profile.endswith("_zh") else "utf-8"
            frame = pl.read_csv(raw.decode(encoding).encode("utf-8"), infer_schema=False)
        elif path.suffix == ".xlsx":
            frame = pl.read_excel(path, infer_schema_length=0)
        elif path.suffix == ".ndjson":
            frame = pl.read_ndjson(path).with_columns(pl.all().cast(pl.Utf8))
        else:
            frame = pl.read_parquet(path).with_columns(
                pl.col(pl.Datetime).dt.strftime(CANONICAL_TS), pl.exclude(pl.Datetime).cast(pl.Utf8))
        if profile.endswith("_zh"):
            frame = _apply_profile(frame, _profile(profile), DATASETS[dataset].timestamp_columns)
        frames.append(frame.select(list(DATASETS[dataset].columns)))
    out = pl.concat(frames)
    return out.with_columns(
        pl.col(c).str.strptime(pl.Datetime, CANONICAL_TS) for c in DATASETS[dataset].timestamp_columns)


@pytest.fixture(scope="module")
def data(generated) -> dict[str, pl.DataFrame]:
    _, files = generated
    t = _read(files, "tickets").with_columns(
        pl.col("reopen_count").cast(pl.Float64).cast(pl.Int32), pl.col("distance_km").cast(pl.Float64),
        *(pl.col(c).replace_strict({"true": True, "false": False}, default=None)
          for c in ("is_escalated", "is_attributable_to_service", "is_repeat_complaint")))
    s = _read(files, "surveys").with_columns(
        pl.col(c).cast(pl.Float64).cast(pl.Int32)
        for c in ("score", "score_attitude", "score_skill", "score_timeliness", "score_promise",
                  "recommend_score"))
    i = _read(files, "inspections").with_columns(
        pl.col(c).cast(pl.Int32) for c in ("lot_qty", "inspected_qty", "nonconforming_qty"))
    n = _read(files, "nonconformities").with_columns(
        pl.col("qty").cast(pl.Int32), *(pl.col(c).cast(pl.Float64) for c in
                                        ("material_cost", "labour_cost", "discount_cost", "external_cost")))
    return {"tickets": t, "surveys": s, "inspections": i, "nonconformities": n}


def test_deterministic(generated, tmp_path):
    out, files = generated
    again = demo.generate_demo(tmp_path, tickets=N)
    assert [(p.name, prof) for p, prof in files] == [(p.name, prof) for p, prof in again]
    for (a, _), (b, _) in zip(files, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = demo.generate_demo(tmp_path / "other", tickets=N, seed=7)
    assert other[1][0].read_bytes() != files[1][0].read_bytes()


def test_file_list_and_profiles(generated):
    out, files = generated
    names = [(p.name, prof) for p, prof in files]
    assert names == [
        ("inspections.parquet", "inspections__canonical"),
        ("tickets_2024.csv", "tickets__canonical"), ("tickets_2025.csv", "tickets__canonical"),
        ("tickets_2026.csv", "tickets__canonical"), ("riverside_hotline.csv", "tickets__hotline_zh"),
        ("riverside_events.csv", "ticket_events__hotline_zh"),
        ("surveys.csv", "surveys__canonical"), ("riverside_followup.xlsx", "surveys__followup_zh"),
        ("nonconformities_lots.ndjson", "nonconformities__canonical"),
        ("nonconformities_field.ndjson", "nonconformities__canonical"),
        ("hotline_calls.csv", "calls__acd_zh"), ("hotline_roster.csv", "roster__wfm_zh"),
        ("corrective_actions.csv", "corrective_actions__canonical"),
        ("nonconformities_recent.csv", "nonconformities__canonical"), ("nc_steps.csv", "nonconformity_events__qc_zh"),
    ]
    assert all(p.parent == out and p.stat().st_size > 0 for p, _ in files)
    for name in ("tickets__hotline_zh", "surveys__followup_zh"):
        prof = _profile(name)
        assert prof["dataset"] == name.split("__")[0]
        assert set(prof["columns"]) <= set(DATASETS[prof["dataset"]].columns)


def test_chinese_files_decode_and_every_value_is_mapped(generated):
    out, _ = generated
    raw = (out / "riverside_hotline.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    hotline = pl.read_csv(raw.decode("gb18030").encode("utf-8"), infer_schema=False)
    prof = _profile("tickets__hotline_zh")
    assert hotline.columns == list(prof["columns"].values())
    assert hotline.columns[:4] == ["工单编号", "受理时间", "登记时间", "来源渠道"]
    assert prof["source"]["encoding"] == "gb18030"
    for canon, mapping in prof["values"].items():
        seen = set(hotline[prof["columns"][canon]].drop_nulls().unique())
        assert seen and seen <= set(mapping), (canon, seen - set(mapping))
    assert hotline["受理时间"].str.contains(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}$").all()
    assert set(hotline["工单类型"]) >= {"报修", "投诉", "咨询", "三包"}

    book = pl.read_excel(out / "riverside_followup.xlsx", infer_schema_length=0)
    sprof = _profile("surveys__followup_zh")
    assert book.columns == list(sprof["columns"].values())
    for canon, mapping in sprof["values"].items():
        seen = set(book[sprof["columns"][canon]].drop_nulls().unique())
        assert seen and seen <= {str(k) for k in mapping}, (canon, seen)
    assert set(book["满意度"].drop_nulls()) >= {"非常满意", "满意"}


def test_canonical_columns_and_value_sets(data):
    for name, frame in data.items():
        ds = DATASETS[name]
        assert frame.columns == list(ds.columns)
        assert frame[ds.key].n_unique() == frame.height, name
        for col, allowed in ds.value_sets.items():
            bad = frame.filter(pl.col(col).is_not_null() & ~pl.col(col).is_in(list(allowed)))
            expected = {"tickets": {"TQ000003"}, "nonconformities": {"NCQ00001"}}.get(name, set())
            assert set(bad[ds.key]) <= expected, (name, col, bad[ds.key].to_list())
    t = data["tickets"]
    graded = t.filter(pl.col("complaint_grade").is_not_null())
    assert graded["ticket_type"].unique().to_list() == ["complaint"]
    assert t.filter(pl.col("is_attributable_to_service").is_not_null())["ticket_type"].unique().to_list() \
        == ["complaint"]
    assert t.filter(pl.col("ticket_type") == "warranty")["batch_id"].null_count() == 0
    lots = set(data["inspections"]["lot_id"])
    assert set(t["batch_id"].drop_nulls()) <= lots
    assert t["created_at"].min() >= datetime(2024, 11, 23) and t["created_at"].max() < datetime(2026, 11, 23)
    assert (t.filter(pl.col("ticket_type") == "warranty")["distance_km"] > 100).any()
    # surveys point at real tickets and follow their resolution
    s = data["surveys"].join(t.select("ticket_id", "resolved_at", "site"), on="ticket_id", how="left")
    assert s.filter(pl.col("ticket_id").is_not_null() & pl.col("resolved_at").is_null()).height == 0
    assert (s.filter(pl.col("ticket_id").is_not_null())
            .filter(pl.col("attempted_at") < pl.col("resolved_at")).height == 0)
    assert (s["site"] == s["site_right"]).fill_null(True).all()


def test_lifecycle_order_except_bad_rows(data):
    t = data["tickets"]
    pairs = [(a, b) for i, a in enumerate(CHAIN) for b in CHAIN[i + 1:]]
    broken = t.filter(pl.any_horizontal([pl.col(a) > pl.col(b) for a, b in pairs]))
    assert set(broken["ticket_id"]) == {"TQ000001", "TQ000002"}
    status = t.filter(~pl.col("ticket_id").is_in(list(BAD_TICKETS)))
    assert status.filter((pl.col("status") == "closed") & pl.col("resolved_at").is_null()).height == 0
    assert status.filter(pl.col("status").is_in(["open", "in_progress"]) & pl.col("resolved_at").is_not_null()
                         ).height == 0
    assert status.filter((pl.col("status") == "open") & pl.col("first_response_at").is_not_null()).height == 0
    # a few % open near the end, very few older
    end = datetime(2026, 11, 23)
    unresolved = pl.col("status").is_in(["open", "in_progress"])
    recent = status.filter(pl.col("created_at") >= end - timedelta(days=7)).select(unresolved).to_series()
    older = status.filter((pl.col("created_at") < end - timedelta(days=60)) & unresolved).height
    older /= status.height
    assert 0.02 < recent.mean() < 0.25 and older < 0.005
    # inquiries answered on the call: first response within minutes, no dispatch, no visit
    on_call = status.filter((pl.col("ticket_type") == "inquiry") & pl.col("dispatched_at").is_null()
                            & pl.col("first_response_at").is_not_null())
    assert on_call.height > 0 and on_call["on_site_at"].null_count() == on_call.height
    assert ((on_call["first_response_at"] - on_call["created_at"]).dt.total_seconds() <= 600).all()


def test_story_seasonality(data):
    t = data["tickets"]
    by_hour = t.group_by(pl.col("created_at").dt.hour().alias("h")).len().sort("h")["len"].to_list()
    assert by_hour[10] > 3 * by_hour[3] and by_hour[18] > by_hour[14] and by_hour[3] > 0
    by_day = t.group_by(pl.col("created_at").dt.weekday().alias("d")).len().sort("d")["len"].to_list()
    assert min(by_day[:5]) > max(by_day[5:])


def test_story_spring_festival(data):
    weekly = (data["tickets"].group_by(pl.col("created_at").dt.truncate("1w").alias("wk")).len()
              .filter(pl.col("wk").is_between(datetime(2024, 11, 25), datetime(2026, 11, 16))))
    median = weekly["len"].median()

    def week(d: date) -> int:
        return weekly.filter(pl.col("wk") == datetime(d.year, d.month, d.day))["len"][0]

    assert week(date(2026, 2, 16)) < 0.5 * median          # holiday week 2026-W08
    assert week(date(2025, 1, 27)) < 0.6 * median          # holiday week 2025-W05
    assert week(date(2026, 2, 23)) > 1.15 * median         # the surge after
    assert week(date(2025, 2, 3)) > 1.15 * median


def test_story_hillcrest_shortage(data):
    t = data["tickets"].with_columns(
        shortage=pl.col("created_at").is_between(datetime(2026, 9, 14), datetime(2026, 10, 12),
                                                 closed="left"),
        fr=(pl.col("first_response_at") - pl.col("created_at")).dt.total_seconds(),
        os=(pl.col("on_site_at") - pl.col("created_at")).dt.total_seconds(),
    )
    repairs = t.filter((pl.col("site") == "Hillcrest") & (pl.col("ticket_type") == "repair"))
    med = repairs.group_by("shortage").agg(pl.col("fr").median(), pl.col("os").median())
    during = med.filter(pl.col("shortage")).row(0, named=True)
    other = med.filter(~pl.col("shortage")).row(0, named=True)
    assert during["fr"] >= 2 * other["fr"] and during["os"] >= 2 * other["os"]
    # no other site slowed down in those weeks
    others = t.filter((pl.col("site") != "Hillcrest") & (pl.col("ticket_type") == "repair"))
    m2 = others.group_by("shortage").agg(pl.col("fr").median()).sort("shortage")["fr"].to_list()
    assert m2[1] < 1.5 * m2[0]
    # attributable complaints there well above 3 %
    rate = t.filter((pl.col("site") == "Hillcrest") & pl.col("shortage"))["is_attributable_to_service"] \
        .fill_null(False).mean()
    assert rate > 0.05
    s = data["surveys"].filter(pl.col("outcome") == "responded").join(
        t.select("ticket_id", "site", "shortage"), on="ticket_id", how="inner", suffix="_t")
    csat = s.group_by(hit=(pl.col("site") == "Hillcrest") & pl.col("shortage")).agg(
        (pl.col("score") >= 4).mean())
    assert csat.filter(pl.col("hit"))["score"][0] < csat.filter(~pl.col("hit"))["score"][0] - 0.1


def test_story_bad_material_batch(data):
    ins = data["inspections"].filter(pl.col("stage") != "incoming")
    rate = ins.group_by(bad=pl.col("material_batch_id") == demo.BAD_BATCH).agg(
        r=pl.col("nonconforming_qty").sum() / pl.col("inspected_qty").sum(), lots=pl.len())
    bad = rate.filter(pl.col("bad")).row(0, named=True)
    rest = rate.filter(~pl.col("bad")).row(0, named=True)
    assert bad["lots"] >= 10 and 0.06 < bad["r"] < 0.14 and bad["r"] > 4 * rest["r"]
    bad_lots = data["inspections"].filter((pl.col("material_batch_id") == demo.BAD_BATCH)
                                          & (pl.col("stage") == "final"))
    assert bad_lots["product"].unique().to_list() == ["sealant"]
    assert bad_lots["production_date"].min() >= "2026-03-16"
    assert bad_lots["production_date"].max() <= "2026-04-05"
    # field failures 2-8 weeks later: claims citing those lots, each confirmed one with an external cost
    t = data["tickets"]
    claims = t.filter(pl.col("batch_id").is_in(bad_lots["lot_id"].implode()))
    in_window = claims.filter(pl.col("created_at").is_between(datetime(2026, 3, 30), datetime(2026, 5, 31)))
    assert in_window.height >= 10 and in_window.height > 0.8 * claims.height
    sealant = t.filter(pl.col("product") == "sealant")
    window = sealant["created_at"].is_between(datetime(2026, 4, 13), datetime(2026, 5, 11), closed="left")
    assert window.sum() / 28 > 2 * (~window).sum() / (730 - 28)         # sealant claims per day
    field = data["nonconformities"].filter(pl.col("ticket_id").is_not_null())
    assert (field["external_cost"] > 0).all()
    bad_field = field.filter(pl.col("lot_id").is_in(bad_lots["lot_id"].implode()))
    assert bad_field.height >= 5
    assert bad_field["responsible_department"].mode()[0] == "purchasing"
    linked = field.join(t.select("ticket_id", "batch_id", "created_at"), on="ticket_id", how="inner")
    assert linked.height == field.height and (linked["lot_id"] == linked["batch_id"]).all()
    assert ((linked["found_at"] - linked["created_at"]).dt.total_hours() < 72).all()
    s = data["surveys"].filter(pl.col("outcome") == "responded").join(
        t.select("ticket_id", "batch_id"), on="ticket_id", how="inner")
    hit = s.filter(pl.col("batch_id").is_in(bad_lots["lot_id"].implode()))
    assert hit.height >= 5 and (hit["score"] >= 4).mean() < (s["score"] >= 4).mean() - 0.15


def test_story_reopen_escalation_backfill(data):
    t = data["tickets"]
    assert 0.015 < (t["reopen_count"] > 0).mean() < 0.05
    assert 0.01 < t["is_escalated"].mean() < 0.035
    attributable = t["is_attributable_to_service"].fill_null(False).mean()
    assert 0.015 < attributable < 0.03
    backfilled = t.filter(
        ((pl.col("created_at").dt.hour() >= 22) | (pl.col("created_at").dt.hour() < 6))
        & ((pl.col("recorded_at") - pl.col("created_at")).dt.total_hours() >= 2)
        & pl.col("recorded_at").dt.hour().is_between(8, 9))
    assert backfilled.height > 0.005 * t.height
    assert (backfilled["recorded_at"].dt.date() > backfilled["created_at"].dt.date()).any()
    s, n = data["surveys"], data["nonconformities"]
    assert 0.6 < (s["outcome"] == "responded").mean() < 0.8
    csat = (s.filter(pl.col("outcome") == "responded")["score"] >= 4).mean()
    assert 0.82 < csat < 0.92
    assert s["comment"].str.contains("迟到|came back").any()
    pareto = n.filter(pl.col("ticket_id").is_null())["defect_type"].value_counts(sort=True)
    assert pareto.height == 8 and pareto["count"][0] > 3 * pareto["count"][-1]
    assert set(n["responsible_department"]) == {"market", "production", "technology", "purchasing", "quality",
                                                "logistics"}


def test_deliberately_bad_rows(data):
    t, s, i, n = data["tickets"], data["surveys"], data["inspections"], data["nonconformities"]
    backwards = t.filter(pl.col("resolved_at") < pl.col("created_at"))
    assert set(backwards["ticket_id"]) == {"TQ000001", "TQ000002"}
    unknown_channel = t.filter(~pl.col("channel").is_in(list(TICKETS.value_sets["channel"])))
    assert set(unknown_channel["ticket_id"]) == {"TQ000003"}
    out_of_scale = s.filter(~pl.col("score").is_between(1, 5))
    assert set(out_of_scale["survey_id"]) == {"SQ000001", "SQ000002", "SQ000003"}
    for c in ("score_attitude", "score_skill", "score_timeliness", "score_promise"):
        assert s[c].drop_nulls().is_between(1, 5).all()
    assert s["recommend_score"].drop_nulls().is_between(0, 10).all()
    assert i.filter(pl.col("nonconforming_qty") > pl.col("inspected_qty"))["lot_id"].to_list() == ["LQ000001"]
    assert (i["production_date"].str.to_date() <= i["inspected_at"].dt.date()).all()
    assert n.filter(~pl.col("disposition").is_in(list(NONCONFORMITIES.value_sets["disposition"])))["nc_id"] \
        .to_list() == ["NCQ00001"]
    assert set(SURVEYS.columns) == set(s.columns)


def test_chunked_generation(tmp_path):
    files = demo.generate_demo(tmp_path, tickets=2_500, chunk_size=1_000)
    names = [p.name for p, _ in files]
    assert "riverside_hotline_part01.csv" in names and "riverside_hotline_part03.csv" in names
    assert "surveys_part03.csv" in names and "nonconformities_field_part02.ndjson" in names
    kinds = [prof.split("__")[0] for _, prof in files]
    assert kinds.index("surveys") > max(i for i, k in enumerate(kinds) if k == "tickets")
    assert kinds[-6:] == ["nonconformities", "calls", "roster", "corrective_actions", "nonconformities",
                          "nonconformity_events"]
    t = _read(files, "tickets")
    # the hotline's appeal tickets (AP..., issue 14) come on top of the 2,500
    real = t.filter(~pl.col("ticket_id").is_in(list(BAD_TICKETS)) & ~pl.col("ticket_id").str.starts_with("AP"))
    assert real.height == 2_500 and real["ticket_id"].n_unique() == 2_500
    assert real.sort("ticket_id")["created_at"].is_sorted()
    s = _read(files, "surveys")
    assert s["survey_id"].n_unique() == s.height
    assert set(s["ticket_id"].drop_nulls()) <= set(t["ticket_id"])
    n = _read(files, "nonconformities")
    assert n["nc_id"].n_unique() == n.height


def test_stories_move_with_the_end_date_by_whole_weeks():
    assert demo.Stories.ending(demo.BASE_END).shortage == demo.SHORTAGE
    later = demo.Stories.ending(date(2029, 2, 27))
    shift = later.shortage[0] - demo.SHORTAGE[0]
    assert shift.days % 7 == 0 and shift.days > 0
    assert later.shortage[0].isoweekday() == 1                 # still starts on a Monday
    assert (date(2029, 2, 27) - later.shortage[1]).days == (demo.BASE_END - demo.SHORTAGE[1]).days + (
        (date(2029, 2, 27) - demo.BASE_END).days % 7)
    assert later.bad_claims[0] - demo.BAD_CLAIMS[0] == shift
    # the real Spring Festival of the later years, from `holidays`: 2029's New Year's Day is 13 Feb
    assert (date(2029, 2, 12), date(2029, 2, 19)) in later.spring_festival


@pytest.mark.clock("2029-02-28T09:30:00+08:00")
def test_the_demo_ends_yesterday_and_looks_current(tmp_path):
    """A newcomer's demo is a current, mostly healthy operation: data to yesterday, no freshness warning, a
    backlog of days, not of years (it once showed 169 open tickets, all breached, aged up to 17,466 h)."""
    from pipelines.ingest import REFUSED, ingest_files
    from pipelines.warehouse import connect
    from tests.conftest import make_project

    config = make_project(tmp_path)
    files = demo.generate_demo(tmp_path / "demo", tickets=3_000)
    t = _read(files, "tickets")
    assert t["created_at"].max().date() == date(2029, 2, 27)
    results = ingest_files([p for p, _ in files], config, [name for _, name in files])
    assert not [r.message for r in results if r.status == REFUSED]
    con = connect(config)
    try:
        # the newest run per dataset (what the sidebar shows) is fresh; older per-year files of the backfill
        # are old by nature
        stale = con.sql("""
            WITH newest AS (SELECT dataset, arg_max(run_id, finished_at) AS run_id FROM meta.dq_runs
                            GROUP BY dataset)
            SELECT count(*) FROM meta.dq_results JOIN newest USING (run_id)
            WHERE expectation = 'fresh_within_days' AND NOT success""")
        assert stale.fetchall() == [(0,)]
        ages = con.sql("SELECT max(newest_record_at) FROM meta.load_log").fetchall()[0][0]
        assert ages is not None
        open_, oldest = con.sql("SELECT count(*), max(age_hours) FROM metrics.backlog").fetchall()[0]
        assert 0 < open_ < 3_000 * 0.01 and oldest < 120 * 24, (open_, oldest)
    finally:
        con.close()


@pytest.mark.parametrize("calls_per_day", [200, 600])     # the dashboards' 3,000-ticket demo; the default 60,000
def test_the_demo_hotline_agents_take_one_call_at_a_time(calls_per_day):
    """The demo's agents answer a call only once their previous call and its wrap-up are done, and only in an
    interval they are rostered for (a random agent per call put 4,168 of 21,431 calls on a busy agent, so the demo
    tripped its own agent_calls_overlap warning); a caller no agent could take hangs up (a handful)."""
    import numpy as np

    calls, roster = demo._hotline_calls(np.random.default_rng(np.random.SeedSequence([20261122, 16])),
                                        date(2026, 11, 22), calls_per_day)
    ts = [pl.col(c).str.strptime(pl.Datetime, CANONICAL_TS).alias(c) for c in ("进线时间", "应答时间", "挂机时间")]
    answered = (calls.filter(pl.col("结果") == "接通").with_columns(ts)
                .with_columns(free=pl.col("挂机时间") + pl.duration(seconds=pl.col("话后处理时长")))
                .sort("坐席", "应答时间"))
    assert answered["坐席"].null_count() == 0 and answered.height > 0.88 * calls.height
    overlaps = answered.select(
        talk=(pl.col("应答时间") < pl.col("挂机时间").shift(1).over("坐席")).sum(),        # what the suite checks
        busy=(pl.col("应答时间") < pl.col("free").shift(1).over("坐席")).sum(),            # with the wrap-up
        waits=(pl.col("应答时间") - pl.col("进线时间") != pl.duration(seconds=pl.col("等待时长"))).sum())
    assert overlaps.row(0) == (0, 0, 0)
    rostered = roster.select("坐席", pl.col("时段开始").str.strptime(pl.Datetime, "%Y-%m-%d %H:%M").alias("slot"))
    unrostered = answered.with_columns(slot=pl.col("应答时间").dt.truncate("30m")).join(
        rostered, on=["坐席", "slot"], how="anti")
    assert unrostered.height == 0
    # offered from the first of the 16 weeks on; the answered calls' wrap-ups done by the end of the last day
    first = calls.select(pl.col("进线时间").str.strptime(pl.Datetime, CANONICAL_TS).min().dt.date()).item()
    assert first == date(2026, 11, 22) - timedelta(weeks=16) + timedelta(days=1)
    assert answered["free"].max() <= datetime(2026, 11, 23)


def test_the_demo_load_raises_no_agent_overlap_warning(demo_project):  # noqa: F811 (pytest fixture)
    """What `sqd demo` loads: the calls suite's agent_calls_overlap ran on the demo's calls and found no row."""
    from pipelines.warehouse import connect

    con = connect(demo_project.config)
    try:
        got = con.execute("SELECT r.success, r.unexpected_count FROM meta.dq_results r JOIN meta.dq_runs USING "
                          "(run_id) WHERE r.expectation = 'agent_calls_overlap'").fetchall()
        calls = con.execute("SELECT count(*) FROM core.calls WHERE agent IS NOT NULL").fetchall()[0][0]
    finally:
        con.close()
    assert got == [(True, 0)] and calls > 15_000


def test_the_demo_calls_name_the_tickets_they_registered(demo_project):  # noqa: F811 (pytest fixture)
    """Issue 16: calls that created tickets join the ticket's lifecycle. Each of the hotline's recent phone tickets
    names the answered call it was registered in (answered within 30 minutes before it), one call per ticket, and a
    few callers call again about theirs, which first-contact resolution counts."""
    from pipelines.warehouse import connect

    con = connect(demo_project.config)
    try:
        linked, tickets, answered_before, repeats, unknown = con.sql("""
            WITH first AS (SELECT ticket_id, min(answered_at) AS answered_at, count(*) AS calls
                           FROM core.calls WHERE ticket_id IS NOT NULL GROUP BY ticket_id)
            SELECT count(*), count(t.ticket_id),
                   count(*) FILTER (WHERE f.answered_at < t.created_at + INTERVAL 1 MINUTE   -- the export
                                    AND f.answered_at >= t.created_at - INTERVAL 30 MINUTE),  -- has no seconds
                   count(*) FILTER (WHERE f.calls > 1),
                   count(*) FILTER (WHERE t.ticket_id IS NULL)
            FROM first AS f LEFT JOIN core.tickets AS t USING (ticket_id)""").fetchall()[0]
        assert linked > 20 and tickets == linked and unknown == 0
        assert answered_before == linked and 0 < repeats < linked / 4
        assert con.sql("SELECT count(*) FILTER (WHERE calls > 0), count(*) FILTER (WHERE repeat_calls > 0) "
                       "FROM metrics.first_contact_resolution").fetchall() == [(linked, repeats)]
    finally:
        con.close()
