"""Stage-record rules (G): a household's case file must follow the procedure of clause 二.

Stage records (申报排查, 民主评议, 乡镇审核, 县级研判, 帮扶措施) are optional tables keyed by
户主身份证号. When any is present the engine keeps each household's dated steps (an `Event`
per step, from the stage tables and from 附件1–3) and these rules compare them at the end.
"""

from __future__ import annotations

from validator.checks.context import Context, Event, Place, unpack
from validator.rules import rule
from validator.values.idnumber import household_key

STAGE_TABLES = ("screening", "appraisal", "verification", "assessment", "assistance")
STAGE_NAMES = {1: "申报排查", 2: "民主评议", 3: "乡镇审核", 4: "县级研判", 5: "帮扶", 6: "警情解除"}
# (resource, date field, stage) for every dated step we follow.
_EVENTS = {
    "screening": (("screening_date", 1),),
    "appraisal": (("appraisal_date", 2),),
    "verification": (("received_date", 3), ("verify_date", 3)),
    "assessment": (("meeting_date", 4),),
    "assistance": (("start_date", 5),),
    "annex1": (("appraisal_date", 2), ("received_date", 3), ("verify_date", 3)),
    "annex2": (("appraisal_date", 2), ("received_date", 3), ("verify_date", 3)),
    "annex3": (("release_date", 6),),
}
# The stages each stage must not precede. Help starts as soon as the township's verification
# confirms the risk ("核查情况属实的，对农户进行针对性帮扶", 二（三）), so 帮扶 follows 乡镇审核 but
# not the county's monthly 研判; a release follows both the decision and the help.
AFTER = {1: (), 2: (1,), 3: (1, 2), 4: (1, 2, 3), 5: (1, 2, 3), 6: (1, 2, 3, 4, 5)}
_DETAIL = {
    "screening": "listed",
    "appraisal": "appraisal_result",
    "verification": "verification_result",
    "assessment": "decision",
    "assistance": "measure",
    "annex3": "release_way",
}

UNKNOWN = rule(
    id="G001",
    name="stage-record-unknown-household",
    severity="warning",
    title="阶段记录对应不到任何一户",
    message="该户没有出现在本报送包的附件1–3、其他阶段记录{history}中",
    hint="核对户主身份证号；如果是以前月份的户，校验时用 --history 提供以前的报送包。",
    clause="二",
    description="阶段记录要能对应到报送包或以前报送包中的某一户，否则可能是身份证号填错了。排查未列入、评议不纳入、核查不属实的户到此为止，不受此限。",
    fail={"screening": {"set": {"head_id": "532932198811030070"}}},
    passing={"screening": {}},
    resources=STAGE_TABLES,
)

ORDER = rule(
    id="G002",
    name="stage-dates-out-of-order",
    severity="error",
    title="各阶段日期先后顺序不对",
    message="{stage}日期 {date} 早于{earlier}日期 {earlier_date}（{where}）",
    hint="申报排查、民主评议、乡镇审核依次进行；帮扶从乡镇核查属实起即可开始，不必等县级研判；解除在研判和帮扶之后。核对这两个日期。",
    clause="二（一）—二（六）",
    description=(
        "同一户各阶段的日期要符合流程：申报排查 ≤ 民主评议 ≤ 乡镇审核 ≤ 县级研判 ≤ 解除；"
        "帮扶不早于乡镇审核，也不晚于解除。乡镇核查属实后就要开展针对性帮扶（二（三）），"
        "所以帮扶早于县级研判是正常的；研判之后受结论约束的，是否定后不再帮扶（见 G003）。"
    ),
    fail={"screening": {"set": {"screening_date": "2020-07-12"}}},
    passing={
        "verification": {},
        "assessment": {
            "set": {"head_id": "532932195803120013", "head_name": "段春生", "meeting_date": "2020-08-20"}
        },
        "assistance": {
            "set": {
                "head_id": "532932195803120013",
                "head_name": "段春生",
                "measure": "医疗救助",
                "start_date": "2020-07-16",
            }
        },
    },
    pass_note="附件1 第1户7月15日核查属实，7月16日乡镇就开始医疗救助，8月20日县级研判认定：帮扶早于研判是办法的要求。",
)

