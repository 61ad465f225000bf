"""County record rules (K): the county's own 研判 record, checked as a package of its own.

A county record is the 研判会议 table (one row: county, month, meeting date, departments,
recorder) and the 县级研判表 (one row per household, any number of townships), usually the
meeting workbook that `fpjc county prepare` wrote and the meeting filled in (二（四）). The
township rules (manifest, annexes, stages, history) do not apply to it; these do. Each decision
must be complete (认定 with its 纳入管理类别, 否定 with its reason); with the month's township
packages (`tables.Reported`, built by `validator.county`) every household is traced back to the
package that reported it, and every household reported that month must have been decided.

The 全国系统标注清单 (releases to mark in the national system, 二（六）) is a county table too:
a filled one says who marked each household and when.
"""

from __future__ import annotations

import datetime as dt

from validator import standard, versions
from validator.checks.context import Context, Place
from validator.rules import rule
from validator.tables import COUNTY_MEETING, COUNTY_RECORD, WARNING_OF
from validator.values.idnumber import household_key

MARKING = "county_marking"
COUNTY_TEMPLATE = "county_meeting"  # the `template` key of the meeting workbook's hidden sheet
# The category a decision may put each kind of warning under (codelist monitoring_category):
# 返贫预警 households are 建档立卡 households out of poverty, 致贫预警 ones are not.
CATEGORY_OF = {"返贫预警": "脱贫监测户", "致贫预警": "边缘户"}
MIN_REASON = 4


def _county(patch: dict | None = None, **options) -> dict:
    """A rule example on the county base package (validator.builders.rule_examples.COUNTY_BASE):
    a meeting and four decisions. `packages=True` also gives the month's township packages (the
    township base package), against which the record is traced."""
    out = dict(patch or {})
    out["options"] = {**out.get("options", {}), "county": True, **options}
    return out


MEETING_MISSING = rule(
    id="K001",
    name="county-record-table-missing",
    severity="error",
    title="县级研判记录缺少研判会议或县级研判表",
    message="县级研判记录中没有“{title}”表（工作表或文件名为 {names}）",
    hint="县级研判记录由“研判会议”（县、研判月份、研判日期、参加部门、记录人）和“县级研判表”（每户的研判结论）组成；"
    "用 fpjc county prepare 生成的研判工作簿两张表都有。",
    clause="二（四）",
    description="研判会议记下会议的日期、参加部门和研判的月份，县级研判表记下每户的结论，两张表一起才是完整的研判记录。",
    fail=_county({"drop": [COUNTY_MEETING]}),
    passing=_county(),
    resources=(COUNTY_MEETING, COUNTY_RECORD),
)

MEETING_ROWS = rule(
    id="K002",
    name="county-meeting-row-count",
    severity="error",
    title="研判会议应只有一行",
    message="研判会议有{count}行数据，应只有一行",
    hint="一份县级研判记录对应一次研判会议；另一次会议的结论请另存一份研判工作簿。",
    clause="二（四）",
    description="“每月一研判”：一份县级研判记录记一次会议，研判会议表必须有一行、也只能有一行数据。",
    fail=_county({COUNTY_MEETING: {"append": [{"meeting_date": "2020-08-08"}]}}),
    passing=_county(),
    resources=(COUNTY_MEETING,),
)

TOWNSHIP_TABLES = rule(
    id="K003",
    name="township-table-in-county-record",
    severity="error",
    title="县级研判记录中混入了乡镇报表",
    message="县级研判记录中有{title}，它属于乡镇报送包，未检查",
    hint="乡镇报表请放在各乡镇自己的报送包中，用 fpjc rollup 校验；县级研判记录只含研判会议和县级研判表。",
    clause="二（三）、二（四）",
    description="乡镇报送包和县级研判记录分别校验：乡镇的报送信息、附件和阶段记录不能放进县级研判记录。",
    fail=_county({"manifest": {}}),
    passing=_county(),
)

