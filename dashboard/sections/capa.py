"""The corrective-action (CAPA) tracker and the form that adds an action from a review decision (issue 15).
Layout only: the figures are dashboard/queries_capa.py's, saving is pipelines/weekly.py's `save_action`.
Called from dashboard/pages/defects.py (`tracker`) and dashboard/pages/weekly_review.py (`add_form`)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import streamlit as st

from dashboard import queries_capa, ui
from pipelines import clock, weekly
from pipelines.datasets import CAPA_METRICS, CAPA_SOURCES
from pipelines.report_template import capa_value, column, t as pack_t

CODED = ("source_type", "capa_status", "verification_result", "satisfaction_kind")


def coded(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Coded values (action source, status, result, satisfaction kind) and KPI names in `lang`, as the pack
    prints them; column names unchanged."""
    frame = frame.rename({"status": "capa_status"}) if "status" in frame.columns else frame
    frame = frame.with_columns(
        pl.col(c).replace_strict({v: capa_value(c, v, lang) for v in frame[c].unique().to_list() if v is not None},
                                 default=pl.col(c)) for c in CODED if c in frame.columns)
    if "metric" in frame.columns:
        frame = frame.with_columns(pl.col("metric").replace_strict(
            {v: pack_t(f"kpi.{v}", lang) for v in frame["metric"].unique().to_list() if v is not None},
            default=pl.col("metric")))
    if "is_improved" in frame.columns:     # a check without rates yet has neither: a gap ("—"), never None
        yes, no = (("已改善", "未改善") if lang == "zh" else ("improved", "not improved"))
        frame = frame.with_columns(pl.when(pl.col("is_improved")).then(pl.lit(yes))
                                   .when(~pl.col("is_improved")).then(pl.lit(no)).otherwise(None)
                                   .alias("is_improved"))
    return frame


def shown(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`coded`, with the pack's column names (as the printed pack)."""
    frame = coded(frame, lang)
    names: dict[str, str] = {}
    for c in frame.columns:
        text = ui.tr(f"capa.{c}") if c == "is_improved" else column(c, lang)
        names[c] = text if text not in names.values() else f"{text} ({c})"
    return frame.rename(names)


def tracker(ctx: ui.Context) -> None:
    """Open, overdue, closed without verification and not-effective counts; the list; the effectiveness checks."""
    lg, run = ctx.lang, ctx.run
    with ui.section("capa.title", help_key="capa.help"):
        st.caption(ctx.tr("filter.applies", names=ctx.tr("filter.none")))   # the tracker is organisation-wide
        n = queries_capa.counts(run)
        cols = st.columns(4)
        for holder, key in zip(cols, ("open", "overdue", "closed_unverified", "not_effective"), strict=True):
            holder.metric(ctx.tr(f"capa.{key}"), ui.fmt_int(n[key]), border=True)
        which = ui.url_selectbox("capa", ctx.tr("capa.show"), ["open", "overdue", "closed_unverified", "all"],
                                 default="open", format_func=lambda w: ctx.tr(f"capa.which.{w}"))
        frame = queries_capa.tracker(run, which or "open")
        if frame.height == 0:
            st.info(ctx.tr("capa.none"))
        else:
            ui.table(shown(frame, lg), f"capa_{which}",
                     column_config={column(c, lg): ui.percent_column() for c in ("rate_before", "rate_after")})
        checks = queries_capa.effectiveness(run)
        if checks.height:
            st.markdown("**" + ctx.tr("capa.effectiveness") + "**")
            ui.table(shown(checks, lg), "capa_effectiveness",
                     column_config={column(c, lg): ui.percent_column() for c in ("rate_before", "rate_after")})


def add_form(ctx: ui.Context, period: weekly.Period) -> None:
    """A form on the review page: an action decided in the review of `period` (source: the review, or records
    named), saved and published with weekly.save_action."""
    tr, config = ctx.tr, ctx.config
    st.subheader(tr("wr.capa_add"), help=tr("wr.capa_add.help"))
    if not ctx.session.account.can("admin"):   # saving publishes into the warehouse, as loading files does
        st.caption(tr("wr.capa_add.admin"))
        return
    with st.form(f"wr_capa_form_{period.label}", clear_on_submit=True, border=True):
        action = st.text_area(tr("capa.form.action"), height=80)
        root_cause = st.text_input(tr("capa.form.root_cause"))
        left, right = st.columns(2)
        owner = left.text_input(tr("capa.form.owner"))
        due = right.date_input(tr("capa.form.due"), value=clock.today(config.timezone) + timedelta(days=14))
        # a review decision first: the form is the review's
        sources = ["review", *(c for c in CAPA_SOURCES if c != "review")]
        source = left.selectbox(tr("capa.form.source"), sources,
                                format_func=lambda s: capa_value("source_type", s, ctx.lang))
        metric = right.selectbox(tr("capa.form.metric"), [None, *CAPA_METRICS],
                                 format_func=lambda m: tr("capa.form.metric_none") if m is None
                                 else pack_t(f"kpi.{m}", ctx.lang))
        source_ids = st.text_input(tr("capa.form.source_ids"), placeholder=period.label)
        if st.form_submit_button(tr("capa.form.save"), icon=":material/add_task:"):
            if not action.strip() or not owner.strip() or due is None:
                st.error(tr("capa.form.missing"))
                return
            capa_id, result = weekly.save_action(config, period, action=action, owner=owner, due_date=due,
                                                 root_cause=root_cause, source_type=source,
                                                 source_ids=source_ids.strip() or None, metric=metric)
            from pipelines.ingest import REFUSED  # noqa: PLC0415

            if result.status == REFUSED:
                st.error(tr("capa.form.refused", capa_id=capa_id, message=result.message))
            else:
                st.success(tr("capa.form.saved", capa_id=capa_id))
