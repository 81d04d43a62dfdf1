"""A deterministic demo organisation: two years of tickets, surveys, inspections and nonconformities, and the
hotline's calls and roster of the last 16 weeks.

`generate_demo(out_dir, tickets=60_000, seed=20261122, end_date=yesterday)` writes the files and returns
(path, mapping profile name) in load order. Same arguments, same bytes. Everything is vectorised (numpy and
Polars); tickets are generated in chunks of whole days (<= 1M tickets each), so memory stays ~2 GB at 10M.

The fictional company runs a 24-hour service hotline and field service for six sites (property management
plus after-sales service for its own products) and a plant with two lines making five construction
chemicals. The files come in the formats real sources send, each with the mapping profile that reads it.

Organisation
  sites (region): Riverside (East), Hillcrest (East), Lakeside (South), Parkview (North), Harbourside
                  (South), Westgate (West); 40 hotline/service agents, 6-7 per site.
  ticket departments: engineering, customer_service, security, cleaning, field_service, quality.
  plant "Main plant": Line 1 makes white-glue, grout, primer; Line 2 makes sealant, tile-adhesive.
  nonconformity departments: market, production, technology, purchasing, quality, logistics (sqd.toml).

Files, in load order (with more than one chunk the per-chunk files get a `_partNN` suffix; files of these
names left in out_dir by an earlier run are deleted first)
  inspections.parquet           inspections__canonical      timestamps: naive datetimes, Asia/Shanghai
  tickets_<year>.csv            tickets__canonical          all sites but Riverside, by created year
  riverside_hotline.csv         tickets__hotline_zh         Riverside's hotline export: GB18030, Chinese
                                                            headers and values, "%Y/%m/%d %H:%M"
  surveys.csv                   surveys__canonical          follow-ups of all sites but Riverside
  riverside_followup.xlsx       surveys__followup_zh        Riverside's follow-up workbook: Chinese headers
                                                            and values, timestamps as text "%Y-%m-%d %H:%M"
  nonconformities_lots.ndjson   nonconformities__canonical  the QC lab's lot findings (no ticket_id)
  nonconformities_field.ndjson  nonconformities__canonical  field failures of warranty claims (ticket_id)
  hotline_calls.csv             calls__acd_zh               the hotline's ACD call records, last 16 weeks:
                                                            Chinese headers and values, UTF-8; 工单号 names the
                                                            Riverside phone ticket a call registered (and the
                                                            ticket a caller calls again about)
  hotline_roster.csv            roster__wfm_zh              the hotline's roster: agents per 30 minutes
  riverside_events.csv          ticket_events__hotline_zh   Riverside's work-order steps (pipelines/demo_hotline_events.py):
                                                            GB18030, Chinese step names and departments; loaded
                                                            after the hotline's tickets (+ appeal tickets AP...)
  nonconformities_recent.csv    nonconformities__canonical  the last 7 days' findings without amounts (loss rules)
  nc_steps.csv                  nonconformity_events__qc_zh the QC log of the last 6 weeks' findings' steps
                                                            (pipelines/demo_nc.py): Chinese headers and values
  corrective_actions.csv        corrective_actions__canonical  six corrective actions (pipelines/demo_capa.py):
                                                            one overdue, one verified not effective
Canonical CSV/NDJSON: UTF-8, timestamps as local wall time "YYYY-MM-DD HH:MM:SS", booleans true/false,
null = empty.

Stories a quality review must catch (dates are fixed; a story outside the generated range does not occur):

 # | story            | where / when                       | how it shows in weekly aggregates
---+------------------+------------------------------------+----------------------------------------------
 1 | seasonality      | all sites, every week              | arrivals peak 10:00-11:00 and 18:00-20:00;
   |                  |                                    | Sat x0.72, Sun x0.62 of a weekday; ~8 % of
   |                  |                                    | tickets 22:00-06:00 (24-hour hotline, mostly
   |                  |                                    | repairs and help requests)
 2 | Spring Festival  | all sites; holidays 2025-01-28..   | volume x0.3 during the holiday (x0.8 the two
   |                  | 2025-02-04 and 2026-02-15..        | days before), then a surge x1.6 decaying to
   |                  | 2026-02-23 (ISO 2025-W05, 2026-W08)| x1.05 over the 7 days after; no production
 3 | staff shortage   | Hillcrest only, 2026-09-14..       | dispatch, first-response, on-site and
   |                  | 2026-10-11 (ISO 2026-W38..W41)     | resolution intervals x3 (median repair first
   |                  |                                    | response 5 -> 16 min: SLA breaches); follow-up
   |                  |                                    | rate 80 % not 90 %; ~10 % of its tickets become
   |                  |                                    | attributable "late arrival", "service attitude"
   |                  |                                    | or "hotline hard to reach" complaints (8-15 % a
   |                  |                                    | week vs ~2 %); reopens and escalations x2; CSAT
   |                  |                                    | there ~55 % vs ~87 %
 4 | bad raw-material | material_batch_id MB-SE-260316,    | those lots' nonconforming rate 8-12 % (p-chart
   | batch            | sealant, Line 2, lots produced     | out of control; incoming inspection passed it);
   |                  | 2026-03-16..2026-04-04 (ISO        | 2-8 weeks later sealant warranty claims and
   |                  | 2026-W12..W14); claims created     | product-quality complaints citing those lots
   |                  | 2026-03-30..2026-05-30, peak       | (batch_id) rise from ~10 to ~50 a week (at 60k
   |                  | 2026-04-27                         | tickets); 90 % of those claims become field-
   |                  |                                    | failure nonconformities with external cost,
   |                  |                                    | charged to purchasing; CSAT of those tickets
   |                  |                                    | ~40 %; reopens x4
 5 | reopen, escalate,| all sites                          | reopen_count >= 1 on ~3 % of tickets,
   | back-fill        |                                    | is_escalated on ~2 %; ~40 % of repairs, help
   |                  |                                    | requests and warranty claims phoned in
   |                  |                                    | 22:00-06:00 are back-filled: recorded_at the
   |                  |                                    | next morning 08:00-09:30
 6 | bad rows (8)     | canonical files only; the ids do   | tickets TQ000001, TQ000002 (Lakeside, Parkview):
   |                  | not depend on the size. Tickets    | resolved_at 2 h before created_at; TQ000003
   |                  | dated end_date - 40 days, at the   | (Westgate): channel "wechat"; surveys SQ000001,
   |                  | end of the last tickets_<year>     | SQ000002, SQ000003 (Lakeside): score 7;
   |                  | file; surveys end_date - 35 days,  | inspection LQ000001: nonconforming_qty 80 >
   |                  | at the end of the last surveys     | inspected_qty 50; nonconformity NCQ00001 (last
   |                  | file                               | row of nonconformities_lots.ndjson):
   |                  |                                    | disposition "scrapped"

 7 | hotline under-  | the hotline's calls (queues general, | Monday 09:00-12:00 has 2 agents fewer than its
   | staffed Monday   | repair, complaint), the last 16      | calls need until the roster change 6 weeks
   | mornings         | weeks; roster change on the Monday   | before the end (then +2): service level there
   |                  | 6 weeks before the end date          | ~55 % vs ~88 % elsewhere, abandon rate ~30 %
   |                  |                                      | vs ~5 %; an Erlang C gap in agent-hours on
   |                  |                                      | those Mondays, none after the change
 8 | nonconformity    | lot findings of the last 6 weeks     | steps in nc_steps.csv: ~1 in 8 notified after
   | workflow         | (pipelines/demo_nc.py)               | 12 h; 14 findings 8-30 days old stall after a
   |                  |                                      | step (overdue at every step); ~1 in 4 reworks
   |                  |                                      | fail re-inspection and go round again; the
   |                  |                                      | newest are open at every step; 30 findings of
   |                  |                                      | the last 7 days carry no amounts (loss rules)
 9 | a department     | Riverside's work-order steps         | cleaning (保洁部) returns ~50 % of the work
   | that returns     | (riverside_events.csv, every day;    | orders it receives (信息不全, 超出服务范围), the
   | work orders      | pipelines/demo_hotline_events.py)    | others ~3 %; customer service ~10 % (what
   |                  |                                      | reached it by mistake): return rate and time
   |                  |                                      | lost by department; ~7 steps per ticket, ~4 %
   |                  |                                      | of complaints appealed, ~40 % of appeals upheld
10 | hotline KPIs     | every complaint and inquiry          | complaints carry a coordination level that
   | without events   | (pipelines/demo_hotline_kpis.py)     | mostly fits how long they took; 1 in 8 is one
   |                  |                                      | level stricter and misses its limit (~88 %
   |                  |                                      | attainment, target 100 %); ~98 % of resolved
   |                  |                                      | inquiries get an IVR follow-up: inquiries'
   |                  |                                      | satisfaction ~93 % against 95 %; complaints'
   |                  |                                      | (every complaint handled, not only the
   |                  |                                      | reached) far below their 90 %

Other traits: volume grows ~12 % over the two years with a mild summer peak; heating repairs only Nov-Mar;
complaints are ~6.5 % of tickets, attributable ones ~2.2 % of all tickets; warranty claims cite a final lot
of their product produced ~50 days earlier (some outside the warranty window), some > 100 km away; ~90 % of
resolved repairs, complaints and warranty claims get follow-up attempts (up to three, 09:00-20:00), ~70 % of
attempts are answered, CSAT ~87 % (~90 % with the inquiries' IVR follow-ups of story 10). The hotline's agents
take one call at a time, only in the intervals they are rostered for: no agent's calls overlap (the calls suite's
agent_calls_overlap warning finds none). In the last week a few % of tickets are still open or in progress (the
backlog); ~0.3 % of those 30-120 days old are stuck open. Statuses are as they stand at the end of end_date.

Ids: tickets T000001.. in created_at order (wider from 1,000,000 tickets on), surveys S.., lots L.., NC...
Run: python -m pipelines.demo data/demo --tickets 60000
"""

from __future__ import annotations

import argparse
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import polars as pl

from pipelines import clock
from pipelines.datasets import SURVEYS, TICKETS
from pipelines.demo_hotline_events import riverside_events
from pipelines.demo_hotline_kpis import complaint_levels, inquiry_followups

CHUNK_TICKETS = 1_000_000
OUTPUT_PATTERNS = ("inspections.parquet", "tickets_[0-9][0-9][0-9][0-9]*.csv", "riverside_hotline*.csv",
                   "surveys.csv", "surveys_part[0-9]*.csv", "riverside_followup*.xlsx",
                   "nonconformities_lots.ndjson", "nonconformities_field*.ndjson", "hotline_calls.csv",
                   "hotline_roster.csv", "riverside_events*.csv", "corrective_actions.csv", "nc_steps.csv", "nonconformities_recent.csv")
CANONICAL_TS = "%Y-%m-%d %H:%M:%S"
HOTLINE_TS = "%Y/%m/%d %H:%M"          # tickets__hotline_zh: no seconds
FOLLOWUP_TS = "%Y-%m-%d %H:%M"         # surveys__followup_zh: text cells

