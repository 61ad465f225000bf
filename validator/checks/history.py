"""History and roster rules (H): this month's households against earlier packages and the roster.

What earlier packages and the 建档立卡 roster say arrives already read (`tables.History`,
`tables.Roster`, from `validator.reading.history`). Both are optional: without them the checks
that need them are listed in the report's `checks_not_run`.
"""

from __future__ import annotations

from validator.checks.context import Context, Place
from validator.rules import rule
from validator.tables import WARNING_OF, History, Roster
from validator.values.idnumber import household_key

NO_WARNING = rule(
    id="H001",
    name="release-without-earlier-warning",
    severity="error",
    title="解除的户以前没有预警过",
    message="以前的报送包中没有该户的预警记录，无法解除",
    hint="核对户主身份证号；只有以前在附件1或附件2中预警过的户才能填附件3。",
    clause="二（六）",
    description="附件3 解除的是以前预警过的户：提供历史报送包时，每一户都要能在以前的附件1或附件2中找到。",
    fail={"options": {"history": {"annex1": [{"head_id": "532932194909300050"}]}}},
    passing={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}],
                "annex2": [{"head_id": "532932196102170063"}],
            }
        }
    },
    fail_note="附件3 第2户（致贫预警）在以前的报送包中找不到。",
    resources=("annex3",),
)

WRONG_TYPE = rule(
    id="H002",
    name="release-warning-type-mismatch",
    severity="error",
    title="预警类型与以前的预警不一致",
    message="该户以前是“{earlier}”，附件3 填的是“{now}”",
    hint="预警类型按以前的预警填写：在附件1中预警的是返贫预警，在附件2中预警的是致贫预警。",
    clause="二（二）、二（六）",
    description="解除登记的预警类型要与该户当初被预警的表（附件1 返贫、附件2 致贫）一致。",
    fail={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}, {"head_id": "532932196102170063", "seq": "2"}]
            }
        }
    },
    passing={
        "options": {
            "history": {
                "annex1": [{"head_id": "532932194909300050"}],
                "annex2": [{"head_id": "532932196102170063"}],
            }
        }
    },
    resources=("annex3",),
)

