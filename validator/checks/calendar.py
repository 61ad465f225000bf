"""Settings and calendar notes (C): what the package could not be checked against, said once.

A year without a monitoring line, or working days counted without holiday data, would make
other rules pass silently; these notes say so in the report instead.
"""

from __future__ import annotations

from validator.checks.context import Context
from validator.rules import rule

NO_LINE = rule(
    id="C001",
    name="monitoring-line-missing",
    severity="info",
    title="设置中没有该年度的监测线",
    message="设置中没有{year}年的监测线，“收入低于监测线”这一项没有检查",
    hint="请县扶贫办在县设置文件的监测线（monitoring_line）中补上该年度省里公布的数值和文件名称，校验时用 --settings 或在线校验页选择该文件。",
    clause="二（一）；数据标准（设置）",
    description=(
        "监测线按年度由省里确定；设置中没有数值的年度（见网站“设置与来源”页）不做收入比较，"
        "并在报告中说明，不会默认通过。"
    ),
    fail={
        "manifest": {"set": {"report_month": "2021-07", "submitted_date": "2021-08-04"}},
        "options": {"today": "2021-08-10"},
    },
    passing={
        "manifest": {"set": {"report_month": "2021-07", "submitted_date": "2021-08-04"}},
        "options": {
            "today": "2021-08-10",
            "settings": {
                "monitoring_line": {
                    "rows": [{"year": 2021, "amount": 6000, "source": "（示例，不是公布的数值）"}]
                }
            },
        },
    },
    pass_note="县设置文件补上了2021年的监测线，收入比较照常进行。",
)

CALENDAR_FALLBACK = rule(
    id="C002",
    name="calendar-fallback",
    severity="info",
    title="节假日数据不全，按周一至周五计算",
    message="{years}年不在节假日数据范围内，工作日按星期一至星期五计算",
    hint="请县扶贫办在县设置文件的节假日补充（holiday_overrides）中逐日补上当年国务院办公厅的放假安排。",
    clause="数据标准（设置）",
    description="工作日按法定节假日和调休计算；数据没有覆盖的年份改按周一至周五，结果可能差几天，因此在报告中提示。",
    fail={
        "manifest": {"set": {"report_month": "2027-07", "submitted_date": "2027-08-04"}},
        "annex1": {"set": {"appraisal_date": "2027-07-09", "verify_date": "2027-07-15"}},
        "options": {"today": "2027-08-10"},
    },
    passing={
        "manifest": {"set": {"report_month": "2027-07", "submitted_date": "2027-08-04"}},
        "annex1": {"set": {"appraisal_date": "2027-07-09", "verify_date": "2027-07-15"}},
        "options": {
            "today": "2027-08-10",
            "settings": {
                "holiday_overrides": {
                    "rows": [{"date": "2027-07-12", "kind": "holiday", "name": "（示例）县里补充的假日"}]
                }
            },
        },
    },
    pass_note="县设置文件补充了2027年的放假安排，2027年不再按周一至周五推算。",
)


def row_checks(form: dict, ctx: Context) -> list:
    """Nothing per row: the notes are collected by `Context.line` and the calendar."""
    return []


def finish(ctx: Context) -> None:
    """Say, once per package, which settings were missing and where the calendar guessed."""
    for year in sorted(ctx.lines_missing):
        ctx.emit(NO_LINE.finding(year=year))
        ctx.not_run(f"{NO_LINE.id} {year}年收入与监测线比较", f"设置中没有{year}年的监测线")
    if ctx.workdays.fallback_years:
        years = "、".join(str(y) for y in sorted(ctx.workdays.fallback_years))
        ctx.emit(CALENDAR_FALLBACK.finding(years=years))