# --- the organisation ---------------------------------------------------------------------------------------
SITES = ("Riverside", "Hillcrest", "Lakeside", "Parkview", "Harbourside", "Westgate")
SITE_REGION = ("East", "East", "South", "North", "South", "West")
SITE_WEIGHT = np.array([0.20, 0.18, 0.17, 0.16, 0.15, 0.14])
SITE_AGENTS = (7, 7, 7, 7, 6, 6)
HOTLINE_SITE = 0                       # Riverside sends its own Chinese exports
SHORTAGE_SITE = 1                      # Hillcrest
SITE_ZH = {"Riverside": "滨江服务中心"}
REGION_ZH = {"East": "华东"}
AGENTS = (
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏",
    "黄强", "周丽", "吴杰", "徐婷", "孙浩", "马琳", "朱军",
    "胡斌", "郭霞", "何涛", "高峰", "林雪", "罗刚", "郑燕",
    "梁勇", "谢琳", "宋佳", "唐亮", "韩梅", "冯超", "邓红",
    "曹宇", "彭飞", "曾晨", "萧楠", "田甜", "董鹏", "潘玉",
    "袁欣", "蒋凯", "蔡敏", "余晖", "杜娟",
)
INSPECTORS = ("质检-钱进", "质检-孔丽", "质检-白涛", "质检-崔颖")

TYPES = ("repair", "complaint", "inquiry", "help", "suggestion", "praise", "warranty")
REPAIR, COMPLAINT, INQUIRY, HELP, SUGGESTION, PRAISE, WARRANTY = range(7)
TYPE_P_DAY = np.array([0.43, 0.065, 0.285, 0.12, 0.03, 0.02, 0.05])
TYPE_P_NIGHT = np.array([0.58, 0.05, 0.07, 0.24, 0.01, 0.01, 0.04])
TYPE_ZH = {"repair": "报修", "complaint": "投诉", "inquiry": "咨询", "help": "求助", "suggestion": "建议",
           "praise": "表扬", "warranty": "三包"}

CHANNELS = ("phone", "front_desk", "letter_email", "app", "field_visit")
CHANNEL_ZH = {"phone": "电话", "front_desk": "前台", "letter_email": "来函", "app": "APP",
              "field_visit": "上门"}
CHANNEL_P = np.array([  # per ticket type
    [0.60, 0.10, 0.02, 0.20, 0.08], [0.50, 0.15, 0.15, 0.15, 0.05], [0.55, 0.20, 0.05, 0.20, 0.00],
    [0.70, 0.12, 0.00, 0.13, 0.05], [0.20, 0.20, 0.30, 0.30, 0.00], [0.30, 0.20, 0.30, 0.20, 0.00],
    [0.60, 0.02, 0.15, 0.20, 0.03],
])
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_ZH = {"urgent": "紧急", "high": "高", "normal": "普通", "low": "低"}
PRIORITY_P = np.array([
    [0.12, 0.25, 0.55, 0.08], [0.08, 0.30, 0.52, 0.10], [0.00, 0.05, 0.60, 0.35], [0.10, 0.25, 0.55, 0.10],
    [0.00, 0.00, 0.40, 0.60], [0.00, 0.00, 0.30, 0.70], [0.05, 0.30, 0.55, 0.10],
])
GRADES = ("class_1", "class_2", "grievance")
GRADE_ZH = {"class_1": "一类投诉", "class_2": "二类投诉", "grievance": "抱怨"}
STATUSES = ("open", "in_progress", "resolved", "closed", "cancelled")
STATUS_ZH = {"open": "待处理", "in_progress": "处理中", "resolved": "已完成", "closed": "已结案",
             "cancelled": "已取消"}
BOOL_ZH = {True: "是", False: "否"}

DEPARTMENTS = ("engineering", "customer_service", "security", "cleaning", "field_service", "quality")
DEPARTMENT_ZH = {"engineering": "工程部", "customer_service": "客服部", "security": "安保部",
                 "cleaning": "保洁部", "field_service": "现场服务部", "quality": "品管部"}
ENG, CS, SEC, CLEAN, FIELD, QUAL = range(6)

# (ticket type, category, Chinese category, department, weight, P(attributable to service) for complaints)
CATEGORIES = (
    (REPAIR, "water leak", "漏水", ENG, 20, 0), (REPAIR, "power outage", "停电", ENG, 12, 0),
    (REPAIR, "heating", "供暖故障", ENG, 10, 0), (REPAIR, "elevator fault", "电梯故障", ENG, 8, 0),
    (REPAIR, "door and lock", "门窗门锁", ENG, 10, 0), (REPAIR, "drain blockage", "下水道堵塞", ENG, 12, 0),
    (REPAIR, "lighting", "公共照明", ENG, 8, 0),
    (REPAIR, "minor building repair", "房屋零星维修", ENG, 20, 0),
    (COMPLAINT, "service attitude", "服务态度", CS, 16, 0.45),
    (COMPLAINT, "late arrival", "上门不及时", FIELD, 14, 0.55),
    (COMPLAINT, "repair quality", "维修质量", ENG, 18, 0.45),
    (COMPLAINT, "hotline hard to reach", "热线难拨通", CS, 8, 0.55),
    (COMPLAINT, "noise", "噪音扰民", SEC, 14, 0.05), (COMPLAINT, "cleaning", "保洁不到位", CLEAN, 12, 0.35),
    (COMPLAINT, "parking fee dispute", "停车费纠纷", SEC, 8, 0.10),
    (COMPLAINT, "product quality", "产品质量", QUAL, 10, 0.05),
    (INQUIRY, "property fee", "物业费查询", CS, 30, 0), (INQUIRY, "service booking", "服务预约", CS, 25, 0),
    (INQUIRY, "product usage", "产品使用咨询", FIELD, 15, 0), (INQUIRY, "policy", "政策咨询", CS, 15, 0),
    (INQUIRY, "bill lookup", "账单查询", CS, 15, 0),
    (HELP, "locked out", "钥匙反锁", SEC, 30, 0), (HELP, "lost and found", "失物招领", SEC, 15, 0),
    (HELP, "pest control", "病媒生物防治", CLEAN, 20, 0), (HELP, "stray dog", "流浪狗", SEC, 10, 0),
    (HELP, "moving assistance", "搬家协助", SEC, 25, 0),
    (SUGGESTION, "service improvement", "服务改进建议", CS, 60, 0),
    (SUGGESTION, "facility improvement", "设施改进建议", ENG, 40, 0),
    (PRAISE, "praise for staff", "表扬员工", CS, 100, 0),
    (WARRANTY, "poor adhesion", "粘接不牢", FIELD, 30, 0), (WARRANTY, "cracking", "开裂", FIELD, 25, 0),
    (WARRANTY, "incomplete curing", "固化不良", FIELD, 20, 0),
    (WARRANTY, "color deviation", "变色", FIELD, 15, 0),
    (WARRANTY, "packaging damage", "包装破损", FIELD, 10, 0),
)
CAT_TYPE = np.array([c[0] for c in CATEGORIES])
CAT_NAME = tuple(c[1] for c in CATEGORIES)
CAT_ZH = {c[1]: c[2] for c in CATEGORIES}
CAT_DEPT = np.array([c[3] for c in CATEGORIES])
CAT_WEIGHT = np.array([c[4] for c in CATEGORIES], dtype=float)
CAT_ATTRIB = np.array([c[5] for c in CATEGORIES], dtype=float)
CAT = {c[1]: i for i, c in enumerate(CATEGORIES)}

PRODUCTS = ("white-glue", "sealant", "tile-adhesive", "primer", "grout")
PRODUCT_ZH = {"white-glue": "白乳胶", "sealant": "密封胶", "tile-adhesive": "瓷砖胶", "primer": "底漆",
              "grout": "填缝剂"}
PRODUCT_CODE = ("WG", "SE", "TA", "PR", "GR")
PRODUCT_P_BASE = np.array([0.012, 0.015, 0.018, 0.010, 0.014])    # nonconforming rate at final inspection
PRODUCT_PRICE = np.array([18.0, 32.0, 45.0, 60.0, 22.0])            # CNY per unit
PRODUCT_CLAIM_P = np.array([0.30, 0.25, 0.20, 0.10, 0.15])          # share of warranty claims
LINES = ("Line 1", "Line 2")
LINE_PRODUCTS = ((0, 4, 3), (1, 2))
LINE_PRODUCT_P = (np.array([0.45, 0.30, 0.25]), np.array([0.55, 0.45]))
PLANT = "Main plant"
SEALANT = 1

DEFECTS = ("viscosity out of spec", "incomplete curing", "contamination", "bubbles", "poor adhesion",
           "color deviation", "packaging damage", "cracking")
DEFECT_P = np.array([32, 20, 14, 11, 8, 7, 5, 3], dtype=float)     # Pareto-like
DEFECT_P_BAD = np.array([2, 35, 3, 2, 55, 1, 1, 1], dtype=float)
NC_DEPARTMENTS = ("market", "production", "technology", "purchasing", "quality", "logistics")
MARKET, PRODUCTION, TECHNOLOGY, PURCHASING, QUALITY, LOGISTICS = range(6)
DISPOSITIONS = ("rework", "downgrade", "repair", "scrap", "concession", "use_as_is")
REWORK, DOWNGRADE, REPAIR_D, SCRAP, CONCESSION, USE_AS_IS = range(6)

METHODS = ("phone", "sms", "app", "visit")
METHOD_P = np.array([0.72, 0.14, 0.11, 0.03])
METHOD_ZH = {"phone": "电话", "sms": "短信", "app": "APP", "visit": "上门"}
OUTCOMES = ("responded", "no_answer", "refused")
OUTCOME_P = np.array([0.70, 0.24, 0.06])
OUTCOME_ZH = {"responded": "成功回访", "no_answer": "无人接听", "refused": "拒绝回访"}
SCORE_ZH = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
SCORE_CUTS = np.array([0.202, 1.282, 1.751, 2.170])   # N(0,1) cuts: 58 % 5, 32 % 4, 6 % 3, 2.5 % 2, 1.5 % 1

COMMENTS_GOOD = (
    "师傅很专业，处理得很及时", "服务态度很好，谢谢", "very quick response, thanks", "维修很到位",
    "technician was polite and tidy", "满意", "问题已解决", "great service", "响应速度快",
    "上门准时，讲解清楚", "fixed on the first visit",
)
COMMENTS_MID = (
    "还可以", "等的时间有点长", "okay but took a while", "一般，希望改进", "问题解决了但沟通不够",
    "had to call twice", "收费有点贵",
)
COMMENTS_BAD = (
    "维修人员迟到两个小时", "problem came back after a week", "态度很差", "电话打了好几次都没人接",
    "no one called me back", "修了又坏，非常不满意", "收费不合理", "technician did not bring the right parts",
)
COMMENTS_SHORTAGE = (          # Hillcrest during the staff shortage
    "维修人员迟到两个小时", "等了三天才有人来处理", "technician came two days late",
    "电话一直占线，没人派单", "response was very slow this month", "报修后一直没人管",
)
COMMENTS_BATCH = (             # claims about the bad sealant batch
    "密封胶用了两周就开裂了", "sealant cracked after two weeks", "胶不固化，返工了两次",
    "product failed again, want a refund", "problem came back after a week", "同一批货都有问题",
)

# --- stories ------------------------------------------------------------------------------------------------
# The stories are written for data ending on BASE_END; a demo ending on another day (by default yesterday, so
# a newcomer sees a current operation) moves them by the same number of whole weeks (`Stories.ending`), so
# each keeps its weekdays and ISO weeks relative to the end. Spring Festival is the real one of each year.
BASE_END = date(2026, 11, 22)
TIMEZONE = "Asia/Shanghai"                          # the demo's wall time (its profiles say so)
SPRING_FESTIVAL = (                                   # the official holiday weeks (国务院办公厅 notices)
    (date(2023, 1, 21), date(2023, 1, 27)), (date(2024, 2, 10), date(2024, 2, 17)),
    (date(2025, 1, 28), date(2025, 2, 4)), (date(2026, 2, 15), date(2026, 2, 23)),
)
SF_PRE = (0.8, 0.8)                                   # the two days before
SF_POST = (1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 1.05)        # the seven days after
SHORTAGE = (date(2026, 9, 14), date(2026, 10, 11))     # Hillcrest, ISO 2026-W38..W41 (with BASE_END)
BAD_BATCH = "MB-SE-260316"
BAD_PRODUCTION = (date(2026, 3, 16), date(2026, 4, 4))
BAD_CLAIMS = (date(2026, 3, 30), date(2026, 5, 30))
BAD_CLAIMS_PEAK = date(2026, 4, 27)
BAD_CLAIMS_MAX_SHARE = 0.07