OLD_TEMPLATE = rule(
    id="K004",
    name="county-meeting-workbook-old",
    severity="warning",
    title="研判工作簿是旧版本生成的",
    message="这份研判工作簿由标准 {found} 版生成，当前是 {current} 版；{changes}",
    hint="已按当前标准检查；按上面列出的地方修改，下个月请用新版 fpjc county prepare 重新生成研判工作簿。",
    clause="二（四）",
    description="研判工作簿的列和下拉选项来自生成它时的标准版本；版本较旧时逐项列出研判会议和县级研判表要改的地方，"
    "没有要改的地方时只作提示。",
    fail=_county(format="xlsx", template_version="0.9.0"),
    passing=_county(format="xlsx"),
    resources=(COUNTY_MEETING,),
)

NO_CATEGORY = rule(
    id="K005",
    name="confirmed-without-category",
    severity="error",
    title="认定的户没有填纳入管理类别",
    message="研判结论为“认定”，须填写纳入管理类别",
    hint="返贫预警（附件1）的户填“脱贫监测户”，致贫预警（附件2）的户填“边缘户”。",
    clause="二（四）2",
    description="认定存在返贫致贫风险的户，要纳入脱贫监测户或边缘户管理，进行针对性精准帮扶，类别必填。",
    fail=_county({COUNTY_RECORD: {"set": {"category": ""}}}),
    passing=_county(),
    resources=(COUNTY_RECORD,),
)

NO_REASON = rule(
    id="K006",
    name="rejected-without-reason",
    severity="error",
    title="否定的户没有写明理由",
    message="研判结论为“否定”，研判意见须写明否定的理由（至少{min}个字）",
    hint="在研判意见中写明为什么不存在返贫致贫风险，例如“家庭收入稳定，医疗费用已由医保报销”；反馈单会把理由转告乡镇。",
    clause="二（四）1",
    description="否定的户由县扶贫办反馈乡镇、乡镇告知村委会后解除预警，反馈时要说明理由，所以理由必填。",
    fail=_county({COUNTY_RECORD: {"set": {"decision_note": ""}, "row": 2}}),
    passing=_county(),
    resources=(COUNTY_RECORD,),
)

REJECTED_WITH_CATEGORY = rule(
    id="K007",
    name="rejected-with-category",
    severity="warning",
    title="否定的户填了纳入管理类别",
    message="研判结论为“否定”，却填了纳入管理类别“{category}”",
    hint="否定的户解除预警、不纳入管理：删去纳入管理类别，或核对研判结论。",
    clause="二（四）",
    description="纳入管理类别只用于认定的户；否定的户填了类别，说明结论或类别有一项填错了。",
    fail=_county({COUNTY_RECORD: {"set": {"category": "脱贫监测户"}, "row": 2}}),
    passing=_county(),
    resources=(COUNTY_RECORD,),
)

CATEGORY_MISMATCH = rule(
    id="K008",
    name="category-warning-type-mismatch",
    severity="error",
    title="纳入管理类别与预警类型不符",
    message="预警类型是“{warning}”，纳入管理类别应为“{expected}”，这里是“{category}”",
    hint="返贫预警（建档立卡已脱贫户）纳入脱贫监测户管理，致贫预警（非建档立卡户）纳入边缘户管理；核对类别或预警类型。",
    clause="二（二）、二（四）2",
    description="脱贫监测户是建档立卡已脱贫但不稳定的户（附件1 返贫预警），边缘户是非卡户（附件2 致贫预警），两者不能互换。",
    fail=_county({COUNTY_RECORD: {"set": {"category": "边缘户"}}}),
    passing=_county(),
    resources=(COUNTY_RECORD,),
)

MEETING_BEFORE_MONTH = rule(
    id="K009",
    name="meeting-before-report-month",
    severity="error",
    title="研判日期早于研判月份",
    message="研判日期 {date} 早于研判月份 {month}",
    hint="研判的是已经上报的月报：核对研判日期和研判月份是否填反或填错年份。",
    clause="二（三）、二（四）",
    description="县级研判复核乡镇已经上报的月报，研判日期不会早于所研判月份的第一天。",
    fail=_county({COUNTY_MEETING: {"set": {"meeting_date": "2020-06-30"}}}),
    passing=_county(),
    resources=(COUNTY_MEETING,),
)

