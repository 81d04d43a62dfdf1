"""Weekly quality review: pick an ISO week, a month or a quarter (default the last full one); the scorecard against targets with a
traffic light, week-over-week change and four-week trend; what changed and why; top SLA breaches; the contact
centre's worst intervals; p-chart signals;
this week's and last week's defect Pareto; the lowest-scored comments; open class-1 complaints; and the meeting's
notes, saved per period. A month or quarter adds the change on a year before and the seeds' monthly tables; every
period lists the corrective actions open at its end, and a form adds one from the review's decisions
(dashboard/sections/capa.py). The computations are pipelines/weekly.py's, the charts pipelines/report.py's (the
same pack `sqd report` writes)."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard.sections import capa as capa_section
from dashboard import auth, ui
from dashboard.i18n_workspace import t
from pipelines import clock, report, weekly
from pipelines.report_template import CODED_COLUMNS, SPARK_CSS, STATUS_MARKS, value_label
from pipelines.report_template import column as column_name

ctx = ui.page_context()
lg, run, config = ctx.lang, ctx.run, ctx.config


def tr(key: str, **values: object) -> str:
    return t(key, lg, **values)


# The report's scorecard table, styled to read on the light and the dark theme.
SCORECARD_CSS = """<style>
table.scorecard { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
table.scorecard th, table.scorecard td { border-bottom: 1px solid rgba(128, 128, 128, 0.3); padding: 4px 6px;
  text-align: left; vertical-align: top; }
table.scorecard .num, table.scorecard td[data-col="light"] { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
table.scorecard td[data-col="light"] { text-align: left; }
.mark { display: inline-block; width: 1.1em; margin-right: 0.3em; text-align: center; font-weight: 700; }
""" + "".join(f".mark.{status} {{ color: {colour}; }}\n" for status, (_, colour, _key) in STATUS_MARKS.items()) \
    + SPARK_CSS + """
</style>"""


def escape_markdown(text: str) -> str:
    """Text from the data (categories, agents) shown literally in st.markdown."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|:~$])", r"\\\1", text)


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Coded values (categories, targets, statuses, signals...) named by the pack's value_label, as in the PDF."""
    coded = [c for c in frame.columns if c in CODED_COLUMNS and frame.schema[c] == pl.Utf8]
    return frame.with_columns(
        pl.col(c).replace_strict({v: value_label(c, v, lg) for v in frame[c].unique().to_list() if v is not None},
                                 default=pl.col(c)) for c in coded)


def table(frame: pl.DataFrame, name: str, percent: tuple[str, ...] = ()) -> None:
    """ui.table with the pack's column names and value labels in the page's language."""
    frame = labelled(frame)
    names: dict[str, str] = {}
    for c in frame.columns:
        text = column_name(c, lg)
        names[c] = text if text not in names.values() else f"{text} ({c})"
    ui.table(frame.rename(names), name, column_config={names[c]: ui.percent_column() for c in percent})

st.title(tr("wr.title"))

pick_kind, pick_period = st.columns([1, 3])
with pick_kind:
    kind = ui.url_selectbox("period", tr("wr.period"), list(weekly.KINDS), default="week",
                            format_func=lambda k: tr(f"wr.kind.{k}")) or "week"
weeks = weekly.available_periods(run, clock.today(ctx.config.timezone), kind)
if not weeks:
    st.info(tr("wr.no_weeks") if kind == "week" else tr("wr.no_periods", kind=tr(f"wr.kind.{kind}").lower()))
    st.stop()
labels = [w.label for w in weeks]
by_label = {w.label: w for w in weeks}
with pick_period:   # the week keeps its link parameter (?weekly_review_week=2026-W46); months and quarters their own
    chosen = ui.url_selectbox(kind, tr(f"wr.{kind}"), labels, default=labels[0],
                              format_func=lambda w: tr("wr.period_option", period=w, start=by_label[w].start,
                                                       end=by_label[w].end))
week = by_label[chosen]
pack = weekly.build_pack(run, config, week)  # a site-scoped account's `run` reads its sites only (auth.runner)
if ctx.session.masked:  # a viewer: customer ids, phone numbers and names in comments masked, page and download
    pack = auth.mask_pack(pack)
    st.caption(tr("auth.masked_note"))
log = auth.recorder()
figs = report.figures(pack, lg)
if pack.unfinished_through is not None:
    st.warning(t("pack.unfinished", lg, week.kind, through=pack.unfinished_through), icon=":material/schedule:")
if pack.approximate_calendar:
    st.warning(t("pack.calendar", lg, week.kind, years=", ".join(map(str, pack.approximate_calendar))),
               icon=":material/event_busy:")
st.caption(t("pack.subtitle", lg, week.kind, week=week.label, start=week.start, end=week.end, tz=pack.timezone,
             generated=report.generated_text(pack)))
st.caption(tr("wr.scope"))
st.download_button(tr("wr.download_html"),
                   lambda: (log("download", detail=f"{report.report_name(pack, lg)}.html"),
                            report.render_html(pack, lg).encode("utf-8"))[1],
                   file_name=f"{report.report_name(pack, lg)}.html", mime="text/html", on_click="ignore",
                   icon=":material/download:", help=tr("wr.download.help", week=week.label), key="wr_html")


def section(key: str, help_key: str | None = None) -> None:
    st.subheader(t(f"section.{key}", lg, week.kind), help=t(help_key, lg, week.kind) if help_key else None)


# ------------------------------------------------------------------ scorecard
section("scorecard", "section.scorecard.help")
st.html(SCORECARD_CSS + report.scorecard_table(pack, lg))

section("trends")
ui.chart(figs["trend"], "trend")

# ------------------------------------------------------------------ what changed
section("changes", "section.changes.help")
if not pack.changes:
    st.success(t("none.changes", lg, week.kind), icon=":material/check_circle:")


def change_note(change: weekly.Change) -> None:
    # a bordered note rather than st.error / st.success: a deterioration is news, not a failure of the page
    with st.container(border=True):
        badge = (f":blue-badge[:material/thumb_up: {tr('wr.better')}]" if change.improved
                 else f":orange-badge[:material/warning: {tr('wr.worse')}]")
        arrow = ":material/trending_up:" if change.delta > 0 else ":material/trending_down:"
        st.markdown(f"{badge} {arrow} {escape_markdown(change.sentence(lg))}")
    ui.chart(figs[change.figure_key], change.figure_key.replace("-", "_"))
    with st.expander(tr("wr.contributions")):
        frame = change.contributions
        shown = frame.with_columns(
            pl.Series("value", [value_label(d, v, lg) for d, v in frame.select("dimension", "value").iter_rows()]),
            pl.Series("dimension", [t(f"dim.{d}", lg) for d in frame["dimension"].to_list()]),
            pl.format("{} / {}", "n1", "d1").alias("counts_current"),
            pl.format("{} / {}", "n0", "d0").alias("counts_reference"),
        ).select("dimension", "value", "contribution", "share", "rate_current", "counts_current", "rate_reference",
                 "counts_reference")
        st.dataframe(shown, hide_index=True, width="stretch",
                     key=ui.element_key("table", f"contrib_{change.figure_key}"),
                     column_config={
            "contribution": st.column_config.NumberColumn(t("col.contribution", lg, week.kind), format="percent"),
            "share": st.column_config.NumberColumn(t("col.share", lg, week.kind), format="percent"),
            "rate_current": st.column_config.NumberColumn(t("col.rate_current", lg, week.kind), format="percent"),
            "rate_reference": st.column_config.NumberColumn(t("col.rate_reference", lg, week.kind), format="percent"),
            "dimension": st.column_config.TextColumn(t("col.dimension", lg, week.kind)),
            "value": st.column_config.TextColumn(t("col.dim_value", lg, week.kind)),
            "counts_current": st.column_config.TextColumn(t("col.counts_current", lg, week.kind)),
            "counts_reference": st.column_config.TextColumn(t("col.counts_reference", lg, week.kind)),
        })


for change in pack.changes:
    change_note(change)

# ------------------------------------------------------------------ a month or quarter: a year before, the seeds' tables
if week.kind != "week":
    section("changes_yoy", "section.changes_yoy.help")
    if not pack.year_changes:
        st.info(t("none.changes_yoy", lg, week.kind))
    for change in pack.year_changes:
        change_note(change)
    section("complaints_department", "section.complaints_department.help")
    if pack.complaints_by_department.height:
        table(pack.complaints_by_department, f"complaints_department_{week.label}", percent=("share",))
    else:
        st.info(t("none.complaints_department", lg, week.kind))
    section("nonconformities", "section.nonconformities.help")
    if pack.nonconformities_by_source.height:
        by_machine, by_department = st.columns([3, 2])
        for holder, grouping, columns in ((by_machine, "machine", ["product", "machine"]),
                                          (by_department, "department", ["department"])):
            with holder:
                table(pack.nonconformities_by_source.filter(pl.col("grouping") == grouping)
                      .select(*columns, "records", "qty", "total_cost", "cost_share"),
                      f"nonconformities_{grouping}_{week.label}", percent=("cost_share",))
    else:
        st.info(t("none.nonconformities", lg, week.kind))
    section("satisfaction_kind", "section.satisfaction_kind.help")
    if pack.satisfaction_by_kind.height:
        table(capa_section.coded(pack.satisfaction_by_kind, lg), f"satisfaction_kind_{week.label}",
              percent=("satisfaction_rate", "kind_target", "csat"))
    else:
        st.info(t("none.satisfaction_kind", lg, week.kind))

# ------------------------------------------------------------------ lists
section("breaches", "section.breaches.help")
if pack.breaches.height:
    left, right = st.columns([1, 3])
    with left:
        st.caption(tr("wr.breaches_by_site"))
        table(pack.breaches_by_site, f"breaches_by_site_{week.label}", percent=("attainment_rate",))
    with right:
        table(pack.breaches, f"breaches_{week.label}")
else:
    st.info(t("none.breaches", lg, week.kind))

st.subheader(t("section.worst_intervals", lg, week.kind), help=weekly.worst_intervals_help(pack, lg))
if pack.worst_intervals.height:
    table(pack.worst_intervals.select(report.WORST_INTERVAL_COLUMNS), f"worst_intervals_{week.label}",
          percent=("service_level", "abandon_rate"))
else:
    st.info(t("none.worst_intervals", lg, week.kind))

section("signals", "section.signals.help")
if pack.signals.height:
    table(pack.signals, f"signals_{week.label}", percent=("defect_rate", "lcl", "ucl"))
    for key, fig in figs.items():
        if key.startswith("pchart-"):
            ui.chart(fig, key)
else:
    st.info(t("none.signals", lg, week.kind))

section("pareto")
if pack.pareto.height:
    ui.chart(figs["pareto"], "pareto")
    this, last = st.columns(2)
    for holder, period in ((this, "this"), (last, "last")):
        with holder:
            st.caption(t(f"pareto.{period}", lg))
            table(pack.pareto.filter(pl.col("period") == period).drop("period"), f"pareto_{period}_{week.label}",
                  percent=("cumulative_share",))
else:
    st.info(t("none.pareto", lg, week.kind))

section("comments", "section.comments.help")
if pack.comments.height:
    table(pack.comments, f"comments_{week.label}")
else:
    st.info(t("none.comments", lg, week.kind))

section("class1", "section.class1.help")
if pack.class1_open.height:
    table(pack.class1_open, f"class1_{week.label}")
else:
    st.info(t("none.class1", lg))

# ------------------------------------------------------------------ corrective actions open at the period's end
section("capa", "section.capa.help")
if pack.capa.height:
    table(capa_section.shown(pack.capa.select(report.CAPA_COLUMNS), lg), f"capa_{week.label}")
else:
    st.info(t("none.capa", lg, week.kind))

# ------------------------------------------------------------------ notes (state_dir)
section("notes")
notes_key = f"wr_notes_{week.label}"
if not ctx.session.account.can("admin"):  # the meeting's notes are the administrator's (issue 17)
    st.markdown(escape_markdown(pack.notes) if pack.notes else "—")
    st.caption(tr("auth.notes_admin"))
else:
    with st.form(f"wr_notes_form_{week.label}", border=False):
        text = st.text_area(tr("wr.notes", week=week.label), value=pack.notes, height=160, key=notes_key,
                            placeholder=tr("wr.notes.placeholder"))
        if st.form_submit_button(tr("wr.notes.save"), icon=":material/save:"):
            weekly.save_notes(config, week, text)
            log("notes", detail=week.label)
            st.success(tr("wr.notes.saved"))

# ------------------------------------------------------------------ a corrective action from the review's decisions
capa_section.add_form(ctx, week)