NOT_ON_ROSTER = rule(
    id="H003",
    name="annex1-not-on-roster",
    severity="error",
    title="附件1的户不在建档立卡名单中",
    message="附件1 是建档立卡已脱贫户，该户不在建档立卡名单中",
    hint="核对户主身份证号；非建档立卡户应填附件2（致贫预警）。",
    clause="一、二（二）",
    description="返贫预警（附件1）只针对建档立卡已脱贫户：提供名单时，附件1 每一户都要在名单中。",
    fail={"options": {"roster": ["532932195803120013"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
    resources=("annex1",),
)

ON_ROSTER = rule(
    id="H004",
    name="annex2-on-roster",
    severity="error",
    title="附件2的户在建档立卡名单中",
    message="附件2 是非建档立卡户，该户却在建档立卡名单中",
    hint="建档立卡已脱贫户应填附件1（返贫预警）；或核对户主身份证号。",
    clause="一、二（二）",
    description="致贫预警（附件2）只针对非建档立卡户：提供名单时，附件2 的户不能在名单中。",
    fail={"options": {"roster": ["532932195803120013", "532932196708050023", "532932197501190031"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
    resources=("annex2",),
)

ROSTER_BAD = rule(
    id="H005",
    name="roster-unreadable-ids",
    severity="info",
    title="建档立卡名单中有无法识别的身份证号",
    message="建档立卡名单中有{count}个身份证号无法识别（例如第{first_row}行），这些行没有参与核对",
    hint="检查名单文件中身份证号一列，把它设为“文本”格式并补全18位号码。",
    clause="GB 11643—1999《公民身份号码》",
    description="名单中的身份证号同样按国家标准检查；无法识别的号码不参与核对，并在报告中说明。",
    fail={"options": {"roster": ["532932195803120013", "532932196708050023", "53293219670805002"]}},
    passing={"options": {"roster": ["532932195803120013", "532932196708050023"]}},
)


ALREADY_WARNED = rule(
    id="H006",
    name="household-already-monitored",
    severity="warning",
    title="该户以前已预警且尚未解除",
    message="该户在以前的报送包中已是“{earlier}”，此后既没有解除，也没有被县级研判否定，不必重复纳入",
    hint="已在监测中的户继续监测帮扶即可；如以前已解除或已被县级研判否定，请一并提供登记解除的附件3或县级研判记录所在的报送包。",
    clause="二（四）、二（六）",
    description=(
        "提供历史报送包时，新填入附件1、附件2 的户如果以前预警过、此后既没有在附件3 解除，"
        "也没有被县级研判否定（否定即解除预警，二（四）1，不一定填附件3），多半是重复上报。"
        "解除或否定之后再次出现风险的，是新的预警，不受此限。"
    ),
    fail={"options": {"history": {"annex1": [{"head_id": "532932195803120013"}]}}},
    passing={
        "options": {
            "history": {
                "annex1": [
                    {
                        "head_id": "532932195803120013",
                        "appraisal_date": "2020-03-10",
                        "verify_date": "2020-03-16",
                    }
                ],
                "assessment": [
                    {
                        "head_id": "532932195803120013",
                        "head_name": "段春生",
                        "meeting_date": "2020-04-22",
                        "decision": "否定",
                        "category": "",
                    }
                ],
            }
        }
    },
    pass_note="该户3月预警过，4月县级研判否定、解除了预警（没有填附件3），本月再次预警是新的风险。",
    resources=("annex1", "annex2"),
)


def row_checks(form: dict, ctx: Context) -> list:
    resource = form["id"]
    checks = []
    if resource == "annex3" and ctx.history is not None:
        checks.append(_release_matches(ctx))
    if resource in WARNING_OF and ctx.roster is not None:
        checks.append(_on_roster(ctx, resource))
    if resource in WARNING_OF and ctx.history is not None:
        checks.append(_not_yet_released(ctx))
    return checks


def _not_yet_released(ctx: Context):
    history: History = ctx.history  # type: ignore[assignment]

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if not head_id:
            return
        key = household_key(head_id)
        earlier = history.warnings.get(key)
        if earlier and history.still_warned(key) and not ctx.passed(ALREADY_WARNED, place, row):
            ctx.emit(
                ALREADY_WARNED.finding(
                    **place.at(row, "head_id", head_id), earlier="、".join(sorted(earlier))
                )
            )

    return check


def _release_matches(ctx: Context):
    history: History = ctx.history  # type: ignore[assignment]

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if not head_id:
            return
        earlier = history.warnings.get(household_key(head_id))
        if not earlier:
            if not ctx.passed(NO_WARNING, place, row):
                ctx.emit(NO_WARNING.finding(**place.at(row, "head_id", head_id)))
            return
        now = values.get("warning_type")
        if now and now not in earlier and not ctx.passed(WRONG_TYPE, place, row):
            ctx.emit(
                WRONG_TYPE.finding(
                    **place.at(row, "warning_type", now), earlier="、".join(sorted(earlier)), now=now
                )
            )

    return check


def _on_roster(ctx: Context, resource: str):
    keys = ctx.roster
    must_be_on = resource == "annex1"
    rule_ = NOT_ON_ROSTER if must_be_on else ON_ROSTER

    def check(place: Place, row: int, values: dict) -> None:
        head_id = values.get("head_id")
        if head_id and (household_key(head_id) in keys) != must_be_on and not ctx.passed(rule_, place, row):
            ctx.emit(rule_.finding(**place.at(row, "head_id", head_id)))

    return check


def finish(ctx: Context) -> None:
    """Say which history and roster checks were skipped, and why."""
    if ctx.history is None and ctx.rows.get("annex3"):
        ctx.not_run(
            "H001、H002 解除的户须与以前的预警对应",
            "没有提供历史报送包（--history），无法核对附件3 的户以前是否预警过",
        )
    if ctx.roster is None and (ctx.rows.get("annex1") or ctx.rows.get("annex2")):
        ctx.not_run(
            "H003、H004 建档立卡名单核对",
            "没有提供建档立卡名单（--roster），无法核对附件1 的户是否建档立卡、附件2 的户是否非卡户",
        )


def roster_notes(ctx: Context, roster: Roster) -> None:
    if roster.bad_rows:
        ctx.emit(
            ROSTER_BAD.finding(count=len(roster.bad_rows), first_row=roster.bad_rows[0], source=roster.source)
        )