MEETING_FUTURE = rule(
    id="K010",
    name="meeting-date-in-future",
    severity="warning",
    title="研判日期晚于今天",
    message="研判日期 {date} 晚于今天（{today}）",
    hint="研判日期填会议实际召开的日期；会前准备的工作簿可以先不填。",
    clause="二（四）",
    description="研判记录记的是已经开过的会议，研判日期晚于检查当天多半是填错了，因此是警告。",
    fail=_county({"options": {"today": "2020-08-05"}}),
    passing=_county(),
    resources=(COUNTY_MEETING,),
)

BEFORE_VERIFY = rule(
    id="K011",
    name="meeting-before-verification",
    severity="error",
    title="研判日期早于乡镇核查日期",
    message="研判日期 {date} 早于该户的乡镇核查日期 {verify}",
    hint="县级研判在乡镇核查、上报之后；核对研判日期或乡镇核查日期。",
    clause="二（三）、二（四）",
    description="乡镇核查属实后才上报，县里再复核研判，所以研判日期不能早于乡镇核查日期。",
    fail=_county({COUNTY_RECORD: {"set": {"verify_date": "2020-08-12"}}}),
    passing=_county(),
    resources=(COUNTY_RECORD,),
)

MONTH_MISMATCH = rule(
    id="K012",
    name="record-month-differs-from-packages",
    severity="error",
    title="研判月份与乡镇报送包的月份不一致",
    message="研判月份是 {month}，提供的乡镇报送包是 {packages} 的",
    hint="核对研判月份，或换成所研判月份的乡镇报送包文件夹。",
    clause="二（三）、二（四）",
    description="县级研判记录与所研判月份的乡镇报送包逐户核对，两者的月份必须相同。",
    fail=_county({COUNTY_MEETING: {"set": {"report_month": "2020-06"}}}, packages=True),
    passing=_county(packages=True),
    resources=(COUNTY_MEETING,),
)

NOT_REPORTED = rule(
    id="K013",
    name="household-not-reported",
    severity="error",
    title="研判的户没有乡镇上报",
    message="本月各乡镇报送包的附件1、附件2 中都没有该户（户主身份证号 {shown}）",
    hint="核对户主身份证号；县级研判只研判乡镇核查后上报的户，未上报的户请乡镇按程序核查上报。",
    clause="二（三）、二（四）",
    description="县级研判复核的是各乡镇上报的户：提供本月乡镇报送包时，研判表中的每一户都要能在某个乡镇的附件1或附件2中找到。",
    fail=_county({COUNTY_RECORD: {"set": {"head_id": "532932198811030070"}, "row": 4}}, packages=True),
    passing=_county(packages=True),
    resources=(COUNTY_RECORD,),
)

TOWNSHIP_DIFFERS = rule(
    id="K014",
    name="record-township-differs",
    severity="error",
    title="研判表中的乡镇与上报的乡镇不一致",
    message="该户由“{reported}”上报（{where}），研判表填的是“{township}”",
    hint="研判结论要反馈给上报的乡镇：把乡镇改为上报该户的乡镇。",
    clause="二（四）1",
    description="否定的户由县扶贫办反馈上报的乡镇，所以研判表中每户的乡镇要与上报它的报送包一致。",
    fail=_county({COUNTY_RECORD: {"set": {"township": "辛屯镇"}}}, packages=True),
    passing=_county(packages=True),
    resources=(COUNTY_RECORD,),
)

WARNING_DIFFERS = rule(
    id="K015",
    name="record-warning-type-differs",
    severity="error",
    title="研判表中的预警类型与上报的附件不一致",
    message="该户填在{where}（{reported}），研判表填的是“{warning}”",
    hint="附件1 的户是返贫预警，附件2 的户是致贫预警；按乡镇上报的附件改正预警类型。",
    clause="二（二）、二（四）",
    description="预警类型决定纳入管理的类别，必须与乡镇上报该户的附件（附件1 返贫、附件2 致贫）一致。",
    fail=_county({COUNTY_RECORD: {"set": {"warning_type": "致贫预警", "category": "边缘户"}}}, packages=True),
    passing=_county(packages=True),
    resources=(COUNTY_RECORD,),
)