def _spring_festivals(first_year: int, last_year: int) -> tuple[tuple[date, date], ...]:
    """The Spring Festival holiday of each year: the official weeks above, later years from `holidays`
    (New Year's Eve to the sixth day)."""
    known = {first.year: (first, last) for first, last in SPRING_FESTIVAL}
    out = []
    for year in range(first_year, last_year + 1):
        if year in known:
            out.append(known[year])
            continue
        days = sorted(d for d, name in holidays.China(years=year, language="en_US").items()
                      if "Spring Festival" in name)
        if days:
            out.append((days[0] - timedelta(days=1), days[0] + timedelta(days=6)))
    return tuple(out)


@dataclass(frozen=True)
class Stories:
    """The demo's dated stories for data ending on `end_date`."""

    shortage: tuple[date, date]
    bad_production: tuple[date, date]
    bad_claims: tuple[date, date]
    bad_claims_peak: date
    spring_festival: tuple[tuple[date, date], ...]

    @classmethod
    def ending(cls, end_date: date) -> Stories:
        shift = timedelta(weeks=(end_date - BASE_END).days // 7)

        def moved(span: tuple[date, date]) -> tuple[date, date]:
            return span[0] + shift, span[1] + shift

        return cls(shortage=moved(SHORTAGE), bad_production=moved(BAD_PRODUCTION),
                   bad_claims=moved(BAD_CLAIMS), bad_claims_peak=BAD_CLAIMS_PEAK + shift,
                   spring_festival=_spring_festivals(end_date.year - 3, end_date.year + 1))


HOUR_WEEKDAY = np.array([0.9, 0.6, 0.45, 0.4, 0.45, 0.8, 1.6, 3.2, 5.6, 7.6, 8.4, 7.4,
                         5.0, 5.2, 6.2, 6.4, 6.2, 6.6, 7.4, 7.2, 5.4, 3.8, 2.4, 1.4])
HOUR_WEEKEND = np.array([1.1, 0.8, 0.6, 0.5, 0.5, 0.7, 1.2, 2.2, 3.8, 5.6, 6.8, 7.0,
                         6.0, 5.6, 5.8, 5.8, 5.8, 6.2, 6.8, 6.6, 5.4, 4.2, 2.8, 1.6])
WEEKDAY_FACTOR = np.array([1.12, 1.06, 1.02, 1.0, 1.0, 0.72, 0.62])

DAY = 86_400
EPOCH = date(1970, 1, 1)
NAN = np.nan


def _dn(d: date) -> int:
    """Day number since 1970-01-01."""
    return (d - EPOCH).days


def _choice(rng: np.random.Generator, n: int, p) -> np.ndarray:
    cum = np.cumsum(np.asarray(p, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), len(cum) - 1)


def _choice_by(rng: np.random.Generator, group: np.ndarray, table: np.ndarray) -> np.ndarray:
    """One categorical draw per row from the row's group's probabilities (table: groups x options)."""
    cum = np.cumsum(table, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(group))
    out = np.zeros(len(group), dtype=np.int64)
    for k in range(table.shape[1] - 1):
        out += u >= cum[group, k]
    return out


def _ln(rng: np.random.Generator, median, sigma, n: int) -> np.ndarray:
    return np.asarray(median, dtype=float) * np.exp(np.asarray(sigma, dtype=float) * rng.standard_normal(n))


def _lookup(values, idx: np.ndarray, valid: np.ndarray | None = None) -> pl.Series:
    """values[idx] as a Utf8 Series, null where not valid."""
    ix = pl.Series(np.asarray(idx).astype(np.uint32))
    if valid is not None:
        ix = pl.select(pl.when(pl.Series(valid)).then(ix)).to_series()
    return pl.Series(list(values), dtype=pl.Utf8).gather(ix)


def _ts(arr: np.ndarray) -> pl.Series:
    """Float seconds (NaN = null) -> nullable Int64 seconds."""
    return pl.Series(np.round(arr), nan_to_null=True).cast(pl.Int64)


def _fmt(col: str, fmt: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col), time_unit="s").dt.strftime(fmt).alias(col)


def _bool(arr: np.ndarray, valid: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.Series(valid)).then(pl.Series(arr))).to_series()


def _ids(prefix: str, start: int, n: int, width: int) -> pl.Series:
    num = pl.int_range(start, start + n, eager=True, dtype=pl.Int64).cast(pl.Utf8).str.zfill(width)
    return (prefix + num) if n else pl.Series([], dtype=pl.Utf8)


# --- calendar of arrivals -----------------------------------------------------------------------------------
def _day_weights(day0: int, n_days: int, stories: Stories) -> np.ndarray:
    dn = day0 + np.arange(n_days)
    weekday = (dn + 3) % 7                              # 1970-01-01 was a Thursday; Monday = 0
    w = WEEKDAY_FACTOR[weekday].copy()
    w *= 1.0 + 0.12 * np.arange(n_days) / max(n_days - 1, 1)               # growth
    w *= 1.0 + 0.06 * np.cos(2 * np.pi * (dn - _dn(date(2025, 7, 20))) / 365.25)   # summer peak
    for first, last in stories.spring_festival:
        a, b = _dn(first) - day0, _dn(last) - day0
        if b < 0 or a >= n_days:
            continue
        hol = slice(max(a, 0), min(b + 1, n_days))
        w[hol] = WEEKDAY_FACTOR[3] * 0.3
        for k, f in enumerate(SF_PRE):
            i = a - len(SF_PRE) + k
            if 0 <= i < n_days:
                w[i] *= f
        for k, f in enumerate(SF_POST):
            i = b + 1 + k
            if 0 <= i < n_days:
                w[i] = max(w[i], WEEKDAY_FACTOR[0]) * f   # the surge also covers a weekend right after
    return w


def _holiday_days(day0: int, n_days: int, stories: Stories) -> np.ndarray:
    dn = day0 + np.arange(n_days)
    hol = np.zeros(n_days, dtype=bool)
    for first, last in stories.spring_festival:
        hol |= (dn >= _dn(first)) & (dn <= _dn(last))
    return hol


# --- the plant: inspections and lot nonconformities ---------------------------------------------------------
@dataclass
class Plant:
    inspections: pl.DataFrame            # canonical columns, inspected_at as naive datetime
    lot_ncs: pl.DataFrame                # nonconformity rows without nc_id, found_at as epoch seconds
    final_lot_ids: list[str]             # all final-stage lots (warranty claims cite these)
    final_lot_days: np.ndarray           # their production day numbers
    final_idx: list[np.ndarray]          # per product: indices into final_lot_ids sorted by production day
    bad_idx: np.ndarray                  # final lots made from the bad material batch, by production day


