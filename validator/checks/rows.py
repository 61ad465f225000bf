"""Row rules (R): logic between the cells of one row.

They run on the values the field checker already parsed, so a cell that failed its own
check is simply absent here and is not reported twice.

Monitoring line: 上年度 income (income_per_capita) is compared with the line of the *report
month's* year. The 2020 notice set its line (1.5 × the 2020 national standard) for the cases
of 2020, whose income figure is the year before; the provincial lines in the settings are
likewise the monitoring range of the year they are named for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from validator.checks.context import Context, Place
from validator.rules import rule

INCLUSION = rule(
    id="R001",
    name="inclusion-criteria-not-met",
    severity="warning",
    title="不符合任何一项纳入条件",
    message="按本行所填，不符合二（一）的任何一项纳入条件：{detail}；请核对，确有其他原因纳入的，在风险情况说明中写明",
    hint="核对收入、刚性支出、人口数和“收入大幅缩减”；确有其他原因纳入的，在风险情况说明中写清楚。",
    clause="二（一）",
    description=(
        "二（一）的纳入条件有三项，符合一项即可：人均可支配收入低于当年监测线（国家扶贫标准1.5倍左右）；"
        "因病、因残、因灾、因疫情等引发的刚性支出明显超过上年度家庭收入（人均收入×人口数）；收入大幅缩减"
        "（“收入大幅缩减”一列填“是”，或风险类型中有“收入大幅缩减”）。三项都不符合时给出警告，"
        "并逐项写明本行缺的是什么；办法说的是“1.5倍左右”，所以只是警告。监测线按报告月份所在年度取设置中的数值，"
        "该年没有数值时这一项不比较（见 C001），也就不下结论。"
    ),
    fail={"annex1": {"set": {"income_per_capita": "6500"}}},
    passing={"annex1": {"set": {"income_per_capita": "6500", "risk_types": "因病、收入大幅缩减"}}},
    fail_note="第1户人均收入6500元高于2020年监测线6000元，刚性支出18000元未超过 6500×4=26000元，收入大幅缩减填的是“否”，风险类型中也没有“收入大幅缩减”。",
    pass_note="风险类型中有“收入大幅缩减”，符合第三项条件。",
    resources=("annex1", "annex2"),
)

OTHER_NEEDS_NOTE = rule(
    id="R002",
    name="other-risk-needs-note",
    severity="error",
    title="风险类型为“其他”却没有说明",
    message="风险类型选了“其他”，风险情况说明必须写明是什么风险",
    hint="在风险情况说明中写清楚“其他”指的是什么困难。",
    clause="二（一）；数据标准（列设置）",
    description="风险类型“其他”不能说明问题，必须在风险情况说明中写明具体风险。",
    fail={"annex1": {"set": {"risk_types": "其他", "risk_note": ""}}},
    passing={"annex1": {"set": {"risk_types": "其他", "risk_note": "家中老人走失，长期寻找花费大"}}},
    resources=("annex1", "annex2"),
)

APPRAISAL_AFTER_VERIFY = rule(
    id="R003",
    name="appraisal-after-verify",
    severity="error",
    title="民主评议日期晚于乡镇核查日期",
    message="民主评议日期 {appraisal} 晚于乡镇核查日期 {verify}",
    hint="乡镇是在收到民主评议结果后才核查的，请核对两个日期。",
    clause="二（二）、二（三）",
    description="流程是先民主评议、再由乡镇核查，评议日期不能晚于核查日期。",
    fail={"annex1": {"set": {"appraisal_date": "2020-07-16"}}},
    passing={"annex1": {"set": {"appraisal_date": "2020-07-15"}}},
    resources=("annex1", "annex2"),
)

VERIFY_LATE = rule(
    id="R004",
    name="verify-not-within-7-workdays",
    severity="warning",
    title="乡镇核查超过7个工作日",
    message="{start_title} {start} 后第{days}个工作日（{verify}）才核查，应在{limit}个工作日内，最晚 {deadline}{note}",
    hint="核对日期；确实超期的，在备注中说明原因。",
    clause="二（三）",
    description=(
        "乡镇接到民主评议结果后应在7个工作日内入户核查（二（三））。期限从“收到评议结果日期”起算；"
        "没有填这一列时，从民主评议日期起算，并在提示中说明。工作日按国家法定节假日和调休计算。"
    ),
    fail={"annex1": {"set": {"appraisal_date": "2020-07-01", "verify_date": "2020-07-13"}}},
    passing={
        "annex1": {
            "set": {
                "appraisal_date": "2020-07-01",
                "received_date": "2020-07-06",
                "verify_date": "2020-07-13",
            }
        },
    },
    fail_note="没有填收到评议结果日期，从民主评议日期7月1日起算，7月13日是第8个工作日。",
    pass_note="乡镇7月6日才收到评议结果，从这天起算，7月13日是第5个工作日。",
    resources=("annex1", "annex2"),
)

AFTER_SUBMITTED = rule(
    id="R005",
    name="date-after-submitted",
    severity="error",
    title="日期晚于上报日期",
    message="{header} {date} 晚于报送信息中的上报日期 {submitted}",
    hint="上报的只能是已经发生的事；核对这个日期和上报日期。",
    clause="二（三）、二（六）",
    description=(
        "附件和乡镇阶段记录（申报排查、民主评议、乡镇审核）中的日期都不能晚于上报日期。"
        "县级研判和帮扶在上报之后进行，不受此限。"
    ),
    fail={"annex1": {"set": {"verify_date": "2020-08-05"}}},
    passing={
        "annex1": {"set": {"verify_date": "2020-08-04"}},
        "manifest": {"set": {"submitted_date": "2020-08-04"}},
    },
)

IDENTIFIED_AFTER_RELEASE = rule(
    id="R006",
    name="identified-after-release",
    severity="error",
    title="纳入监测时间晚于解除日期",
    message="纳入监测时间 {month} 晚于解除日期 {release}",
    hint="先纳入监测才能解除；核对两个日期。",
    clause="二（六）",
    description="解除预警只能在纳入监测之后。",
    fail={"annex3": {"set": {"identified_month": "2020-08"}}},
    passing={"annex3": {"set": {"identified_month": "2020-07"}}},
    resources=("annex3",),
)

MEASURES_DONE = rule(
    id="R007",
    name="measures-done-missing",
    severity="error",
    title="帮扶消除却没有填已落实措施",
    message="解除方式是“帮扶消除”，必须填写已落实的帮扶措施",
    hint="在已落实帮扶措施中填写实际落实的措施，多项用顿号“、”分隔。",
    clause="二（五）、二（六）",
    description="通过帮扶消除风险的，要写明落实了哪些帮扶措施。",
    fail={"annex3": {"set": {"measures_done": ""}}},
    passing={"annex3": {"set": {"measures_done": "住房保障、就业扶持"}}},
    resources=("annex3",),
)

RELEASE_INCOME = rule(
    id="R008",
    name="release-income-missing",
    severity="error",
    title="缺少解除时人均收入",
    message="解除方式是“{way}”，必须填写解除时家庭人均可支配收入",
    hint="填写解除时测算的家庭人均可支配收入（元）；只有“县级研判否定”可以不填。",
    clause="二（六）",
    description="除县级研判否定外，解除预警都要以解除时的收入为依据。",
    fail={"annex3": {"set": {"income_per_capita_release": ""}}},
    passing={"annex3": {"set": {"income_per_capita_release": ""}, "row": 2}},
    pass_note="第2户是县级研判否定，可以不填收入。",
    resources=("annex3",),
)

RELEASE_BELOW_LINE = rule(
    id="R009",
    name="release-income-below-line",
    severity="warning",
    title="解除时收入仍低于监测线",
    message="解除时人均可支配收入{income}元仍低于{year}年监测线{line}元",
    hint="收入仍低于监测线的户一般应继续监测帮扶；确需解除的，在解除理由中写明依据。",
    clause="二（六）",
    description="帮扶后仍有风险的户应继续监测；解除时收入低于监测线需要说明理由。",
    fail={"annex3": {"set": {"income_per_capita_release": "5800"}}},
    passing={"annex3": {"set": {"income_per_capita_release": "6000"}}},
    resources=("annex3",),
)

RECEIVED_BEFORE_APPRAISAL = rule(
    id="R010",
    name="received-before-appraisal",
    severity="error",
    title="收到评议结果日期早于民主评议日期",
    message="收到评议结果日期 {received} 早于民主评议日期 {appraisal}",
    hint="乡镇是在村里评议之后才收到评议结果的，请核对两个日期。",
    clause="二（二）、二（三）",
    description="附件1、附件2 的“收到评议结果日期”是乡镇收到民主评议结果的日期，不能早于民主评议日期。",
    fail={"annex1": {"set": {"received_date": "2020-07-09"}}},
    passing={"annex1": {"set": {"received_date": "2020-07-10"}}},
    resources=("annex1", "annex2"),
)

RECEIVED_AFTER_VERIFY_ANNEX = rule(
    id="R011",
    name="received-after-verify",
    severity="error",
    title="收到评议结果日期晚于乡镇核查日期",
    message="收到评议结果日期 {received} 晚于乡镇核查日期 {verify}",
    hint="乡镇是收到评议结果后才入户核查的，请核对两个日期。",
    clause="二（三）",
    description="附件1、附件2 的“收到评议结果日期”不能晚于乡镇核查日期。",
    fail={"annex1": {"set": {"received_date": "2020-07-16"}}},
    passing={"annex1": {"set": {"received_date": "2020-07-15"}}},
    resources=("annex1", "annex2"),
)

RowCheck = Callable[[Place, int, dict], None]


def row_checks(form: dict, ctx: Context) -> list[RowCheck]:
    """The row rules that apply to a form, bound to this package's context."""
    resource = form["id"]
    checks: list[RowCheck] = []
    if resource in ("annex1", "annex2"):
        checks.append(_annex_row(ctx))
    if resource == "annex3":
        checks.append(_release_row(ctx))
    if ctx.submitted and resource in _BEFORE_SUBMISSION:
        dated = [(f["name"], f["type"]) for f in form["fields"] if f["type"] in ("date", "month")]
        if dated:
            checks.append(_not_after_submitted(ctx, dated))
    return checks