NOT_ASSESSED = rule(
    id="K016",
    name="reported-household-not-assessed",
    severity="warning",
    title="上报的户没有研判结论",
    message="{township}报送包“{package}”{where}的户本月已上报，县级研判表中没有该户",
    hint="“每月一研判”：把该户补进研判表并作出结论；确实留待下月研判的，在下月的研判表中列出。",
    clause="二（四）",
    description="每月一复核、每月一研判：提供本月乡镇报送包时，其中附件1、附件2 的每一户都应有研判结论。",
    fail=_county({COUNTY_RECORD: {"rows": [{}]}}, packages=True),
    passing=_county(packages=True),
    resources=(COUNTY_RECORD,),
)

PACKAGE_UNREAD = rule(
    id="K017",
    name="month-package-unreadable",
    severity="warning",
    title="本月有乡镇报送包无法读取",
    message="本月报送包“{package}”无法读取，其中的户无法与研判表核对：{why}",
    hint="请乡镇重新报送能读取的文件，再重新检查研判记录。",
    clause="二（三）、二（四）",
    description="研判表逐户核对本月各乡镇报送包；有报送包无法读取时，其中的户是否上报过无从核对，因此提醒。",
    fail=_county(packages=True, month_files={"损坏.zip": "PK 不是压缩文件"}),
    passing=_county(packages=True),
)

MARKING_INCOMPLETE = rule(
    id="K018",
    name="marking-incomplete",
    severity="error",
    title="标注人和标注日期没有同时填写",
    message="填了{filled}，没有填{missing}",
    hint="在全国扶贫开发信息系统中标注后，同时填写标注人和标注日期；还没标注的户两项都空着。",
    clause="二（六）",
    description="标注清单记录县扶贫开发领导小组办公室在全国系统中标注解除的情况：谁标注、哪天标注要一起填。",
    fail=_county({MARKING: {"set": {"marked_date": ""}}}),
    passing=_county({MARKING: {}}),
    fail_note="示例研判记录另附一份全国系统标注清单：一户（附件3 中 2020-07-20 解除），标注人杨丽华，标注日期 2020-08-06。",
    pass_note="示例研判记录另附一份全国系统标注清单：一户（附件3 中 2020-07-20 解除），标注人杨丽华，标注日期 2020-08-06。",
    resources=(MARKING,),
)

MARKED_BEFORE_RELEASE = rule(
    id="K019",
    name="marked-before-release",
    severity="error",
    title="标注日期早于解除日期",
    message="标注日期 {marked} 早于解除日期 {released}",
    hint="乡镇宣布解除、报送附件3 后才在全国系统中标注；核对标注日期。",
    clause="二（六）",
    description="警情解除后才能在全国系统中标注，标注日期不能早于附件3 登记的解除日期。",
    fail=_county({MARKING: {"set": {"marked_date": "2020-07-10"}}}),
    passing=_county({MARKING: {}}),
    fail_note="示例研判记录另附一份全国系统标注清单：一户（附件3 中 2020-07-20 解除），标注人杨丽华，标注日期 2020-08-06。",
    pass_note="示例研判记录另附一份全国系统标注清单：一户（附件3 中 2020-07-20 解除），标注人杨丽华，标注日期 2020-08-06。",
    resources=(MARKING,),
)

_RULES = (
    MEETING_MISSING, MEETING_ROWS, TOWNSHIP_TABLES, OLD_TEMPLATE, NO_CATEGORY, NO_REASON,
    REJECTED_WITH_CATEGORY, CATEGORY_MISMATCH, MEETING_BEFORE_MONTH, MEETING_FUTURE, BEFORE_VERIFY,
    MONTH_MISMATCH, NOT_REPORTED, TOWNSHIP_DIFFERS, WARNING_DIFFERS, NOT_ASSESSED, PACKAGE_UNREAD,
    MARKING_INCOMPLETE, MARKED_BEFORE_RELEASE,
)  # fmt: skip

TRACE_CHECK = f"{MONTH_MISMATCH.id}、{NOT_REPORTED.id}–{PACKAGE_UNREAD.id} 与本月乡镇报送包逐户核对"
MEETING_CHECKS = f"{MEETING_BEFORE_MONTH.id}–{BEFORE_VERIFY.id} 研判日期"


def county_forms() -> frozenset[str]:
    """The forms of the county's own tables (kind `county` in the standard)."""
    return frozenset(f["id"] for f in standard.forms() if f["kind"] == "county")