def _make_plant(rng: np.random.Generator, first_day: int, last_day: int, stories: Stories) -> Plant:
    days = np.arange(first_day, last_day + 1)
    weekday = (days + 3) % 7
    producing = (weekday < 6) & ~_holiday_days(first_day, len(days), stories)
    pdays = days[producing]
    # product run per line and day, two lots (shifts) per run
    rows_line, rows_prod, rows_day = [], [], []
    for line, (products, p) in enumerate(zip(LINE_PRODUCTS, LINE_PRODUCT_P, strict=True)):
        prod = np.asarray(products)[_choice(rng, len(pdays), p)]
        rows_line.append(np.full(2 * len(pdays), line))
        rows_prod.append(np.repeat(prod, 2))
        rows_day.append(np.repeat(pdays, 2))
    line = np.concatenate(rows_line)
    product = np.concatenate(rows_prod)
    pday = np.concatenate(rows_day)
    n = len(pday)
    block = (pday - _dn(date(1970, 1, 5))) // 14 * 14 + _dn(date(1970, 1, 5))
    bad = ((product == SEALANT) & (pday >= _dn(stories.bad_production[0]))
           & (pday <= _dn(stories.bad_production[1])))
    block_txt = pl.from_epoch(pl.Series(block * DAY), time_unit="s").dt.strftime("%y%m%d")
    material = ("MB-" + _lookup(PRODUCT_CODE, product) + "-" + block_txt)
    material = pl.select(pl.when(pl.Series(bad)).then(pl.lit(BAD_BATCH)).otherwise(material)).to_series()

    # final inspection of every lot; in-process inspection of 35 % of them (separate sample lots)
    lot_qty = rng.integers(10, 101, n) * 50
    frac = rng.uniform(0.05, 0.10, n)
    p = PRODUCT_P_BASE[product] * np.exp(0.2 * rng.standard_normal(n))
    p = np.where(bad, rng.uniform(0.08, 0.12, n), p)
    final_at = (pday + (rng.random(n) < 0.4)) * DAY + rng.integers(8 * 3600 + 1800, 17 * 3600, n)
    inproc = rng.random(n) < 0.35
    k = int(inproc.sum())
    ip_qty = rng.integers(10, 41, k) * 50
    ip_frac = rng.uniform(0.05, 0.10, k)
    ip_p = np.where(bad[inproc], rng.uniform(0.08, 0.12, k), p[inproc] * 1.2)
    ip_at = pday[inproc] * DAY + rng.integers(9 * 3600, 16 * 3600, k)

    stage = np.concatenate([np.full(n, 2), np.full(k, 1)])
    frame = pl.DataFrame({
        "product_i": np.concatenate([product, product[inproc]]),
        "line_i": np.concatenate([line, line[inproc]]),
        "stage_i": stage,
        "at": np.concatenate([final_at, ip_at]),
        "pday": np.concatenate([pday, pday[inproc]]),
        "material_batch_id": pl.concat([material, material.filter(pl.Series(inproc))]),
        "lot_qty": np.concatenate([lot_qty, ip_qty]),
        "frac": np.concatenate([frac, ip_frac]),
        "p": np.concatenate([p, ip_p]),
        "bad": np.concatenate([bad, bad[inproc]]),
    })
    # incoming inspection of each material batch a few days before its first use (the bad batch passed)
    first_use = (frame.group_by("material_batch_id", maintain_order=True)
                 .agg(pl.col("pday").min(), pl.col("product_i").first(), pl.col("line_i").first(),
                      pl.col("bad").any()).sort("pday", "material_batch_id"))
    m = first_use.height
    recv = first_use["pday"].to_numpy() - rng.integers(1, 4, m)
    incoming = pl.DataFrame({
        "product_i": first_use["product_i"], "line_i": first_use["line_i"],
        "stage_i": np.zeros(m, dtype=np.int64),
        "at": recv * DAY + rng.integers(8 * 3600 + 1800, 12 * 3600, m),
        "pday": recv - rng.integers(5, 21, m),
        "material_batch_id": first_use["material_batch_id"],
        "lot_qty": rng.integers(10, 101, m) * 50, "frac": rng.uniform(0.05, 0.10, m),
        "p": np.full(m, 0.006), "bad": first_use["bad"],
    })
    lots = pl.concat([frame, incoming], how="vertical_relaxed").sort("at", "stage_i", "product_i")
    nl = lots.height
    insp_qty = np.maximum(np.round(lots["lot_qty"].to_numpy() * lots["frac"].to_numpy()), 1).astype(np.int64)
    nc_qty = rng.binomial(insp_qty, lots["p"].to_numpy())
    lots = lots.with_columns(
        lot_id=_ids("L", 1, nl, 6),
        inspected_qty=pl.Series(insp_qty), nonconforming_qty=pl.Series(nc_qty),
        inspector=_lookup(INSPECTORS, rng.integers(0, len(INSPECTORS), nl)),
    )
    stage_names = ("incoming", "in_process", "final")
    inspections = lots.select(
        "lot_id",
        _lookup(PRODUCTS, lots["product_i"].to_numpy()).alias("product"),
        _lookup(LINES, lots["line_i"].to_numpy()).alias("line"),
        pl.lit(PLANT).alias("plant"),
        _lookup(stage_names, lots["stage_i"].to_numpy()).alias("stage"),
        pl.from_epoch(pl.col("at"), time_unit="s").alias("inspected_at"),
        pl.from_epoch(pl.col("pday") * DAY, time_unit="s").cast(pl.Date).alias("production_date"),
        "material_batch_id",
        pl.col("lot_qty").cast(pl.Int32), pl.col("inspected_qty").cast(pl.Int32),
        pl.col("nonconforming_qty").cast(pl.Int32), "inspector",
    )

    # nonconformity records: one per lot with findings, split over two defect types for some lots
    hit = lots.filter(pl.col("nonconforming_qty") > 0)
    h = hit.height
    q = hit["nonconforming_qty"].to_numpy()
    split = (q >= 3) & (rng.random(h) < 0.35)
    q1 = np.where(split, np.maximum(1, np.round(q * rng.uniform(0.5, 0.8, h))), q).astype(np.int64)
    parts = [hit.with_columns(qty=pl.Series(q1), part=pl.lit(0)),
             hit.filter(pl.Series(split)).with_columns(qty=pl.Series((q - q1)[split]), part=pl.lit(1))]
    rec = pl.concat(parts).sort("at", "lot_id", "part")
    r = rec.height
    bad_r = rec["bad"].to_numpy() & (rec["stage_i"].to_numpy() > 0)
    stage_r = rec["stage_i"].to_numpy()
    defect = np.where(bad_r, _choice(rng, r, DEFECT_P_BAD), _choice(rng, r, DEFECT_P))
    disp_table = np.array([
        [0.00, 0.00, 0.00, 0.50, 0.30, 0.20],            # incoming: return (scrap), concession, use as is
        [0.50, 0.00, 0.10, 0.30, 0.00, 0.10],            # in process
        [0.35, 0.10, 0.10, 0.20, 0.15, 0.10],            # final
        [0.20, 0.00, 0.00, 0.20, 0.60, 0.00],            # bad batch: mostly released under concession
    ])
    disp = _choice_by(rng, np.where(bad_r, 3, stage_r), disp_table)
    dept_table = np.array([
        [0.00, 0.00, 0.00, 0.80, 0.20, 0.00],            # incoming
        [0.05, 0.45, 0.20, 0.08, 0.15, 0.07],            # made here
        [0.00, 0.00, 0.00, 0.80, 0.20, 0.00],            # bad material
    ])
    dept = _choice_by(rng, np.where(bad_r, 2, np.minimum(stage_r, 1)), dept_table)
    dept = np.where((defect == DEFECTS.index("packaging damage")) & ~bad_r & (stage_r > 0), LOGISTICS, dept)
    prod_r = rec["product_i"].to_numpy()
    qty = rec["qty"].to_numpy()
    price = PRODUCT_PRICE[prod_r]
    material_cost = np.where(disp == SCRAP, qty * price * 0.6, 0.0)
    labour_cost = np.where(np.isin(disp, (REWORK, REPAIR_D)), 50 + qty * rng.uniform(3, 8, r), 0.0)
    discount_cost = np.where(np.isin(disp, (CONCESSION, DOWNGRADE)), qty * price * 0.3,
                             np.where(disp == USE_AS_IS, 0.02 * rec["lot_qty"].to_numpy() * price, 0.0))
    lot_ncs = pl.DataFrame({
        "lot_id": rec["lot_id"], "ticket_i": pl.Series([None] * r, dtype=pl.Int64),
        "product": _lookup(PRODUCTS, prod_r),
        "production_day": rec["pday"],
        "found_s": rec["at"].to_numpy() + rng.integers(0, 7200, r),
        "defect_type": _lookup(DEFECTS, defect), "qty": qty, "disposition": _lookup(DISPOSITIONS, disp),
        "material_cost": material_cost, "labour_cost": labour_cost, "discount_cost": discount_cost,
        "external_cost": np.zeros(r), "responsible_department": _lookup(NC_DEPARTMENTS, dept),
    })

    finals = lots.filter(pl.col("stage_i") == 2).sort("pday", "lot_id").with_row_index("gi")
    final_idx = [finals.filter(pl.col("product_i") == pi)["gi"].to_numpy().astype(np.int64)
                 for pi in range(len(PRODUCTS))]
    return Plant(inspections=inspections, lot_ncs=lot_ncs, final_lot_ids=finals["lot_id"].to_list(),
                 final_lot_days=finals["pday"].to_numpy(), final_idx=final_idx,
                 bad_idx=finals.filter(pl.col("bad"))["gi"].to_numpy().astype(np.int64))


# --- tickets ------------------------------------------------------------------------------------------------
@dataclass
class Chunk:
    tickets: pl.DataFrame       # canonical columns, timestamps as Int64 epoch seconds
    surveys: pl.DataFrame       # canonical columns without survey_id, timestamps as Int64 epoch seconds
    field_ncs: pl.DataFrame     # like Plant.lot_ncs