# Forms filled before the township reports; county stages (研判, 帮扶) come after submission.
_BEFORE_SUBMISSION = {"annex1", "annex2", "annex3", "screening", "appraisal", "verification"}
# Risk types that name a cause of rigid expenditure in 二（一） (or the expenditure itself).
_EXPENSE_CAUSES = ("刚性支出过大", "因病", "因残", "因学", "因灾", "因意外事故", "因新冠肺炎疫情影响")
_DROP = "收入大幅缩减"


def _year(ctx: Context, values: dict, fallback: str) -> int | None:
    month = ctx.report_month
    if month:
        return month.year
    d = values.get(fallback)
    return d.year if d else None


def _money(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _inclusion(place: Place, values: dict, year: int | None, line: float | None) -> str | None:
    """What the row lacks for each criterion of 二（一）, or None when it meets one (or when
    the income test cannot be made: without a line nothing is concluded). A cell filled with
    something invalid has its own finding; it is called invalid here, not blank."""
    income = values.get("income_per_capita")
    if income is None or line is None:
        return None
    if income < line:
        return None
    risks = values.get("risk_types") or ()
    if values.get("income_drop") is True or _DROP in risks:
        return None
    size = values.get("household_size")
    rigid = values.get("rigid_expense")
    household = income * size if size is not None else None
    if rigid is not None and household is not None and rigid > household:
        return None
    parts = [f"人均可支配收入{_money(income)}元不低于{year}年监测线{_money(line)}元"]
    causes = [r for r in risks if r in _EXPENSE_CAUSES]
    if rigid is None and not place.blank("rigid_expense"):
        parts.append("刚性支出填写无效，无法与上年度家庭收入比较")
    elif rigid is None:
        if causes:
            parts.append(f"风险类型有“{'、'.join(causes)}”，但没有填刚性支出，无法与上年度家庭收入比较")
        else:
            parts.append("没有填刚性支出")
    elif household is None:
        parts.append(f"刚性支出{_money(rigid)}元，但家庭人口数未填或无效，无法算出上年度家庭收入")
    else:
        parts.append(
            f"刚性支出{_money(rigid)}元未超过上年度家庭收入{_money(household)}元（{_money(income)}×{size}）"
        )
    if values.get("income_drop") is False:
        parts.append("“收入大幅缩减”填的是“否”，风险类型中也没有“收入大幅缩减”")
    elif not place.blank("income_drop"):
        parts.append("“收入大幅缩减”填写无效，风险类型中也没有“收入大幅缩减”")
    else:
        parts.append("没有填“收入大幅缩减”，风险类型中也没有“收入大幅缩减”")
    return "；".join(parts)


def _annex_row(ctx: Context) -> RowCheck:
    limit_days = ctx.settings.verification_working_days
    lines: dict[int, float | None] = {}
    emit = ctx.emit
    add_workdays = ctx.workdays.add_workdays
    # The manifest is read first, so the report month (and with it the line's year) is fixed.
    report_year = ctx.report_month.year if ctx.report_month else None

    def check(place: Place, row: int, values: dict) -> None:
        if values.get("income_per_capita") is not None:
            year = report_year if report_year is not None else _year(ctx, values, "appraisal_date")
            if year is not None:
                if year not in lines:
                    lines[year] = ctx.line(year)
                detail = _inclusion(place, values, year, lines[year])
                if detail and not ctx.passed(INCLUSION, place, row):
                    emit(
                        INCLUSION.finding(
                            **place.at(row, "income_per_capita", values["income_per_capita"]), detail=detail
                        )
                    )
        risks = values.get("risk_types")
        if (
            risks
            and "其他" in risks
            and not values.get("risk_note")
            and not ctx.passed(OTHER_NEEDS_NOTE, place, row)
        ):
            emit(OTHER_NEEDS_NOTE.finding(**place.at(row, "risk_note")))
        appraisal = values.get("appraisal_date")
        received = values.get("received_date")
        verify = values.get("verify_date")
        disorder = False
        # A finding the report would not list is only counted (`ctx.passed`); the order still matters.
        if appraisal and verify and appraisal > verify:
            disorder = True
            if not ctx.passed(APPRAISAL_AFTER_VERIFY, place, row):
                emit(
                    APPRAISAL_AFTER_VERIFY.finding(
                        **place.at(row, "appraisal_date", appraisal),
                        appraisal=appraisal.isoformat(),
                        verify=verify.isoformat(),
                    )
                )
        if appraisal and received and received < appraisal:
            disorder = True
            if not ctx.passed(RECEIVED_BEFORE_APPRAISAL, place, row):
                emit(
                    RECEIVED_BEFORE_APPRAISAL.finding(
                        **place.at(row, "received_date", received),
                        received=received.isoformat(),
                        appraisal=appraisal.isoformat(),
                    )
                )
        if received and verify and received > verify:
            disorder = True
            if not ctx.passed(RECEIVED_AFTER_VERIFY_ANNEX, place, row):
                emit(
                    RECEIVED_AFTER_VERIFY_ANNEX.finding(
                        **place.at(row, "received_date", received),
                        received=received.isoformat(),
                        verify=verify.isoformat(),
                    )
                )
        # Dates out of order say one of them is wrong: counting working days would guess which.
        # A receipt date that was filled but is invalid has its own finding; do not count then
        # from the appraisal date as if it were blank.
        if disorder or (
            received is None and "received_date" in place.columns and not place.blank("received_date")
        ):
            return
        start = received or appraisal
        if start and verify:
            deadline = add_workdays(start, limit_days)
            if verify > deadline:
                emit(
                    VERIFY_LATE.finding(
                        **place.at(row, "verify_date", verify),
                        start_title="收到评议结果" if received else "民主评议",
                        start=start.isoformat(),
                        verify=verify.isoformat(),
                        days=ctx.workdays.workdays_between(start, verify),
                        deadline=deadline.isoformat(),
                        limit=limit_days,
                        note="" if received else "（没有填收到评议结果日期，从民主评议日期起算）",
                    )
                )

    return check


def _release_row(ctx: Context) -> RowCheck:
    lines: dict[int, float | None] = {}

    def check(place: Place, row: int, values: dict) -> None:
        emit = ctx.emit
        month = values.get("identified_month")
        release = values.get("release_date")
        if month and release and month > release and not ctx.passed(IDENTIFIED_AFTER_RELEASE, place, row):
            emit(
                IDENTIFIED_AFTER_RELEASE.finding(
                    **place.at(row, "identified_month", month),
                    month=f"{month.year}-{month.month:02d}",
                    release=release.isoformat(),
                )
            )
        way = values.get("release_way")
        if (
            way == "帮扶消除"
            and not values.get("measures_done")
            and "measures_done" in place.columns
            and place.blank("measures_done")
            and not ctx.passed(MEASURES_DONE, place, row)
        ):
            emit(MEASURES_DONE.finding(**place.at(row, "measures_done")))
        if way and way != "县级研判否定":
            income = values.get("income_per_capita_release")
            if income is None:
                if (
                    "income_per_capita_release" in place.columns
                    and place.blank("income_per_capita_release")
                    and not ctx.passed(RELEASE_INCOME, place, row)
                ):
                    emit(RELEASE_INCOME.finding(**place.at(row, "income_per_capita_release"), way=way))
            else:
                year = ctx.report_month.year if ctx.report_month else (release.year if release else None)
                if year is not None:
                    if year not in lines:
                        lines[year] = ctx.line(year)
                    line = lines[year]
                    if line is not None and income < line and not ctx.passed(RELEASE_BELOW_LINE, place, row):
                        emit(
                            RELEASE_BELOW_LINE.finding(
                                **place.at(row, "income_per_capita_release", income),
                                income=_money(income),
                                year=year,
                                line=_money(line),
                            )
                        )

    return check


def _not_after_submitted(ctx: Context, dated: list[tuple[str, str]]) -> RowCheck:
    submitted = ctx.submitted
    submitted_month = dt.date(submitted.year, submitted.month, 1)
    limits = [(name, kind, submitted_month if kind == "month" else submitted) for name, kind in dated]

    def check(place: Place, row: int, values: dict) -> None:
        for name, kind, limit in limits:
            value = values.get(name)
            if value is not None and value > limit and not ctx.passed(AFTER_SUBMITTED, place, row):
                shown = f"{value.year}-{value.month:02d}" if kind == "month" else value.isoformat()
                ctx.emit(
                    AFTER_SUBMITTED.finding(
                        **place.at(row, name, value),
                        header=place.columns.get(name, (name,))[0] or name,
                        date=shown,
                        submitted=submitted.isoformat(),
                    )
                )

    return check


def finish(ctx: Context) -> None:
    """Row rules need nothing once the tables are read."""
