"""Writes the `resaved_*` files of tests/hostile/files/ (run once; the files are committed): a hotline export in
the shipped profile's format (`resaved_original.csv`, GB18030) and the same rows as people hand them over after
opening the export in Excel or WPS and saving it again. tests/hostile/resaved.toml lists them.
resaved_excel97.xls was written once with xlwt (not a dependency): the same rows as text cells, sheet 工单明细.

    .venv/bin/python tests/hostile/files/make_resaved.py
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import xlsxwriter

FILES = Path(__file__).parent
HEADER = ("工单编号,受理时间,登记时间,来源渠道,工单类型,问题分类,紧急程度,投诉等级,服务站点,区域,责任部门,受理人,客户编号,产品,"
          "批次号,距离公里,派单时间,首次响应时间,到场时间,完成时间,结案时间,状态,重开次数,是否升级,是否服务责任,是否重复投诉,协调范围,投诉难度")
ROWS = """\
T000004,2026/11/03 11:28,2026/11/03 12:10,来函,三包,固化不良,高,,滨江服务中心,华东,现场服务部,王芳,C1001543,填缝剂,L000281,18.6,2026/11/03 11:42,2026/11/03 15:15,2026/11/03 19:50,2026/11/03 22:54,2026/11/04 16:29,已结案,0,否,,,,
T000017,2026/11/09 08:22,2026/11/09 08:23,APP,报修,下水道堵塞,普通,,滨江服务中心,华东,工程部,李娜,C1000748,,,3.7,2026/11/09 08:24,2026/11/09 08:28,2026/11/09 08:38,2026/11/09 09:02,2026/11/10 11:19,已结案,0,否,,,,
T000028,2026/11/12 17:06,2026/11/12 17:07,电话,三包,粘接不牢,高,,滨江服务中心,华东,现场服务部,李娜,C1000402,白乳胶,L000031,201.9,2026/11/12 17:24,2026/11/12 19:48,2026/11/13 12:04,2026/11/13 16:36,2026/11/14 13:56,已结案,0,否,,,,
T000033,2026/11/13 15:01,2026/11/13 15:03,APP,投诉,热线难拨通,高,抱怨,滨江服务中心,华东,客服部,张伟,C1000101,,,,2026/11/13 15:06,2026/11/13 16:30,,2026/11/14 07:27,2026/11/15 01:07,已结案,1,是,否,否,省内跨部门,简单
T000038,2026/11/14 22:31,2026/11/14 22:34,电话,报修,电梯故障,紧急,,滨江服务中心,华东,工程部,赵敏,C1000766,,,0.9,2026/11/14 22:32,2026/11/14 22:38,2026/11/14 22:41,,,处理中,0,否,,,,
T000042,2026/11/20 09:05,2026/11/20 09:07,电话,报修,房屋零星维修,低,,滨江服务中心,华东,工程部,王芳,C1001669,,,2.0,,,,,,待处理,0,否,,,,
""".splitlines()
STAMP = re.compile(r"(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d)")


CALLS_HEADER = "呼叫ID,技能组,进线时间,应答时间,放弃时间,挂机时间,坐席,等待时长,通话时长,话后处理时长,是否转接,结果,工单号"
CALLS = """\
K0001,报修,2026-11-16 09:00:03,2026-11-16 09:00:15,,2026-11-16 09:04:38,王芳,12,263,30,否,接通,T000017
K0002,投诉,2026-11-16 09:01:10,,2026-11-16 09:02:50,2026-11-16 09:02:50,,100,0,0,否,放弃,
K0003,综合咨询,2026-11-16 09:02:00,2026-11-16 09:03:23,,2026-11-16 10:05:26,李娜,83,3723,45.5,是,接通,T000033
""".splitlines()
# the same durations as an ACD report shows them: a clock, or Chinese units
CALL_DURATIONS = {"12": "00:00:12", "263": "4分23秒", "30": "30秒", "100": "01:40", "0": "00:00",
                  "83": "1分钟23秒", "3723": "1:02:03", "45.5": "00:00:45.5"}


def write(name: str, lines: list[str], encoding: str = "gb18030", newline: str = "\n") -> None:
    (FILES / name).write_bytes((newline.join(lines) + newline).encode(encoding))


def workbook(name: str, title: bool, typed: bool, serials: bool = False) -> None:
    """The rows in a sheet: optionally under a two-line title, optionally with real date and number cells (or,
    `serials`, dates as the bare numbers a date cell holds once it lost its date format)."""
    book = xlsxwriter.Workbook(str(FILES / name))
    sheet, stamp = book.add_worksheet("工单明细"), book.add_format({"num_format": "yyyy/m/d h:mm"})
    top = 0
    if title:
        sheet.write(0, 0, "滨江服务中心热线工单明细")
        sheet.write(1, 0, "导出时间：2026/11/21 08:00")
        top = 3                                     # and an empty row before the header
    for column, name_ in enumerate(HEADER.split(",")):
        sheet.write(top, column, name_)
    for row, line in enumerate(ROWS, top + 1):
        for column, value in enumerate(line.split(",")):
            if not value:
                continue
            if serials and STAMP.fullmatch(value):
                since = dt.datetime.strptime(value, "%Y/%m/%d %H:%M") - dt.datetime(1899, 12, 30)
                sheet.write_number(row, column, since / dt.timedelta(days=1))
            elif typed and STAMP.fullmatch(value):
                sheet.write_datetime(row, column, dt.datetime.strptime(value, "%Y/%m/%d %H:%M"), stamp)
            elif typed and re.fullmatch(r"\d+(\.\d+)?", value):
                sheet.write_number(row, column, float(value))
            else:
                sheet.write_string(row, column, value)
    book.close()


def workbook_after_a_cover(name: str) -> None:
    """The rows on a second sheet, after a sheet of instructions (填表说明) with a title and two filled columns."""
    book = xlsxwriter.Workbook(str(FILES / name))
    cover = book.add_worksheet("填表说明")
    cover.write(0, 0, "滨江服务中心热线工单明细")
    for row, (key, text) in enumerate((("受理时间", "来电时间，精确到分钟"), ("状态", "待处理、处理中、已结案")), 2):
        cover.write(row, 0, key)
        cover.write(row, 1, text)
    sheet = book.add_worksheet("工单")
    for row, line in enumerate((HEADER, *ROWS)):
        for column, value in enumerate(line.split(",")):
            if value:
                sheet.write_string(row, column, value)
    book.close()


def main() -> None:
    write("resaved_original.csv", [HEADER, *ROWS])
    write("resaved_utf8_bom.csv", ["\ufeff" + HEADER, *ROWS], "utf-8")          # Excel's "CSV UTF-8"
    write("resaved_utf8.csv", [HEADER, *ROWS], "utf-8")                         # an editor's UTF-8, no mark
    write("resaved_gbk_for_utf8_profile.csv", [HEADER, *ROWS])                  # loaded with resaved_utf8.yaml
    write("resaved_seconds.csv", [HEADER, *(STAMP.sub(r"\1/\2/\3 \4:\5:00", r) for r in ROWS)])
    write("resaved_dashes.csv", [HEADER, *(STAMP.sub(r"\1-\2-\3 \4:\5", r) for r in ROWS)])
    write("resaved_no_leading_zeros.csv", [HEADER, *(STAMP.sub(
        lambda m: f"{m[1]}/{int(m[2])}/{int(m[3])} {int(m[4])}:{m[5]}", r) for r in ROWS)], newline="\r\n")
    write("resaved_header_spaces.csv", [",".join(f" {h}\u3000" if i % 3 == 0 else h
                                                 for i, h in enumerate(HEADER.split(","))), *ROWS])
    width = HEADER.count(",") + 3
    write("resaved_excel_trailing.csv", [HEADER + ",,", *(r + ",," for r in ROWS[:3]), "," * (width - 1),
                                         *(r + ",," for r in ROWS[3:]), "," * (width - 1)], newline="\r\n")
    write("resaved_tabs.csv", [line.replace(",", "\t") for line in (HEADER, *ROWS)], "utf-16")  # "Unicode text"
    write("resaved_semicolons.csv", [line.replace(",", ";") for line in (HEADER, *ROWS)])
    write("resaved_title_rows.csv", ["滨江服务中心热线工单明细" + "," * HEADER.count(","), "导出时间：2026/11/21 08:00",
                                     "", HEADER, *ROWS])
    write("resaved_calls_original.csv", [CALLS_HEADER, *CALLS], "utf-8")
    write("resaved_calls_durations.csv", [CALLS_HEADER, *(",".join(
        CALL_DURATIONS[v] if 7 <= i <= 9 else v for i, v in enumerate(line.split(","))) for line in CALLS)], "utf-8")
    workbook_after_a_cover("resaved_second_sheet.xlsx")
    workbook("resaved_title_rows.xlsx", title=True, typed=False)
    workbook("resaved_typed_cells.xlsx", title=False, typed=True)
    workbook("resaved_serial_dates.xlsx", title=False, typed=True, serials=True)
    # files.toml: an empty row inside a sheet still counts in the row a message names
    book = xlsxwriter.Workbook(str(FILES / "xlsx_empty_row_then_bad_value.xlsx"))
    sheet = book.add_worksheet()
    for row, line in enumerate([HEADER, ROWS[0], "", ROWS[1].replace("2026/11/09 08:22", "2026/11/31 08:22")]):
        for column, value in enumerate(line.split(",") if line else []):
            if value:
                sheet.write_string(row, column, value)
    book.close()


if __name__ == "__main__":
    main()