def _daytime(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """Move follow-up calls outside 09:00-20:00 to the next 09:00-11:00."""
    sod = np.mod(t, DAY)
    day = t - sod
    nxt = rng.uniform(9 * 3600, 11 * 3600, len(t))
    return np.where(sod < 9 * 3600, day + nxt, np.where(sod >= 20 * 3600, day + DAY + nxt, t))


def _ticket_chunk(rng: np.random.Generator, day_idx: np.ndarray, day0: int, as_of: int, plant: Plant,
                  customers_per_site: int, stories: Stories) -> Chunk:
    n = len(day_idx)
    dn = day0 + day_idx                                            # day number of each ticket
    weekday = (dn + 3) % 7
    weekend = weekday >= 5
    u = rng.random(n)
    cw, ce = np.cumsum(HOUR_WEEKDAY), np.cumsum(HOUR_WEEKEND)
    hour = np.where(weekend, np.searchsorted(ce / ce[-1], u, side="right"),
                    np.searchsorted(cw / cw[-1], u, side="right"))
    hour = np.minimum(hour, 23)
    created = (dn * DAY + hour * 3600 + rng.integers(0, 3600, n)).astype(float)
    order = np.argsort(created, kind="stable")
    created, dn, hour, weekday = created[order], dn[order], hour[order], weekday[order]
    night = (hour >= 22) | (hour < 6)

    site = _choice(rng, n, SITE_WEIGHT)
    agent_off = np.concatenate([[0], np.cumsum(SITE_AGENTS)[:-1]])
    agent = agent_off[site] + (rng.random(n) * np.asarray(SITE_AGENTS)[site]).astype(np.int64)
    ttype = np.where(night, _choice(rng, n, TYPE_P_NIGHT), _choice(rng, n, TYPE_P_DAY))
    cat = np.zeros(n, dtype=np.int64)
    for t in range(len(TYPES)):
        m = ttype == t
        opts = np.flatnonzero(CAT_TYPE == t)
        cat[m] = opts[_choice(rng, int(m.sum()), CAT_WEIGHT[opts])]
    month = (dn.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12) + 1
    cat = np.where((cat == CAT["heating"]) & ~np.isin(month, (11, 12, 1, 2, 3)), CAT["water leak"], cat)

    # story 3: Hillcrest staff shortage -> attributable complaints about lateness and attitude
    shortage = (site == SHORTAGE_SITE) & (dn >= _dn(stories.shortage[0])) & (dn <= _dn(stories.shortage[1]))
    conv = shortage & np.isin(ttype, (REPAIR, HELP, INQUIRY)) & (rng.random(n) < 0.10)
    ttype = np.where(conv, COMPLAINT, ttype)
    late_cats = np.array([CAT["late arrival"], CAT["service attitude"], CAT["hotline hard to reach"]])
    cat = np.where(conv, late_cats[_choice(rng, n, (0.6, 0.2, 0.2))], cat)

    # products and lots: warranty claims, product-quality complaints, product-usage inquiries
    product = np.full(n, -1)
    lot = np.full(n, -1, dtype=np.int64)          # index into plant.final_lot_ids
    wants_product = (ttype == WARRANTY) | (cat == CAT["product quality"]) | (cat == CAT["product usage"])
    product = np.where(wants_product, _choice(rng, n, PRODUCT_CLAIM_P), product)
    wants_lot = (ttype == WARRANTY) | ((cat == CAT["product quality"]) & (rng.random(n) < 0.5))
    lag = rng.gamma(2.0, 25.0, n) + 3
    for pi in range(len(PRODUCTS)):
        m = wants_lot & (product == pi)
        gi = plant.final_idx[pi]
        if not m.any() or len(gi) == 0:
            continue
        days = plant.final_lot_days[gi]
        k = np.searchsorted(days, dn[m] - lag[m], side="right") - 1
        k = np.maximum(k, 0)                      # claims older than the plant's records cite its first lot
        lot[m] = np.where(days[k] <= dn[m], gi[k], -1)

    # story 4: field failures of the bad sealant batch
    claims = stories.bad_claims
    in_win = (dn >= _dn(claims[0])) & (dn <= _dn(claims[1]))
    peak, a, b = _dn(stories.bad_claims_peak), _dn(claims[0]), _dn(claims[1])
    rise, fall = (dn - a) / max(peak - a, 1), (b - dn) / max(b - peak, 1)
    share = BAD_CLAIMS_MAX_SHARE * np.where(dn <= peak, rise, fall)
    badb = in_win & ~shortage & (rng.random(n) < share) & (len(plant.bad_idx) > 0)
    if badb.any():
        kb = np.searchsorted(plant.final_lot_days[plant.bad_idx], dn - 10, side="right")
        badb &= kb > 0
        pick = np.minimum((rng.random(n) * np.maximum(kb, 1)).astype(np.int64), len(plant.bad_idx) - 1)
        lot = np.where(badb, plant.bad_idx[pick], lot)
        complaint = rng.random(n) < 0.25
        ttype = np.where(badb, np.where(complaint, COMPLAINT, WARRANTY), ttype)
        bad_cats = np.array([CAT["poor adhesion"], CAT["cracking"], CAT["incomplete curing"]])
        bad_cat = np.where(complaint, CAT["product quality"], bad_cats[_choice(rng, n, (0.5, 0.3, 0.2))])
        cat = np.where(badb, bad_cat, cat)
        product = np.where(badb, SEALANT, product)
    has_lot = lot >= 0
    lot_days = plant.final_lot_days[np.maximum(lot, 0)]

    dept = CAT_DEPT[cat]
    channel = _choice_by(rng, ttype, CHANNEL_P)
    channel = np.where(night & (rng.random(n) < 0.8), 0, channel)                  # nights: phone
    priority = _choice_by(rng, ttype, PRIORITY_P)
    priority = np.where(badb & (rng.random(n) < 0.5), 1, priority)
    is_complaint = ttype == COMPLAINT
    grade = np.where(badb, _choice(rng, n, (0.2, 0.5, 0.3)), _choice(rng, n, (0.05, 0.25, 0.70)))
    attributable = np.where(conv, True, rng.random(n) < CAT_ATTRIB[cat])
    repeat = rng.random(n) < np.where(shortage, 0.08, np.where(badb, 0.10, 0.01))

    # distance: property repairs nearby, warranty field service up to hundreds of km
    far = rng.random(n) < 0.2
    dist = np.where(ttype == REPAIR, np.minimum(_ln(rng, 1.5, 0.8, n), 90),
                    np.where(far, rng.uniform(100, 450, n), np.minimum(_ln(rng, 35, 0.6, n), 99)))
    has_dist = (ttype == REPAIR) | (ttype == WARRANTY)
    far = far & (ttype == WARRANTY)

    # lifecycle intervals (minutes)
    p_dispatch = np.array([1.0, 0.95, 0.15, 0.9, 0.9, 0.0, 1.0])
    p_onsite = np.array([0.97, 0.25, 0.0, 0.8, 0.05, 0.0, 0.95])
    m1 = np.array([1.5, 15, 10, 1.5, 60, 0, 20])
    m2 = np.array([4, 30, 120, 4, 600, 5, 70])
    m3 = np.array([5, 180, 0, 8, 1440, 0, 600])
    m4 = np.array([50, 360, 180, 25, 2000, 8, 240])
    has_disp = rng.random(n) < p_dispatch[ttype]
    on_call = (ttype == INQUIRY) & ~has_disp
    has_onsite = rng.random(n) < p_onsite[ttype]
    d1 = np.where(has_disp, _ln(rng, m1[ttype], 0.6, n), 0.0)
    d2 = np.where(far, _ln(rng, 240, 0.7, n), _ln(rng, m2[ttype], 0.8, n))
    d2 = np.where(on_call, rng.uniform(0.1, 2.0, n), d2)
    d3 = np.where(far, _ln(rng, 1500, 0.5, n), _ln(rng, np.maximum(m3[ttype], 1), 0.6, n))
    d3 = d3 + np.where(has_dist, dist * np.where(ttype == REPAIR, 1.2, 1.0), 0.0)
    d3 = np.where(night & np.isin(ttype, (REPAIR, HELP)), d3 * 1.3, d3)
    d4 = _ln(rng, m4[ttype], 1.0, n)
    d4 = np.where(on_call, _ln(rng, 4, 0.7, n), d4)
    d4 = np.where((ttype == REPAIR) & (rng.random(n) < 0.08), _ln(rng, 1200, 0.6, n), d4)
    d4 = np.where((ttype == WARRANTY) & (rng.random(n) < 0.10), _ln(rng, 2880, 0.5, n), d4)
    urgent = priority == 0
    d1, d2, d3 = (np.where(urgent, d * 0.6, d) for d in (d1, d2, d3))
    slow = np.where(shortage, 3.0 * np.exp(0.15 * rng.standard_normal(n)), 1.0)
    d1, d2, d3, d4 = d1 * slow, d2 * slow, d3 * slow, d4 * slow

    surveyed_type = np.isin(ttype, (REPAIR, COMPLAINT, WARRANTY))
    reopen_p = np.where(surveyed_type, 0.055, 0.0) * np.where(shortage, 2.0, 1.0) * np.where(badb, 4.0, 1.0)
    reopen = np.where(rng.random(n) < reopen_p, np.where(rng.random(n) < 0.85, 1, 2), 0)
    d4 = d4 + reopen * _ln(rng, 2880, 0.6, n)

    dispatched = np.where(has_disp, created + d1 * 60, NAN)
    first_resp = created + (d1 + d2) * 60
    on_site = np.where(has_onsite, first_resp + d3 * 60, NAN)
    resolved = np.where(has_onsite, on_site, first_resp) + d4 * 60
    dispatched, first_resp, on_site, resolved = map(np.round, (dispatched, first_resp, on_site, resolved))

    # after-hours back-fill: the control room sends a technician, the ticket is recorded next morning
    backfill = night & np.isin(ttype, (REPAIR, HELP, WARRANTY)) & (channel == 0) & (rng.random(n) < 0.4)
    sod = np.mod(created, DAY)
    morning = created - sod + np.where(hour >= 22, DAY, 0) + rng.uniform(8 * 3600, 9.5 * 3600, n)
    lag_rec = np.where(channel == 2, rng.uniform(300, 3600, n), rng.uniform(10, 180, n))
    recorded = np.round(np.where(backfill, morning, created + lag_rec))

    # cancellations (invalid complaints, duplicates) and tickets stuck open
    cancelled = rng.random(n) < np.where(is_complaint & ~conv & ~badb, 0.05, 0.008)
    # stuck: forgotten in the last quarter (not years ago: a newcomer's backlog should look like a real one)
    old = (created < as_of - 30 * DAY) & (created >= as_of - 120 * DAY)
    stuck = (old & ~cancelled & np.isin(ttype, (REPAIR, COMPLAINT, WARRANTY, SUGGESTION))
             & (rng.random(n) < 0.003))
    # the recent backlog: waiting for parts, a contractor or the customer (a few % of the last weeks)
    age_days = (as_of - created) / DAY
    pending = (~cancelled & ~stuck & np.isin(ttype, (REPAIR, COMPLAINT, WARRANTY, SUGGESTION, HELP))
               & (rng.random(n) < 0.08 * np.exp(-age_days / 10)))
    untouched = pending & (age_days < 3) & (rng.random(n) < 0.6)
    stuck |= pending
    dispatched = np.where(untouched, NAN, dispatched)
    first_resp = np.where(untouched, NAN, first_resp)
    on_site = np.where(cancelled | untouched | (stuck & (rng.random(n) < 0.5)), NAN, on_site)
    resolved = np.where(cancelled | stuck, NAN, resolved)
    reopen = np.where(cancelled | stuck, 0, reopen)

    # follow-up attempts (resolved repairs, complaints, warranty claims) decide when a ticket closes
    follow = surveyed_type & ~np.isnan(resolved) & (rng.random(n) < np.where(shortage, 0.80, 0.90))
    att1 = _daytime(rng, resolved + _ln(rng, 1200, 0.7, n) * 60)
    out1 = _choice(rng, n, OUTCOME_P)
    has2 = follow & (out1 == 1) & (rng.random(n) < 0.6)
    att2 = _daytime(rng, att1 + _ln(rng, 1440, 0.3, n) * 60)
    out2 = _choice(rng, n, OUTCOME_P)
    has3 = has2 & (out2 == 1) & (rng.random(n) < 0.6)
    att3 = _daytime(rng, att2 + _ln(rng, 1440, 0.3, n) * 60)
    out3 = _choice(rng, n, OUTCOME_P)
    last = np.where(has3, att3, np.where(has2, att2, att1))
    closed = np.where(follow, last + _ln(rng, 60, 0.8, n) * 60,
                      resolved + np.where(surveyed_type, _ln(rng, 2880, 0.6, n), _ln(rng, 120, 1.0, n)) * 60)
    closed = np.where(cancelled, np.fmax(created, first_resp) + _ln(rng, 240, 1.0, n) * 60, closed)
    closed = np.round(closed)

    escalated_p = np.where(is_complaint, np.array([0.5, 0.12, 0.04])[grade], 0.012)
    escalated_p = escalated_p + np.where((resolved - created) > 3 * DAY, 0.08, 0.0)
    escalated = rng.random(n) < escalated_p * np.where(shortage | badb, 2.0, 1.0)

    # the state on end_date: later steps have not happened yet
    ts = [np.where(x > as_of, NAN, x) for x in (dispatched, first_resp, on_site, resolved, closed)]
    dispatched, first_resp, on_site, resolved, closed = ts
    status = np.where(
        ~np.isnan(closed), np.where(cancelled, 4, 3),
        np.where(~np.isnan(resolved), 2,
                 np.where(~np.isnan(dispatched) | ~np.isnan(first_resp) | ~np.isnan(on_site), 1, 0)))

    tickets = pl.DataFrame({
        "created_at": _ts(created), "recorded_at": _ts(recorded),
        "channel": _lookup(CHANNELS, channel), "ticket_type": _lookup(TYPES, ttype),
        "category": _lookup(CAT_NAME, cat), "priority": _lookup(PRIORITIES, priority),
        "complaint_grade": _lookup(GRADES, grade, is_complaint),
        "site": _lookup(SITES, site), "region": _lookup(SITE_REGION, site),
        "department": _lookup(DEPARTMENTS, dept), "agent": _lookup(AGENTS, agent),
        "customer_id": "C" + pl.Series(site + 1).cast(pl.Utf8)
        + pl.Series((customers_per_site * rng.random(n) ** 2).astype(np.int64)).cast(pl.Utf8).str.zfill(6),
        "product": _lookup(PRODUCTS, np.maximum(product, 0), product >= 0),
        "batch_id": _lookup(plant.final_lot_ids, np.maximum(lot, 0), has_lot),
        "distance_km": pl.select(pl.when(pl.Series(has_dist)).then(pl.Series(np.round(dist, 1)))).to_series(),
        "dispatched_at": _ts(dispatched), "first_response_at": _ts(first_resp), "on_site_at": _ts(on_site),
        "resolved_at": _ts(resolved), "closed_at": _ts(closed),
        "status": _lookup(STATUSES, status), "reopen_count": pl.Series(reopen).cast(pl.Int32),
        "is_escalated": pl.Series(escalated), "is_attributable_to_service": _bool(attributable, is_complaint),
        "is_repeat_complaint": _bool(repeat, is_complaint),
        # the hotline's complaint levels (issue 14, story 10): a generator of its own, seeded from the chunk
        **complaint_levels(np.random.default_rng(int(created[0]) if n else 0), created, resolved, first_resp,
                           is_complaint),
    })

    # --- surveys: one row per attempt ---
    method = _choice(rng, n, METHOD_P)
    badness = (np.where(ttype == COMPLAINT, 0.3, np.where(ttype == WARRANTY, 0.15, 0.0))
               + 0.9 * shortage + 0.9 * badb + 0.8 * (reopen > 0) + 0.3 * escalated
               + 0.3 * ((ttype == REPAIR) & ((resolved - created) > DAY)))
    parts = []
    for att, out, has in ((att1, out1, follow), (att2, out2, has2), (att3, out3, has3)):
        keep = has & (np.round(att) <= as_of)
        idx = np.flatnonzero(keep)
        parts.append((idx, np.round(att[idx]), out[idx]))
    sidx = np.concatenate([p[0] for p in parts])
    s_att = np.concatenate([p[1] for p in parts])
    s_out = np.concatenate([p[2] for p in parts])
    ns = len(sidx)
    s_method = method[sidx]
    quick = (s_method == 0) | (s_method == 3)
    s_resp = s_att + np.where(quick, rng.uniform(30, 600, ns), _ln(rng, 90, 1.0, ns) * 60)
    late = (s_out == 0) & (s_resp > as_of)
    s_out = np.where(late, 1, s_out)
    responded = s_out == 0
    s_resp = np.where(responded, np.round(s_resp), NAN)
    z = rng.standard_normal(ns) + badness[sidx]
    score = 5 - np.searchsorted(SCORE_CUTS, z)
    dims_ok = responded & (rng.random(ns) < 0.8)

    def dim(extra_down: np.ndarray | float = 0.0) -> pl.Series:
        d = score + _choice(rng, ns, (0.15, 0.70, 0.15)) - 1 - np.asarray(extra_down)
        return _bool(np.clip(d, 1, 5).astype(np.int32), dims_ok)

    s_short, s_bad = shortage[sidx], badb[sidx]
    rec_base = np.array([0, 1.5, 3.5, 6.0, 7.8, 9.3])[score]
    recommend = np.clip(np.round(rec_base + rng.standard_normal(ns)), 0, 10).astype(np.int32)
    wants_comment = responded & (rng.random(ns) < np.where(score <= 3, 0.8, 0.35))
    pools = (COMMENTS_GOOD, COMMENTS_MID, COMMENTS_BAD, COMMENTS_SHORTAGE, COMMENTS_BATCH)
    flat = [c for pool in pools for c in pool]
    starts = np.cumsum([0] + [len(p) for p in pools])[:-1]
    sizes = np.array([len(p) for p in pools])
    special = (score <= 2) & (rng.random(ns) < 0.7)
    pool = np.where(score >= 4, 0, np.where(score == 3, 1,
                    np.where(special & s_short, 3, np.where(special & s_bad, 4, 2))))
    comment_i = starts[pool] + (rng.random(ns) * sizes[pool]).astype(np.int64)
    surveys = pl.DataFrame({
        "ticket_id_i": sidx, "attempted_at": _ts(s_att), "responded_at": _ts(s_resp),
        "method": _lookup(METHODS, s_method), "outcome": _lookup(OUTCOMES, s_out),
        "score": _bool(score.astype(np.int32), responded),
        "score_attitude": dim(), "score_skill": dim(0.3 * s_bad),
        "score_timeliness": dim(np.where(s_short, 1, 0)), "score_promise": dim(0.5 * (s_short | s_bad)),
        "recommend_score": _bool(recommend, responded & (rng.random(ns) < 0.4)),
        "comment": _lookup(flat, comment_i, wants_comment),
        "agent": tickets["agent"].gather(sidx), "site": tickets["site"].gather(sidx),
    }).sort("attempted_at", "ticket_id_i", maintain_order=True)

    # --- field failures: confirmed warranty claims become nonconformities with external cost ---
    confirm = (ttype == WARRANTY) & has_lot & ~cancelled & (rng.random(n) < np.where(badb, 0.9, 0.5))
    found = np.round(created + _ln(rng, 180, 0.8, n) * 60)
    confirm &= found <= as_of
    fi = np.flatnonzero(confirm)
    nf = len(fi)
    f_bad = badb[fi]
    f_qty = np.where(f_bad, 5 + rng.poisson(10, nf), 1 + rng.poisson(3, nf))
    f_disp = np.where(rng.random(nf) < 0.6, SCRAP, REPAIR_D)
    f_price = PRODUCT_PRICE[product[fi]]
    f_dept = np.where(f_bad, np.where(rng.random(nf) < 0.8, PURCHASING, QUALITY),
                      _choice(rng, nf, (0.10, 0.35, 0.20, 0.10, 0.15, 0.10)))
    defect_of = {CAT[d]: DEFECTS.index(d) for d in DEFECTS if d in CAT}
    f_def = np.vectorize(defect_of.get, otypes=[np.int64])(cat[fi]) if nf else np.zeros(0, dtype=np.int64)
    field_ncs = pl.DataFrame({
        "lot_id": _lookup(plant.final_lot_ids, lot[fi]), "ticket_i": fi,
        "product": _lookup(PRODUCTS, product[fi]), "production_day": lot_days[fi], "found_s": found[fi],
        "defect_type": _lookup(DEFECTS, f_def), "qty": f_qty.astype(np.int64),
        "disposition": _lookup(DISPOSITIONS, f_disp),
        "material_cost": np.where(f_disp == SCRAP, f_qty * f_price * 0.6, 0.0),
        "labour_cost": np.where(f_disp == REPAIR_D, 80 + f_qty * rng.uniform(8, 20, nf), 0.0),
        "discount_cost": np.zeros(nf),
        "external_cost": 300 + dist[fi] * 3 + _ln(rng, 500, 0.6, nf),
        "responsible_department": _lookup(NC_DEPARTMENTS, f_dept),
    })
    return Chunk(tickets=tickets, surveys=surveys, field_ncs=field_ncs)


# --- writers ------------------------------------------------------------------------------------------------
TICKET_TS = [c for c in TICKETS.timestamp_columns]
SURVEY_TS = [c for c in SURVEYS.timestamp_columns]
HOTLINE_HEADERS = {
    "ticket_id": "工单编号", "created_at": "受理时间", "recorded_at": "登记时间", "channel": "来源渠道",
    "ticket_type": "工单类型", "category": "问题分类", "priority": "紧急程度", "complaint_grade": "投诉等级",
    "site": "服务站点", "region": "区域", "department": "责任部门", "agent": "受理人",
    "customer_id": "客户编号",
    "product": "产品", "batch_id": "批次号", "distance_km": "距离公里", "dispatched_at": "派单时间",
    "first_response_at": "首次响应时间", "on_site_at": "到场时间", "resolved_at": "完成时间",
    "closed_at": "结案时间",
    "status": "状态", "reopen_count": "重开次数", "is_escalated": "是否升级",
    "is_attributable_to_service": "是否服务责任", "is_repeat_complaint": "是否重复投诉",
    "coordination_level": "协调范围", "complexity": "投诉难度",
}
FOLLOWUP_HEADERS = {
    "survey_id": "回访编号", "ticket_id": "工单编号", "attempted_at": "回访时间", "responded_at": "回复时间",
    "method": "回访方式", "outcome": "回访结果", "score": "满意度", "score_attitude": "服务态度",
    "score_skill": "技术水平", "score_timeliness": "到达及时", "score_promise": "信守承诺",
    "recommend_score": "推荐意愿", "comment": "意见", "agent": "回访人", "site": "服务站点",
}
HOTLINE_VALUES = {
    "channel": CHANNEL_ZH, "ticket_type": TYPE_ZH, "category": CAT_ZH, "priority": PRIORITY_ZH,
    "complaint_grade": GRADE_ZH, "site": SITE_ZH, "region": REGION_ZH, "department": DEPARTMENT_ZH,
    "product": PRODUCT_ZH, "status": STATUS_ZH,
    "coordination_level": {"within_department": "部门内", "cross_department": "省内跨部门", "cross_province": "跨省",
                           "other_company": "跨公司"},
    "complexity": {"simple": "简单", "complex": "复杂"},
}
FOLLOWUP_VALUES = {"method": METHOD_ZH, "outcome": OUTCOME_ZH, "site": SITE_ZH}


def _canonical_tickets(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(_fmt(c, CANONICAL_TS) for c in TICKET_TS).select(list(TICKETS.columns))


def _hotline_tickets(frame: pl.DataFrame) -> pl.DataFrame:
    zh = frame.with_columns(
        *(_fmt(c, HOTLINE_TS) for c in TICKET_TS),
        *(pl.col(c).replace_strict(m, default=None) for c, m in HOTLINE_VALUES.items()),
        *(pl.col(c).replace_strict(BOOL_ZH, default=None, return_dtype=pl.Utf8)
          for c in ("is_escalated", "is_attributable_to_service", "is_repeat_complaint")),
    )
    return zh.select(pl.col(c).alias(h) for c, h in HOTLINE_HEADERS.items())


def _canonical_surveys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(_fmt(c, CANONICAL_TS) for c in SURVEY_TS).select(list(SURVEYS.columns))


def _followup_surveys(frame: pl.DataFrame) -> pl.DataFrame:
    zh = frame.with_columns(
        *(_fmt(c, FOLLOWUP_TS) for c in SURVEY_TS),
        *(pl.col(c).replace_strict(m, default=None) for c, m in FOLLOWUP_VALUES.items()),
        pl.col("score").replace_strict(SCORE_ZH, default=None, return_dtype=pl.Utf8),
    )
    return zh.select(pl.col(c).alias(h) for c, h in FOLLOWUP_HEADERS.items())


def _write_csv(frame: pl.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    if encoding == "utf-8":
        frame.write_csv(path)
    else:
        path.write_bytes(frame.write_csv().encode(encoding))


def _xml_text(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True) \
        .str.replace_all(">", "&gt;", literal=True)


def _column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OOXML = "http://schemas.openxmlformats.org"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = f"{OOXML}/officeDocument/2006/relationships"
_XLSX_PARTS = {
    "[Content_Types].xml": (
        f'{XML_DECL}<Types xmlns="{OOXML}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'{XML_DECL}<Relationships xmlns="{OOXML}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'{XML_DECL}<Relationships xmlns="{OOXML}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        f'{XML_DECL}<styleSheet xmlns="{OOXML}/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_XLSX_WORKBOOK = (
    f'{XML_DECL}<workbook xmlns="{OOXML}/spreadsheetml/2006/main" xmlns:r="{_REL}">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet: str) -> None:
    """A minimal, deterministic XLSX (inline strings, numbers as numbers), built column-wise with Polars.

    xlsxwriter needs ~200 us per row from Python; this writes 100k rows in well under a second.
    """
    row = pl.int_range(2, frame.height + 2, dtype=pl.Int64).cast(pl.Utf8)
    cells = []
    for i, (name, dtype) in enumerate(frame.schema.items()):
        ref = pl.lit(_column_letter(i)) + row
        col = pl.col(name)
        if dtype.is_numeric():
            cells.append(pl.concat_str([pl.lit('<c r="'), ref, pl.lit('"><v>'), col.cast(pl.Utf8),
                                        pl.lit("</v></c>")]))
        else:
            cells.append(pl.concat_str([pl.lit('<c r="'), ref, pl.lit('" t="inlineStr"><is><t>'),
                                        _xml_text(col.cast(pl.Utf8)), pl.lit("</t></is></c>")]))
    body = frame.select(
        pl.concat_str([pl.lit('<row r="'), row, pl.lit('">'), *[c.fill_null("") for c in cells],
                       pl.lit("</row>")]).alias("x")
    )["x"]
    header = "".join(f'<c r="{_column_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                     for i, h in enumerate(frame.columns))
    last = f"{_column_letter(frame.width - 1)}{frame.height + 1}"
    sheet_xml = "".join([
        XML_DECL, f'<worksheet xmlns="{OOXML}/spreadsheetml/2006/main">',
        f'<dimension ref="A1:{last}"/><sheetData>',
        f'<row r="1">{header}</row>', "".join(body.to_list()), "</sheetData></worksheet>",
    ])
    parts = {**_XLSX_PARTS, "xl/workbook.xml": _XLSX_WORKBOOK.format(sheet=sheet),
             "xl/worksheets/sheet1.xml": sheet_xml}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))   # fixed: same input, same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))


def _nc_frame(rows: pl.DataFrame, start: int, width: int, ticket_ids: pl.Series) -> pl.DataFrame:
    """Canonical nonconformity rows in found_at order; ticket_i indexes ticket_ids (null for lot findings)."""
    rows = rows.sort("found_s", "lot_id", maintain_order=True)
    return rows.select(
        _ids("NC", start, rows.height, width).alias("nc_id"), "lot_id",
        ticket_ids.gather(rows["ticket_i"]).alias("ticket_id"), "product",
        pl.from_epoch(pl.col("production_day") * DAY, time_unit="s").dt.strftime("%Y-%m-%d")
        .alias("production_date"),
        pl.from_epoch(pl.col("found_s").cast(pl.Int64), time_unit="s").dt.strftime(CANONICAL_TS)
        .alias("found_at"),
        "defect_type", pl.col("qty").cast(pl.Int32), "disposition",
        *(pl.col(c).cast(pl.Float64).round(2) for c in ("material_cost", "labour_cost", "discount_cost",
                                                        "external_cost")),
        "responsible_department",
    )


# --- deliberately bad rows (story 6) ------------------------------------------------------------------------
def _bad_tickets(end_date: date) -> pl.DataFrame:
    t0 = datetime.combine(end_date - timedelta(days=40), datetime.min.time()) + timedelta(hours=10)

    def s(dt: datetime) -> str:
        return dt.strftime(CANONICAL_TS)

    rows = []
    for i, (site, channel, backwards) in enumerate((("Lakeside", "phone", True), ("Parkview", "app", True),
                                                     ("Westgate", "wechat", False)), start=1):
        created = t0 + timedelta(hours=i)
        resolved = created - timedelta(hours=2) if backwards else created + timedelta(minutes=55)
        rows.append({
            "ticket_id": f"TQ{i:06d}", "created_at": s(created),
            "recorded_at": s(created + timedelta(minutes=1)),
            "channel": channel, "ticket_type": "repair", "category": "water leak", "priority": "normal",
            "complaint_grade": None, "site": site, "region": SITE_REGION[SITES.index(site)],
            "department": "engineering", "agent": AGENTS[20 + i],
            "customer_id": f"C{SITES.index(site) + 1}{i:06d}",
            "product": None, "batch_id": None, "distance_km": 1.2,
            "dispatched_at": s(created + timedelta(minutes=2)),
            "first_response_at": s(created + timedelta(minutes=6)),
            "on_site_at": s(created + timedelta(minutes=18)) if not backwards else None,
            "resolved_at": s(resolved), "closed_at": s(resolved + timedelta(minutes=30)), "status": "closed",
            "reopen_count": 0, "is_escalated": False, "is_attributable_to_service": None,
            "is_repeat_complaint": None,
        })
    return pl.DataFrame(rows, schema={c: (pl.Utf8 if t == TICKETS.columns["created_at"] else t)
                                      for c, t in TICKETS.columns.items()})


def _bad_surveys(end_date: date) -> pl.DataFrame:
    t0 = datetime.combine(end_date - timedelta(days=35), datetime.min.time()) + timedelta(hours=15)
    rows = [{
        "survey_id": f"SQ{i:06d}", "ticket_id": None,
        "attempted_at": (t0 + timedelta(hours=i)).strftime(CANONICAL_TS),
        "responded_at": (t0 + timedelta(hours=i, minutes=3)).strftime(CANONICAL_TS), "method": "phone",
        "outcome": "responded", "score": 7, "score_attitude": None, "score_skill": None,
        "score_timeliness": None, "score_promise": None, "recommend_score": None, "comment": None,
        "agent": AGENTS[14 + i], "site": "Lakeside",
    } for i in (1, 2, 3)]
    return pl.DataFrame(rows, schema={c: (pl.Utf8 if t == SURVEYS.columns["attempted_at"] else t)
                                      for c, t in SURVEYS.columns.items()})


CALL_WEEKS = 16                        # story 7: the hotline's calls cover the last 16 weeks
ROSTER_CHANGE_WEEKS = 6                # Monday-morning roster fixed this many weeks before the end
CALL_QUEUES = (("综合咨询", 0.55), ("报修", 0.30), ("投诉", 0.15))
CALL_ACD_TS = "%Y-%m-%d %H:%M:%S"
ROSTER_TS = "%Y-%m-%d %H:%M"


def _agent_timelines(rng: np.random.Generator, cell: np.ndarray, answered: np.ndarray, busy: np.ndarray,
                     agents: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who answers each answered call, and when, so that no agent's calls overlap (vectorised; no loop over calls).

    `cell` is each call's 30-minute interval (0 = the interval starting at `start`, epoch seconds), `busy` its
    talk + wrap-up seconds, `agents` the agents rostered per interval (H01..HNN by rank). The answered calls of an
    interval are dealt round the interval's agents (a random order, from a random agent); each agent's calls are
    laid end to end in the interval: answer = interval start + the agent's earlier calls' busy seconds + idle gaps
    that split the agent's free time at random (exponential weights, one more gap after the last call). So an
    agent answers only after their previous call and its wrap-up are done, and their last call's wrap-up ends by
    the interval's end (the next interval's calls start from its start). An agent whose calls would need more
    than the interval keeps the first that fit; the rest are not answered (returned False: the caller hangs up).
    Returns (agent rank, answer time, answered) per call; rank and answer time mean nothing where not answered."""
    n = cell.size
    agent = np.zeros(n, dtype=np.int64)
    answer = np.zeros(n, dtype=np.int64)
    answered = answered.copy()
    take = np.flatnonzero(answered)
    if not take.size:
        return agent, answer, answered
    take = take[np.lexsort((rng.random(take.size), cell[take]))]           # by interval, random within
    c = cell[take]
    m = np.maximum(agents, 1).astype(np.int64)[c]
    first = np.r_[True, c[1:] != c[:-1]]
    pos = np.arange(take.size) - np.maximum.accumulate(np.where(first, np.arange(take.size), 0))
    rank = (pos + rng.integers(0, m[first])[np.cumsum(first) - 1]) % m
    # each (interval, agent)'s calls in a row, in the order dealt
    k = np.lexsort((pos, rank, c))
    take, c, rank, b = take[k], c[k], rank[k], busy[take[k]].astype(np.int64)
    group = np.r_[True, (c[1:] != c[:-1]) | (rank[1:] != rank[:-1])]
    gid = np.cumsum(group) - 1
    head = np.flatnonzero(group)
    done = np.cumsum(b)                                                    # busy seconds up to and with each call
    done = done - (done - b)[head][gid]
    fits = done <= 1800
    answered[take[~fits]] = False
    take, c, rank, b, gid, done = take[fits], c[fits], rank[fits], b[fits], gid[fits], done[fits]
    free = 1800 - np.bincount(gid, b, head.size).astype(np.int64)          # each agent's idle seconds there
    weight = rng.exponential(1, take.size)
    total = np.bincount(gid, weight, head.size) + rng.exponential(1, head.size)   # + the gap after the last call
    before = np.cumsum(weight)
    # gaps up to and with each call's own (each group's first row after the filter: `head` indexes the unfiltered)
    before = before - (before - weight)[np.searchsorted(gid, gid)]
    gap = np.floor(before / total[gid] * free[gid]).astype(np.int64)
    answer[take] = start + c * 1800 + gap + done - b
    agent[take] = rank
    return agent, answer, answered


def _link_calls(rng: np.random.Generator, answered_at: np.ndarray, phone: pl.DataFrame) -> pl.Series:
    """工单号 per call (issue 16: calls that created tickets join the ticket's lifecycle): each Riverside phone
    ticket (`phone`: ticket_id, created_at) was registered during the answered call answered last before it
    (within 30 minutes; a call registers one ticket, the earliest), and one in ten callers of a linked ticket
    calls again about it 1 to 72 hours later (the first answered call not linked yet, within 2 hours), which takes
    the ticket out of first-contact resolution. `answered_at`: epoch seconds, negative for a call not answered."""
    answered = (pl.DataFrame({"at": answered_at}).with_row_index("row").filter(pl.col("at") >= 0)
                .with_columns(pl.col("row").cast(pl.Int64)).sort("at"))
    tickets = phone.select("ticket_id", pl.col("created_at").cast(pl.Int64).alias("at")).drop_nulls("at").sort("at")
    first = (tickets.join_asof(answered, on="at", strategy="backward", tolerance=1800).drop_nulls("row")
             .unique("row", keep="first", maintain_order=True))
    picked = first.filter(pl.Series(rng.random(first.height) < 0.1))
    again = picked.with_columns(pl.col("at") + pl.Series(rng.integers(3600, 72 * 3600, picked.height))).sort("at")
    free = answered.join(first.select("row"), on="row", how="anti")
    second = (again.select("ticket_id", "at").join_asof(free, on="at", strategy="forward", tolerance=7200)
              .drop_nulls("row").unique("row", keep="first", maintain_order=True))
    links = pl.concat([first.select("row", "ticket_id"), second.select("row", "ticket_id")])
    return (pl.DataFrame({"row": np.arange(answered_at.size, dtype=np.int64)})
            .join(links, on="row", how="left").sort("row")["ticket_id"])


def _hotline_calls(rng: np.random.Generator, end_date: date, calls_per_day: int,
                   phone: pl.DataFrame | None = None, link_rng: np.random.Generator | None = None
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Story 7: the hotline's call records (calls__acd_zh), vectorised. Per 30-minute interval: Poisson arrivals
    on a daily profile (peaks 10-11 and 18-20, Monday x1.3), agents rostered for an 85 % service level, 2 fewer on
    Monday 09:00-12:00 until the roster change. Each call's queueing delay is drawn from Erlang C for its
    interval (waits with probability C, then exponential with rate (N - A) / AHT; overloaded intervals wait
    ~1 min), against an exponential patience (mean 90 s): impatient callers abandon. The answered calls are laid
    on the rostered agents' timelines (`_agent_timelines`: no agent's calls overlap, so the calls suite's
    agent_calls_overlap finds none) and offered their wait before they are answered. Returns the calls and the
    roster (roster__wfm_zh: agents H01..HNN logged in and available in each interval)."""
    first = end_date - timedelta(days=7 * CALL_WEEKS - 1)
    days = np.arange(_dn(first), _dn(end_date) + 1)
    slot = np.arange(48)
    hour = slot / 2
    profile = (0.15 + np.exp(-((hour - 10.5) ** 2) / 3) + 0.8 * np.exp(-((hour - 19) ** 2) / 2)
               + 0.5 * ((hour >= 8) & (hour < 21)))
    profile = profile / profile.sum()
    weekday = (days + 3) % 7                                  # day number 0 = 1970-01-01, a Thursday
    day_factor = np.select([weekday == 0, weekday == 5, weekday == 6], [1.3, 0.75, 0.65], 1.0)
    mean = calls_per_day * day_factor[:, None] * profile[None, :]          # days x slots
    aht = 205.0
    traffic = mean * aht / 1800
    # rostered agents: the fewest reaching 85 % in 20 s (pipelines.staffing), 2 fewer on Monday mornings before
    from pipelines.staffing import agents_needed

    rostered = agents_needed(mean.ravel(), np.full(mean.size, aht), 1800, 0.85, 20).reshape(mean.shape)
    change = _dn(end_date) - weekday[-1] - 7 * ROSTER_CHANGE_WEEKS          # a Monday
    short = (weekday[:, None] == 0) & (slot[None, :] >= 18) & (slot[None, :] < 24) & (days[:, None] < change)
    agents = np.maximum(np.where(short, rostered - 2, rostered), 1)
    counts = rng.poisson(mean).ravel()
    idx = np.repeat(np.arange(counts.size), counts)
    n = idx.size
    day_of, slot_of = days[idx // 48], slot[idx % 48]
    offered = (day_of.astype(np.int64) * DAY + slot_of * 1800 + rng.integers(0, 1800, n)).astype(np.int64)
    order = np.argsort(offered, kind="stable")
    idx, offered = idx[order], offered[order]
    a, m = traffic.ravel()[idx], agents.ravel()[idx].astype(float)
    from pipelines.staffing import erlang_c

    cells = np.unique(idx)
    p_wait = np.ones(counts.size)
    p_wait[cells] = erlang_c(traffic.ravel()[cells], agents.ravel()[cells])
    rate = np.where(m > a, (m - a) / aht, 1 / 60)
    delay = np.where(rng.random(n) < p_wait[idx], rng.exponential(1, n) / rate, rng.uniform(1, 6, n))
    patience = rng.exponential(90, n)
    answered = delay <= patience
    wait = np.round(np.where(answered, delay, patience)).astype(np.int64)
    talk = np.maximum(np.round(_ln(rng, 180, 0.5, n)), 1).astype(np.int64)
    wrap = np.round(_ln(rng, 25, 0.4, n)).astype(np.int64)
    # answered calls: answered on their interval's agents' timelines, offered their wait before that (not before
    # the first day: a wait cut short at its midnight, the only change to a wait); abandoned ones keep their
    # arrival and hang up after their patience
    t0 = int(days[0]) * DAY
    agent, answer_at, answered = _agent_timelines(rng, idx, answered, talk + wrap, agents.ravel(), t0)
    wait = np.where(answered, wait, np.round(patience).astype(np.int64))   # callers no agent could take hang up
    offered = np.where(answered, np.maximum(answer_at - wait, t0), offered)
    wait = np.where(answered, answer_at - offered, wait)
    answer_at = np.where(answered, answer_at, offered + wait)
    order = np.argsort(offered, kind="stable")                             # ids in offered order
    offered, answer_at, answered, agent, wait, talk, wrap = (
        x[order] for x in (offered, answer_at, answered, agent, wait, talk, wrap))
    queue = _choice(rng, n, [w for _, w in CALL_QUEUES])
    transferred = rng.random(n) < 0.06
    end_at = np.where(answered, answer_at + talk, answer_at)
    names = [f"H{i:02d}" for i in range(1, int(agents.max()) + 1)]          # H01.. as many as rostered
    frame = pl.DataFrame({
        "呼叫ID": _ids("C", 1, n, 7),
        "技能组": _lookup([q for q, _ in CALL_QUEUES], queue),
        "进线时间": offered,
        "应答时间": np.where(answered, answer_at, -1),
        "放弃时间": np.where(answered, -1, answer_at),
        "挂机时间": end_at,
        "坐席": _lookup(names, agent, answered),
        "等待时长": wait,
        "通话时长": np.where(answered, talk, 0),
        "话后处理时长": np.where(answered, wrap, 0),
        "是否转接": np.where(answered & transferred, "是", "否"),
        "结果": np.where(answered, "接通", "放弃"),
        "工单号": (_link_calls(link_rng, np.where(answered, answer_at, -1), phone) if phone is not None and link_rng
                  else pl.Series([None] * n, dtype=pl.Utf8)),
    })
    stamps = ("进线时间", "应答时间", "放弃时间", "挂机时间")
    calls = frame.with_columns(pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in stamps).with_columns(
        _fmt(c, CALL_ACD_TS) for c in stamps)
    per_cell = agents.ravel().astype(np.int64)
    cell = np.repeat(np.arange(per_cell.size), per_cell)
    rank = np.arange(cell.size) - np.repeat(np.cumsum(per_cell) - per_cell, per_cell)
    roster = pl.DataFrame({
        "坐席": _lookup(names, rank),
        "时段开始": (days[cell // 48].astype(np.int64) * DAY + slot[cell % 48] * 1800).astype(np.int64),
        "时段分钟": np.full(cell.size, 30),
        "是否登录": np.full(cell.size, "是"),
        "是否可接听": np.full(cell.size, "是"),
    }).with_columns(_fmt("时段开始", ROSTER_TS))
    return calls, roster


def default_end_date() -> date:
    """Yesterday in the demo's time zone: the last full day a real export would hold."""
    return clock.today(TIMEZONE) - timedelta(days=1)


# --- the whole thing ----------------------------------------------------------------------------------------
def generate_demo(
    out_dir: Path, tickets: int = 60_000, seed: int = 20261122, end_date: date | None = None,
    chunk_size: int = CHUNK_TICKETS,
) -> list[tuple[Path, str]]:
    """Write the demo files into out_dir; return (path, mapping profile name) in load order. The data ends on
    `end_date`, by default yesterday by the clock (pipelines/clock.py) in the demo's zone."""
    if end_date is None:
        end_date = default_end_date()
    if tickets < 1:
        raise ValueError("tickets must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for pattern in OUTPUT_PATTERNS:          # an earlier run's files (e.g. more parts) would mislead a loader
        for old in out_dir.glob(pattern):
            old.unlink()
    seq = np.random.SeedSequence([seed, 20261122])
    plant_seq, calendar_seq, chunk_seq = seq.spawn(3)
    start_date = date(end_date.year - 2, end_date.month, min(end_date.day, 28)) + timedelta(days=1)
    day0, n_days = _dn(start_date), (end_date - start_date).days + 1
    as_of = (_dn(end_date) + 1) * DAY - 1

    stories = Stories.ending(end_date)
    plant = _make_plant(np.random.default_rng(plant_seq), day0 - 100, _dn(end_date) - 1, stories)
    inspections = pl.concat([plant.inspections, pl.DataFrame([{
        "lot_id": "LQ000001", "product": "grout", "line": "Line 1", "plant": PLANT, "stage": "final",
        "inspected_at": datetime.combine(end_date - timedelta(days=30), datetime.min.time())
        + timedelta(hours=10),
        "production_date": end_date - timedelta(days=31), "material_batch_id": "MB-GR-QUARANTINE",
        "lot_qty": 1000, "inspected_qty": 50, "nonconforming_qty": 80, "inspector": INSPECTORS[0],
    }], schema=plant.inspections.schema)])
    inspections_path = out_dir / "inspections.parquet"
    inspections.write_parquet(inspections_path)   # inspected_at: naive datetime = Asia/Shanghai wall time

    # arrivals per day, then chunks of whole days
    cal_rng = np.random.default_rng(calendar_seq)
    w = _day_weights(day0, n_days, stories)
    per_day = cal_rng.multinomial(tickets, w / w.sum())
    cum = np.cumsum(per_day)
    chunk_of_day = np.minimum((cum - per_day) // chunk_size, max((tickets - 1) // chunk_size, 0))
    chunks = [np.flatnonzero(chunk_of_day == c) for c in np.unique(chunk_of_day)]
    multi = len(chunks) > 1
    tid_width = max(6, len(str(tickets)))
    sid_width = max(6, len(str(2 * tickets)))
    nc_width = max(6, len(str(tickets // 10 + plant.lot_ncs.height)))
    customers_per_site = max(2_000, tickets // 15)

    ticket_files: list[Path] = []
    hotline_files: list[Path] = []
    event_files: list[Path] = []
    survey_files: list[Path] = []
    followup_files: list[Path] = []
    field_files: list[Path] = []
    # lot findings of the QC lab: one file, ticket_id always empty
    lot_nc = _nc_frame(plant.lot_ncs, 1, nc_width, pl.Series([], dtype=pl.Utf8))
    bad_nc = lot_nc.tail(1).with_columns(nc_id=pl.lit("NCQ00001"), disposition=pl.lit("scrapped"))
    lot_nc = pl.concat([lot_nc, bad_nc])
    lots_path = out_dir / "nonconformities_lots.ndjson"
    lot_nc.write_ndjson(lots_path)
    next_t, next_s, next_nc = 1, 1, plant.lot_ncs.height + 1
    phone_parts: list[pl.DataFrame] = []   # the hotline's phone tickets: the calls that registered them (story 7)
    for c, (days, child) in enumerate(zip(chunks, chunk_seq.spawn(len(chunks)), strict=True)):
        suffix = f"_part{c + 1:02d}" if multi else ""
        last_chunk = c == len(chunks) - 1
        rng = np.random.default_rng(child)
        day_idx = np.repeat(days, per_day[days])
        chunk = _ticket_chunk(rng, day_idx, day0, as_of, plant, customers_per_site, stories)
        tk = chunk.tickets.with_columns(ticket_id=_ids("T", next_t, chunk.tickets.height, tid_width))
        next_t += tk.height

        riverside = tk["site"] == SITES[HOTLINE_SITE]
        canon = _canonical_tickets(tk.filter(~riverside))
        years = canon["created_at"].str.slice(0, 4)
        year_list = years.unique().sort().to_list()
        for y in year_list:
            part = canon.filter(years == y)
            if last_chunk and y == year_list[-1]:
                part = pl.concat([part, _bad_tickets(end_date)])
            path = out_dir / f"tickets_{y}{suffix}.csv"
            _write_csv(part, path)
            ticket_files.append(path)
        hot = tk.filter(riverside)
        phone_parts.append(hot.filter(pl.col("channel") == "phone").select("ticket_id", "created_at"))
        # the hotline's work-order steps and its appeal tickets (issue 14, story 9): their own seeded generator
        events, appeals = riverside_events(np.random.default_rng(np.random.SeedSequence([seed, 14, c])), hot, as_of)
        path = out_dir / f"riverside_hotline{suffix}.csv"
        _write_csv(_hotline_tickets(pl.concat([hot, appeals.select(hot.columns)])), path, encoding="gb18030")
        hotline_files.append(path)
        path = out_dir / f"riverside_events{suffix}.csv"
        _write_csv(events, path, encoding="gb18030")
        event_files.append(path)

        # the hotline's follow-ups of inquiries (issue 14, story 10): their own seeded generator, after the chunk's
        surveys = pl.concat([chunk.surveys, inquiry_followups(
            np.random.default_rng(np.random.SeedSequence([seed, 1414, c])), chunk.tickets, as_of)],
            how="diagonal_relaxed")
        sv = surveys.with_columns(
            survey_id=_ids("S", next_s, surveys.height, sid_width),
            ticket_id=tk["ticket_id"].gather(surveys["ticket_id_i"]),
        )
        next_s += sv.height
        s_riv = sv["site"] == SITES[HOTLINE_SITE]
        canon_s = _canonical_surveys(sv.filter(~s_riv))
        if last_chunk:
            canon_s = pl.concat([canon_s, _bad_surveys(end_date)])
        path = out_dir / f"surveys{suffix}.csv"
        _write_csv(canon_s, path)
        survey_files.append(path)
        path = out_dir / f"riverside_followup{suffix}.xlsx"
        _write_xlsx(_followup_surveys(sv.filter(s_riv)), path, "回访记录")
        followup_files.append(path)

        # field failures reported by field service: ticket_id always set
        nc = _nc_frame(chunk.field_ncs, next_nc, nc_width, tk["ticket_id"])
        next_nc += nc.height
        if nc.height:                  # an empty NDJSON file has no schema to read
            path = out_dir / f"nonconformities_field{suffix}.ndjson"
            nc.write_ndjson(path)
            field_files.append(path)

    calls, roster = _hotline_calls(np.random.default_rng(np.random.SeedSequence([seed, 16])), end_date,
                                   max(200, tickets // 100), pl.concat(phone_parts),
                                   np.random.default_rng(np.random.SeedSequence([seed, 16, 1])))
    calls_path, roster_path = out_dir / "hotline_calls.csv", out_dir / "hotline_roster.csv"
    _write_csv(calls, calls_path)
    _write_csv(roster, roster_path)
    from pipelines.demo_capa import write_corrective_actions  # noqa: PLC0415 (the demo's CAPA, issue 15)
    from pipelines.demo_nc import write_nc_steps  # the nonconformity steps (issue 15)
    nc_files = write_nc_steps(out_dir, end_date, lot_nc, seed)
    capa_path = write_corrective_actions(out_dir, end_date, stories.shortage, stories.bad_production, BAD_BATCH,
                                         plant.inspections, lot_nc)

    return ([(inspections_path, "inspections__canonical")]
            + [(p, "tickets__canonical") for p in ticket_files]
            + [(p, "tickets__hotline_zh") for p in hotline_files]
            + [(p, "ticket_events__hotline_zh") for p in event_files]
            + [(p, "surveys__canonical") for p in survey_files]
            + [(p, "surveys__followup_zh") for p in followup_files]
            + [(p, "nonconformities__canonical") for p in (lots_path, *field_files)]
            + [(calls_path, "calls__acd_zh"), (roster_path, "roster__wfm_zh")]
            + [(capa_path, "corrective_actions__canonical")]
            + nc_files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the demo organisation's source files.")
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("data/demo"))
    parser.add_argument("--tickets", type=lambda s: int(s.replace("_", "")), default=60_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None, help="default: yesterday")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    files = generate_demo(args.out_dir, tickets=args.tickets, seed=args.seed, end_date=args.end_date)
    for path, profile in files:
        print(f"{profile:28} {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"{len(files)} files in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