ASSISTANCE_AFTER_NO = rule(
    id="G003",
    name="assistance-after-rejection",
    severity="error",
    title="县级研判否定后仍有帮扶记录",
    message="县级研判 {date}（{where}）已否定存在风险，之后不应再有帮扶措施（开始日期 {start}）",
    hint="研判否定的户解除预警、不再帮扶；核对研判结论或删去这条帮扶记录。",
    clause="二（四）",
    description="县级研判否定存在风险的，预警解除，案件结束，此后不应再登记帮扶措施。",
    fail={"assessment": {"set": {"decision": "否定", "category": ""}}, "assistance": {}},
    passing={"assessment": {}, "assistance": {}},
    resources=("assistance",),
)

REJECTED_RELEASE_WAY = rule(
    id="G004",
    name="rejection-release-way",
    severity="warning",
    title="研判否定的户解除方式不一致",
    message="县级研判否定了该户（{where}），解除方式应为“县级研判否定”，这里是“{way}”",
    hint="把解除方式改为“县级研判否定”，或核对研判记录。",
    clause="二（四）、二（六）",
    description="县级研判否定的户，预警因研判否定而解除，解除登记的方式应与之一致。",
    fail={"assessment": {"set": {"decision": "否定", "category": ""}}},
    passing={
        "assessment": {"set": {"decision": "否定", "category": ""}},
        "annex3": {
            "set": {"release_way": "县级研判否定", "measures_done": "", "income_per_capita_release": ""}
        },
    },
    resources=("annex3",),
)

NOT_CONFIRMED = rule(
    id="G005",
    name="release-without-confirmation",
    severity="error",
    title="解除的户没有县级研判认定记录",
    message="解除方式是“{way}”，但县级研判记录中没有认定该户",
    hint="先经县级研判认定、帮扶，风险消除后才解除；补上研判记录，或核对户主身份证号。",
    clause="二（四）、二（六）",
    description="提供了县级研判记录时，以帮扶消除或风险自然消除解除的户，必须曾被县级研判认定。",
    fail={
        "assessment": {},
        "annex3": {"set": {"release_way": "风险自然消除", "income_per_capita_release": "9000"}, "row": 2},
    },
    passing={"assessment": {}},
    resources=("annex3",),
)

CATEGORY = rule(
    id="G006",
    name="category-missing",
    severity="error",
    title="认定后没有填纳入管理类别",
    message="研判结论为“认定”，必须填写纳入管理类别",
    hint="填写“脱贫监测户”或“边缘户”。",
    clause="二（四）",
    description="认定存在风险的户要纳入脱贫监测户或边缘户管理，类别必填。",
    fail={"assessment": {"set": {"category": ""}}},
    passing={"assessment": {}},
    resources=("assessment",),
)

RECEIVED_AFTER_VERIFY = rule(
    id="G007",
    name="received-after-verify",
    severity="error",
    title="收到评议结果日期晚于核查日期",
    message="收到评议结果日期 {received} 晚于乡镇核查日期 {verify}",
    hint="乡镇是收到评议结果后才核查的，请核对两个日期。",
    clause="二（三）",
    description="乡镇审核记录中，收到民主评议结果的日期不能晚于入户核查日期。",
    fail={"verification": {"set": {"received_date": "2020-07-16"}}},
    passing={"verification": {}},
    resources=("verification",),
)

VERIFICATION_LATE = rule(
    id="G008",
    name="verification-not-within-7-workdays",
    severity="warning",
    title="乡镇审核超过7个工作日",
    message="收到评议结果 {received} 后第{days}个工作日（{verify}）才核查，应在{limit}个工作日内，最晚 {deadline}",
    hint="核对日期；确实超期的，在核查情况中说明原因。",
    clause="二（三）",
    description="乡镇接到民主评议结果后应在7个工作日内入户核查，工作日按法定节假日和调休计算。",
    fail={"verification": {"set": {"received_date": "2020-07-03"}}},
    passing={"verification": {"set": {"received_date": "2020-07-06"}}},
    resources=("verification",),
)

APPRAISAL_MISMATCH = rule(
    id="G009",
    name="appraisal-result-mismatch",
    severity="error",
    title="民主评议结果与所填附件不一致",
    message="评议结果是“{result}”，该户却填在{where}",
    hint="评议为返贫预警的户填附件1，致贫预警的户填附件2，不纳入的户不填；核对评议记录或附件。",
    clause="二（二）",
    description="附件1、附件2 按民主评议的结果填写：评议记录的结论要与该户所在的附件一致。",
    fail={"appraisal": {"set": {"appraisal_result": "致贫预警"}}},
    passing={"appraisal": {}},
    resources=("appraisal",),
)