def is_county(resources: set[str]) -> bool:
    """Is a package with these tables a county record rather than a township's monthly package?"""
    return bool(resources & county_forms())


def row_checks(form: dict, ctx: Context) -> list:
    resource = form["id"]
    if resource == COUNTY_MEETING:
        return [_meeting_row(ctx)]
    if resource == COUNTY_RECORD:
        return [_record_row(ctx)]
    if resource == MARKING:
        return [_marking_row(ctx)]
    return []


def _month_text(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def _meeting_row(ctx: Context):
    def check(place: Place, row: int, values: dict) -> None:
        if ctx.meeting is not None:
            if ctx.meeting_second_row is None:
                ctx.meeting_second_row = row
            return
        ctx.meeting, ctx.meeting_row = values, row
        date, month = values.get("meeting_date"), values.get("report_month")
        if date and month and date < month:
            ctx.emit(
                MEETING_BEFORE_MONTH.finding(
                    **place.at(row, "meeting_date", date), date=date.isoformat(), month=_month_text(month)
                )
            )
        if date and date > ctx.today:
            ctx.emit(
                MEETING_FUTURE.finding(
                    **place.at(row, "meeting_date", date), date=date.isoformat(), today=ctx.today.isoformat()
                )
            )

    return check


def _record_row(ctx: Context):
    reported = ctx.reported
    # 研判会议 is read before 县级研判表 (its order is lower), so the meeting date is known here.
    meeting_date = (ctx.meeting or {}).get("meeting_date")
    titles = {"annex1": "附件1", "annex2": "附件2"}

    def check(place: Place, row: int, values: dict) -> None:
        decision = values.get("decision")
        category = values.get("category")
        warning = values.get("warning_type")
        if decision == "认定":
            if not category and place.blank("category"):
                ctx.emit(NO_CATEGORY.finding(**place.at(row, "category")))
            elif category and warning and CATEGORY_OF.get(warning, category) != category:
                ctx.emit(
                    CATEGORY_MISMATCH.finding(
                        **place.at(row, "category", category),
                        warning=warning,
                        expected=CATEGORY_OF[warning],
                        category=category,
                    )
                )
        elif decision == "否定":
            note = (values.get("decision_note") or "").strip()
            if len(note) < MIN_REASON and (place.blank("decision_note") or note):
                ctx.emit(NO_REASON.finding(**place.at(row, "decision_note", note or None), min=MIN_REASON))
            if category:
                ctx.emit(
                    REJECTED_WITH_CATEGORY.finding(**place.at(row, "category", category), category=category)
                )
        verify = values.get("verify_date")
        if meeting_date and verify and meeting_date < verify:
            ctx.emit(
                BEFORE_VERIFY.finding(
                    **place.at(row, "verify_date", verify),
                    date=meeting_date.isoformat(),
                    verify=verify.isoformat(),
                )
            )
        head_id = values.get("head_id")
        if reported is None or not head_id:
            return
        found = reported.households.get(household_key(head_id))
        if found is None:
            ctx.emit(
                NOT_REPORTED.finding(
                    **place.at(row, "head_id", head_id), shown=place.show("head_id", head_id)
                )
            )
            return
        where = f"{found.package} {titles[found.resource]} 第{found.row}行"
        township = values.get("township")
        if township and found.township and township != found.township:
            ctx.emit(
                TOWNSHIP_DIFFERS.finding(
                    **place.at(row, "township", township),
                    reported=found.township,
                    where=where,
                    township=township,
                )
            )
        expected = WARNING_OF[found.resource]
        if warning and warning != expected:
            ctx.emit(
                WARNING_DIFFERS.finding(
                    **place.at(row, "warning_type", warning), where=where, reported=expected, warning=warning
                )
            )

    return check


def _marking_row(ctx: Context):
    titles = {f["name"]: f["title"] for f in standard.form(MARKING)["fields"]}

    def check(place: Place, row: int, values: dict) -> None:
        by, date = values.get("marked_by"), values.get("marked_date")
        if bool(by) != bool(date):
            # Only a blank partner is reported here; an invalid one has its own finding.
            empty = "marked_date" if by else "marked_by"
            if place.blank(empty):
                filled = "marked_by" if by else "marked_date"
                ctx.emit(
                    MARKING_INCOMPLETE.finding(
                        **place.at(row, empty), filled=titles[filled], missing=titles[empty]
                    )
                )
        released = values.get("release_date")
        if date and released and date < released:
            ctx.emit(
                MARKED_BEFORE_RELEASE.finding(
                    **place.at(row, "marked_date", date),
                    marked=date.isoformat(),
                    released=released.isoformat(),
                )
            )

    return check


def finish(ctx: Context) -> None:
    """Package-level county rules, once every table has been read."""
    for resource in sorted(ctx.resources - county_forms(), key=_order):
        place = ctx.places.get(resource)
        where = place.at(None, None) if place else {"resource": resource}
        ctx.emit(TOWNSHIP_TABLES.finding(**where, title=f"“{standard.form(resource)['title']}”"))
    _template_version(ctx)
    if not ctx.resources & {COUNTY_MEETING, COUNTY_RECORD}:
        return  # a filled 全国系统标注清单 on its own
    for resource in (COUNTY_MEETING, COUNTY_RECORD):
        if resource not in ctx.resources:
            spec = standard.form(resource)
            names = " / ".join(dict.fromkeys([spec["title"], *spec["aliases"]]))
            ctx.emit(MEETING_MISSING.finding(resource=resource, title=spec["title"], names=names))
    meeting = ctx.places.get(COUNTY_MEETING)
    if meeting is None:
        ctx.not_run(MEETING_CHECKS, "县级研判记录没有研判会议表")
    elif ctx.meeting is None:
        ctx.emit(MEETING_ROWS.finding(**meeting.at(None, None), count=0))
        ctx.not_run(MEETING_CHECKS, "研判会议表没有数据行")
    elif ctx.meeting_second_row is not None:
        ctx.emit(
            MEETING_ROWS.finding(**meeting.at(ctx.meeting_second_row, None), count=ctx.rows[COUNTY_MEETING])
        )
    if COUNTY_RECORD in ctx.resources:
        _trace(ctx)


def _order(resource: str) -> int:
    return standard.form(resource).get("order", 99)


def _template_version(ctx: Context) -> None:
    current = standard.version()
    for item in ctx.inputs:
        found = item.get("template_version")
        if not (found and str(item.get("template") or "").startswith("county")):
            continue
        if _version(found) < _version(current):
            changes, must = versions.upgrade_text(found, county=True)
            ctx.emit(
                OLD_TEMPLATE.finding(
                    resource=COUNTY_MEETING,
                    source=item.get("path"),
                    sheet="_fpjc",
                    found=found,
                    current=current,
                    changes=changes,
                    severity=None if must else "info",
                )
            )


def _version(text: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in str(text).replace("-", ".").split("."))


def _trace(ctx: Context) -> None:
    """The record against the month's township packages, when they were given."""
    reported = ctx.reported
    if reported is None:
        ctx.not_run(
            TRACE_CHECK,
            "没有提供本月各乡镇的报送包（fpjc county check 研判记录 --packages 本月报送包文件夹），研判表中的户未与乡镇上报的户核对",
        )
        return
    for package, why in reported.unreadable:
        ctx.emit(PACKAGE_UNREAD.finding(resource=COUNTY_RECORD, package=package, why=why))
    meeting_month = (ctx.meeting or {}).get("report_month")
    place = ctx.places.get(COUNTY_MEETING)
    if meeting_month and reported.month and _month_text(meeting_month) != reported.month and place:
        ctx.emit(
            MONTH_MISMATCH.finding(
                **place.at(ctx.meeting_row, "report_month", meeting_month),
                month=_month_text(meeting_month),
                packages=reported.month,
            )
        )
        return  # every household would differ: the month is what to fix
    decided = ctx.others.get(COUNTY_RECORD, {})
    titles = {"annex1": "附件1", "annex2": "附件2"}
    missing = [(k, h) for k, h in reported.households.items() if k not in decided]
    for _key, h in sorted(missing, key=lambda kv: (kv[1].package, kv[1].resource, kv[1].row)):
        ctx.emit(
            NOT_ASSESSED.finding(
                resource=COUNTY_RECORD,
                package=h.package,
                where=f"{titles[h.resource]} 第{h.row}行",
                township=h.township or "",
            )
        )