NOT_TRUE_REPORTED = rule(
    id="G010",
    name="unverified-household-reported",
    severity="error",
    title="核查不属实的户被上报",
    message="乡镇核查结论是“不属实”，该户却填在{where}",
    hint="只有核查属实的户才上报；删去附件中的这一行，或核对核查结论。",
    clause="二（三）",
    description="乡镇核查属实的户才加盖公章上报，核查不属实的户不应出现在附件1、附件2中。",
    fail={"verification": {"set": {"verification_result": "不属实"}}},
    passing={"verification": {}},
    resources=("verification",),
)
_RULES = (
    UNKNOWN, ORDER, ASSISTANCE_AFTER_NO, REJECTED_RELEASE_WAY, NOT_CONFIRMED,
    CATEGORY, RECEIVED_AFTER_VERIFY, VERIFICATION_LATE, APPRAISAL_MISMATCH, NOT_TRUE_REPORTED,
)  # fmt: skip
_EXPECTED_ANNEX = {"返贫预警": "annex1", "致贫预警": "annex2", "不纳入": None}


def row_checks(form: dict, ctx: Context) -> list:
    """Row rules of the stage tables, plus collecting each household's dated steps."""
    resource = form["id"]
    checks = []
    if resource == "assessment":
        checks.append(_assessment_row(ctx))
    if resource == "verification":
        checks.append(_verification_row(ctx))
    if ctx.track_cases and resource in _EVENTS:
        checks.append(_collector(ctx, resource))
    return checks


def _assessment_row(ctx: Context):
    def check(place: Place, row: int, values: dict) -> None:
        if (
            values.get("decision") == "认定"
            and not values.get("category")
            and "category" in place.columns
            and place.blank("category")
            and not ctx.passed(CATEGORY, place, row)
        ):
            ctx.emit(CATEGORY.finding(**place.at(row, "category")))

    return check


def _verification_row(ctx: Context):
    limit = ctx.settings.verification_working_days

    def check(place: Place, row: int, values: dict) -> None:
        received, verify = values.get("received_date"), values.get("verify_date")
        if not (received and verify):
            return
        if received > verify:
            if ctx.passed(RECEIVED_AFTER_VERIFY, place, row):
                return
            ctx.emit(
                RECEIVED_AFTER_VERIFY.finding(
                    **place.at(row, "received_date", received),
                    received=received.isoformat(),
                    verify=verify.isoformat(),
                )
            )
            return
        deadline = ctx.workdays.add_workdays(received, limit)
        if verify > deadline:
            ctx.emit(
                VERIFICATION_LATE.finding(
                    **place.at(row, "verify_date", verify),
                    received=received.isoformat(),
                    verify=verify.isoformat(),
                    days=ctx.workdays.workdays_between(received, verify),
                    deadline=deadline.isoformat(),
                    limit=limit,
                )
            )

    return check


# Outcomes after which a case legitimately stops before reaching any other table.
_ENDS = {("screening", False), ("appraisal", "不纳入"), ("verification", "不属实")}


def _collector(ctx: Context, resource: str):
    steps = _EVENTS[resource]
    detail_field = _DETAIL.get(resource)

    def collect(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if not head_id:
            return
        key = household_key(head_id)
        detail = values.get(detail_field) if detail_field else None
        if (resource, detail) in _ENDS:
            ctx.ended.add(key)
        if resource in ("appraisal", "verification") and detail is not None:
            ctx.outcomes.setdefault(resource, {}).setdefault(key, (row, detail))
        for name, stage in steps:
            date = values.get(name)
            if date is not None:
                ctx.add_event(key, Event(stage, date, resource, row, name, detail))

    return collect


def finish(ctx: Context) -> None:
    """Cross-table stage rules, after every table has been read."""
    present = [r for r in STAGE_TABLES if r in ctx.resources]
    if not present:
        ctx.not_run(
            f"{_RULES[0].id}–{_RULES[-1].id} 阶段记录检查",
            "报送包中没有阶段记录表（申报排查、民主评议、乡镇审核、县级研判、帮扶措施记录）",
        )
        return
    history = ctx.history
    _unknown_households(ctx, present, history)
    _outcomes_match_annexes(ctx)
    has_assessments = "assessment" in ctx.resources or bool(history and history.assessed)
    for key in sorted(ctx.cases):
        events = sorted(ctx.cases[key], key=lambda e: (e.stage, e.date, e.resource, e.row))
        _order(ctx, events)
        _assessment_outcome(ctx, key, events, has_assessments, history)


def _unknown_households(ctx: Context, present: list[str], history) -> None:
    annex3 = ctx.others.get("annex3", {})
    for resource in present:
        own = ctx.others.get(resource, {})
        elsewhere = [ctx.others.get(r, {}) for r in present if r != resource]
        place = ctx.places[resource]
        for key, row in own.items():
            if key in ctx.warned or key in annex3 or key in ctx.ended:
                continue
            if any(key in other for other in elsewhere):
                continue
            if history is not None and key in history.households:
                continue
            ctx.emit(
                UNKNOWN.finding(
                    **place.at(row, "head_id", None),
                    history="或以前的报送包" if history is not None else "",
                )
            )


def _outcomes_match_annexes(ctx: Context) -> None:
    """Appraisal and verification results against the annex each household was reported in."""
    for resource, rule_ in (("appraisal", APPRAISAL_MISMATCH), ("verification", NOT_TRUE_REPORTED)):
        place = ctx.places.get(resource)
        for key, (row, result) in sorted(ctx.outcomes.get(resource, {}).items(), key=lambda kv: kv[1][0]):
            code = ctx.warned.get(key)
            if code is None:
                continue
            annex_row, annex = unpack(code)
            if resource == "appraisal" and _EXPECTED_ANNEX.get(result, annex) == annex:
                continue
            if resource == "verification" and result != "不属实":
                continue
            field = "appraisal_result" if resource == "appraisal" else "verification_result"
            where = ctx.places[annex].where(annex_row)
            ctx.emit(rule_.finding(**place.at(row, field, result), result=result, where=where))


def _order(ctx: Context, events: list[Event]) -> None:
    """Each step against the latest-dated step of the stages it must follow (`AFTER`)."""
    latest: dict[int, Event] = {}  # stage → its latest-dated step
    for e in events:
        current = latest.get(e.stage)
        if current is None or e.date > current.date:
            latest[e.stage] = e
    for e in events:
        before = [latest[s] for s in AFTER[e.stage] if s in latest and latest[s].date > e.date]
        if not before:
            continue
        earlier = max(before, key=lambda x: (x.date, x.stage))
        place = ctx.places[e.resource]
        ctx.emit(
            ORDER.finding(
                **place.at(e.row, e.field, e.date),
                stage=STAGE_NAMES[e.stage],
                date=e.date.isoformat(),
                earlier=STAGE_NAMES[earlier.stage],
                earlier_date=earlier.date.isoformat(),
                where=ctx.places[earlier.resource].where(earlier.row),
            )
        )


def _assessment_outcome(ctx: Context, key: int, events: list[Event], has_assessments: bool, history) -> None:
    rejections = [e for e in events if e.resource == "assessment" and e.detail == "否定"]
    confirmed = any(e.resource == "assessment" and e.detail == "认定" for e in events) or bool(
        history and key in history.confirmed
    )
    rejected = bool(rejections) or bool(history and key in history.rejected)
    for e in events:
        if e.resource == "assistance" and rejections:
            no = rejections[0]
            if e.date > no.date:
                ctx.emit(
                    ASSISTANCE_AFTER_NO.finding(
                        **ctx.places["assistance"].at(e.row, "start_date", e.date),
                        date=no.date.isoformat(),
                        where=ctx.places["assessment"].where(no.row),
                        start=e.date.isoformat(),
                    )
                )
        if e.resource != "annex3" or not e.detail:
            continue
        place = ctx.places["annex3"]
        if rejected and not confirmed and e.detail != "县级研判否定":
            where = ctx.places["assessment"].where(rejections[0].row) if rejections else "以前的县级研判记录"
            ctx.emit(
                REJECTED_RELEASE_WAY.finding(
                    **place.at(e.row, "release_way", e.detail), where=where, way=e.detail
                )
            )
        elif has_assessments and e.detail in ("帮扶消除", "风险自然消除") and not confirmed:
            ctx.emit(NOT_CONFIRMED.finding(**place.at(e.row, "release_way", e.detail), way=e.detail))
