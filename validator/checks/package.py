"""Table and package rules (T): unique fields, 序号, one household once, the manifest's promises.

Uniqueness is checked while rows stream, with compact structures: an array indexed by 序号
and the household index of `Context` (an int per ID), so a million-row 附件1 stays small.
"""

from __future__ import annotations

import datetime as dt
from array import array

from validator.checks.context import RESOURCE_CODES, Context, Place, unpack
from validator.checks.rows import AFTER_SUBMITTED
from validator.rules import rule

DUPLICATE = rule(
    id="T001",
    name="duplicate-value",
    severity="error",
    title="不能重复的值重复了",
    message="{header}“{shown}”与本表第{first}行重复；{what}",
    hint="同一户只填一行；序号按 1、2、3……编号，不要重复。",
    clause="二（二）；数据标准（列设置）",
    description="序号、户主身份证号等标明“唯一”的列，在同一张表中不能出现两次。",
    fail={"annex1": {"set": {"head_id": "532932196708050023"}}},
    passing={},
    fail_note="附件1 第1行的户主身份证号和第2行相同。",
)

BOTH_ANNEXES = rule(
    id="T002",
    name="household-in-annex1-and-annex2",
    severity="error",
    title="同一户同时出现在附件1和附件2",
    message="该户已填在{other} 第{first}行；一户只能是返贫预警（附件1）或致贫预警（附件2）之一",
    hint="建档立卡已脱贫户填附件1，非建档立卡的边缘户填附件2，删去错填的一行。",
    clause="二（二）",
    description="附件1 是建档立卡已脱贫户，附件2 是非卡边缘户，同一户主身份证号不能在两张表中同时出现。",
    fail={"annex2": {"set": {"head_id": "532932195803120013"}}},
    passing={},
    resources=("annex1", "annex2"),
)

PRIMARY_KEY = rule(
    id="T003",
    name="duplicate-record",
    severity="error",
    title="记录重复",
    message="与本表第{first}行是同一条记录（{keys} 都相同）",
    hint="删去重复的一行；同一户同一天开始的同类措施只记一行。",
    clause="二（五）",
    description="帮扶措施记录以户主身份证号、措施类型和开始日期共同区分，三项都相同的两行是重复记录。",
    fail={"assistance": {"append": [{}]}},
    passing={"assistance": {"append": [{"measure": "就业扶持", "content": "推荐公益性岗位"}]}},
    resources=("assistance",),
)

SEQ_GAP = rule(
    id="T004",
    name="seq-not-consecutive",
    severity="warning",
    title="序号不连续",
    message="序号应为 {expected}，这里是 {seq}；序号应从 1 开始连续编号",
    hint="按 1、2、3……重新编排序号。",
    clause="数据标准（列设置）",
    description="序号从 1 开始、逐行加 1，方便县里核对户数；不连续不影响数据，因此只是警告。",
    fail={"annex1": {"set": {"seq": "3"}, "row": 2}},
    passing={},
)

TOWNSHIP = rule(
    id="T005",
    name="township-mismatch",
    severity="error",
    title="乡镇与报送信息不一致",
    message="乡镇“{township}”与报送信息中的“{manifest}”不一致",
    hint="一个报送包只报一个乡镇；把该户移到所属乡镇的报表，或改正乡镇名称。",
    clause="二（三）",
    description="每个乡镇各自上报，表中每一行的乡镇必须与报送信息的乡镇相同。",
    fail={"annex1": {"set": {"township": "辛屯镇"}}},
    passing={},
)

ZERO_WITH_ROWS = rule(
    id="T006",
    name="zero-report-with-rows",
    severity="error",
    title="零报告却填了数据",
    message="报送信息填了零报告“是”，但{tables}有{count}行数据",
    hint="本月有新增对象时零报告填“否”；确实没有新增时删去附件1、附件2的数据行。",
    clause="二（三）",
    description="零报告表示本月没有新增监测对象，此时附件1、附件2都不能有数据行。",
    fail={"manifest": {"set": {"zero_report": "是"}}},
    passing={"manifest": {"set": {"zero_report": "是"}}, "annex1": {"rows": []}, "annex2": {"rows": []}},
)

EMPTY_NOT_ZERO = rule(
    id="T007",
    name="empty-without-zero-report",
    severity="error",
    title="没有新增对象却未填零报告",
    message="附件1、附件2都没有数据行，零报告应填“是”",
    hint="本月没有新增对象时，在报送信息的零报告填“是”；否则请补上新增户。",
    clause="二（三）",
    description="当月没有新增对象实行零报告：附件1、附件2都为空时，报送信息必须标明零报告。",
    fail={"annex1": {"rows": []}, "annex2": {"rows": []}},
    passing={"manifest": {"set": {"zero_report": "是"}}, "annex1": {"rows": []}, "annex2": {"rows": []}},
)

NOT_STAMPED = rule(
    id="T008",
    name="not-stamped",
    severity="error",
    stage_severity={"draft": "info"},
    title="未加盖乡镇公章",
    message="已加盖乡镇公章填的是“否”；附件1、附件2须加盖乡镇公章后才能上报",
    hint="先自查、改正，再加盖乡镇公章；盖章后把这一项改为“是”，再上报。",
    clause="二（三）",
    description=(
        "乡镇核实认定的附件1、附件2须加盖乡镇公章后上报（二（三））。上报核对（--stage submit，县里收件和汇总时的默认）"
        "时是错误；乡镇盖章前自查草稿（默认）时只是提示，提醒上报前还要盖章。"
    ),
    fail={"manifest": {"set": {"stamped": "否"}}, "options": {"stage": "submit"}},
    passing={"options": {"stage": "submit"}},
    fail_note="自查草稿时，同样的报送包只得到一条提示，结论仍是“通过”。",
    pass_note="已加盖乡镇公章填“是”（示例报送包本来就是这样）。",
)

LATE = rule(
    id="T009",
    name="submitted-late",
    severity="error",
    stage_severity={"draft": "warning"},
    title="超过上报截止日期",
    message="{month} 的月报应在 {deadline} 前（含当天）上报，上报日期是 {submitted}",
    hint="上报日期请填实际上报的日期；已经超期的，尽快上报并向县扶贫办说明原因。",
    clause="二（三）、二（六）",
    description=(
        "附件1、附件2、附件3 应在次月5日前（含5日）上报。办法没有规定5日遇节假日顺延，默认不顺延；"
        "县里决定顺延的，可在县设置文件中开启（见设置 deadline）。上报核对（--stage submit）时逾期是错误；"
        "自查草稿时是警告，提醒按所填上报日期已经逾期。"
    ),
    fail={"manifest": {"set": {"submitted_date": "2020-08-06"}}, "options": {"stage": "submit"}},
    passing={
        "manifest": {"set": {"submitted_date": "2020-08-05"}},
        "options": {"stage": "submit", "today": "2020-08-10"},
    },
    pass_note="8月5日当天上报不算逾期。",
    extra_docs={
        "截止日遇节假日": (
            "办法只说“每月5日前”，没有说遇节假日顺延，所以默认5日就是截止日，即使5日是假日。"
            "例如2020年9月的月报，截止日是10月5日（国庆假期中）；10月9日上报在上报核对时是错误。"
            "县里决定参照《中华人民共和国民法典》第二百零三条顺延的，在县设置文件的 deadline 中把 roll_forward 设为 true，"
            "截止日就顺延到10月9日。"
        )
    },
)

FUTURE_MONTH = rule(
    id="T010",
    name="report-month-in-future",
    severity="error",
    title="报告月份还没到",
    message="报告月份 {month} 晚于今天（{today}）所在的月份",
    hint="检查报告月份是否填错了年份或月份。",
    clause="数据标准（报送信息）",
    description="报告月份是案件所属的月份，不能是将来的月份。",
    fail={"options": {"today": "2020-06-20"}},
    passing={},
)

MANIFEST_ROWS = rule(
    id="T011",
    name="manifest-row-count",
    severity="error",
    title="报送信息应只有一行",
    message="报送信息有{count}行数据，应只有一行",
    hint="报送信息只填一行：本乡镇本月的一份月报。",
    clause="数据标准（报送信息）",
    description="一个报送包是一个乡镇一个月的月报，报送信息必须有一行、也只能有一行数据。",
    fail={"manifest": {"append": [{}]}},
    passing={},
    resources=("manifest",),
)

BEFORE_MONTH = rule(
    id="T012",
    name="submitted-before-month",
    severity="error",
    title="上报日期早于报告月份",
    message="上报日期 {submitted} 早于报告月份 {month}",
    hint="检查上报日期和报告月份是否填反或填错年份。",
    clause="数据标准（报送信息）",
    description="月报报告的是报告月份的情况，上报日期不可能早于该月的第一天。",
    fail={"manifest": {"set": {"submitted_date": "2020-06-30"}}},
    passing={},
    resources=("manifest",),
)

SUBMITTED_FUTURE = rule(
    id="T013",
    name="submitted-in-future",
    severity="warning",
    stage_severity={"draft": "info"},
    title="上报日期晚于今天",
    message="上报日期 {submitted} 晚于今天（{today}）",
    hint="上报日期填实际上报的那一天；自查草稿时可以先填预定的上报日期，上报前再核对。",
    clause="数据标准（报送信息）",
    description=(
        "上报核对时，上报日期晚于校验当天多半是填错了，因此是警告；自查草稿时常先填预定的上报日期，只作提示。"
    ),
    fail={"options": {"today": "2020-08-03", "stage": "submit"}},
    passing={},
    resources=("manifest",),
)

_CHECK_INDEX = {ch: i for i, ch in enumerate("0123456789X")}  # as idnumber.household_key
_ID_WHAT = {"head_id": "同一户只能填一行", "seq": "序号不能重复"}
_MAX_ARRAY_SEQ = 10_000_000


class _IntSeen:
    """First row of each small non-negative integer, in an array (4 bytes a value, not ~100)."""

    def __init__(self) -> None:
        self.rows = array("I")
        self.big: dict[int, int] = {}

    def add(self, value: int, row: int) -> int | None:
        if 0 <= value < _MAX_ARRAY_SEQ:
            if value >= len(self.rows):
                self.rows.extend([0] * (max(value + 1, 2 * len(self.rows)) - len(self.rows)))
            first = self.rows[value]
            if first:
                return first
            self.rows[value] = row
            return None
        first = self.big.setdefault(value, row)
        return None if first == row else first


class TableTracker:
    """Uniqueness, 序号 order and the household index for one table, fed row by row."""

    def __init__(self, ctx: Context, form: dict, place: Place):
        self.ctx = ctx
        self.place = place
        self.resource = form["id"]
        self.unique: list[tuple[str, object]] = []
        for f in form["fields"]:
            if not f.get("unique") or f["name"] in ("head_id", "seq"):
                continue
            self.unique.append((f["name"], _IntSeen() if f["type"] == "integer" else {}))
        has_head = any(f["name"] == "head_id" for f in form["fields"])
        self.head_unique = has_head and any(
            f["name"] == "head_id" and f.get("unique") for f in form["fields"]
        )
        self.has_head = has_head
        self.own: dict[int, int] = {}
        # annex1 and annex2 share one index, so a household in both is found as it streams
        self.warned = ctx.warned if self.resource in ("annex1", "annex2") else None
        self.code = RESOURCE_CODES[self.resource]
        if self.resource not in ("annex1", "annex2") and has_head:
            ctx.others.setdefault(self.resource, self.own)
        pk = form.get("primary_key") or []
        self.composite = pk if len(pk) > 1 else None
        self.keys: dict[tuple, int] = {}
        self.check_seq = any(f["name"] == "seq" for f in form["fields"])
        self.seq_unique = any(f["name"] == "seq" and f.get("unique") for f in form["fields"])
        self.expected_seq = 1
        self.seq_reported = False
        # While 序号 runs 1, 2, 3 … no value can repeat: keep only each one's row, in order
        # (0 for a row without 序号), and build the lookup when the run first breaks.
        self.seq_rows = array("I")
        self.seq_seen: _IntSeen | None = None
        self.add = self._adder()
        # Every value `add` reads: another process checking part of a table sends only these.
        self.fields = tuple(
            dict.fromkeys(
                [n for n, _ in self.unique]
                + (["head_id"] if has_head else [])
                + list(self.composite or ())
                + (["seq"] if self.check_seq else [])
            )
        )

    def _adder(self):
        """`add(row, values)`, called once per row of a million-row table: what the table does
        not have costs one test, and what stays fixed is bound once."""
        unique = self.unique
        has_head = self.has_head
        head_unique = self.head_unique
        warned = self.warned
        own = self.own
        code = self.code
        composite = self.composite
        keys = self.keys
        check_seq = self.check_seq
        check_index = _CHECK_INDEX
        duplicate = self._duplicate
        warned_again = self._warned_again

        def add(row: int, values: dict) -> None:
            if unique:
                for name, seen in unique:
                    value = values.get(name)
                    if value is not None:
                        first = (
                            seen.add(value, row)
                            if seen.__class__ is _IntSeen
                            else _dict_add(seen, value, row)
                        )
                        if first:
                            duplicate(row, name, value, first)
            if has_head:
                head_id = values.get("head_id")
                if head_id:
                    key = int(head_id[:17]) * 11 + check_index[head_id[17]]
                    if warned is not None:
                        packed = row << 4 | code
                        first = warned.setdefault(key, packed)
                        if first != packed:
                            warned_again(row, head_id, first)
                    else:
                        first = own.setdefault(key, row)
                        if first != row and head_unique:
                            duplicate(row, "head_id", head_id, first)
            if composite:
                key = tuple(values.get(n) for n in composite)
                if None not in key:
                    first = keys.setdefault(key, row)
                    if first != row:
                        self._same_record(row, first)
            if check_seq:
                seq = values.get("seq")
                if not self.seq_reported:
                    if seq is None or seq == self.expected_seq:
                        self.seq_rows.append(0 if seq is None else row)
                        self.expected_seq += 1
                        return
                    self._seq_break(row, seq)
                if seq is not None and self.seq_unique:
                    first = self.seq_seen.add(seq, row)
                    if first:
                        duplicate(row, "seq", seq, first)

        return add

    def _same_record(self, row: int, first: int) -> None:
        place = self.place
        if self.ctx.passed(PRIMARY_KEY, place, row):
            return
        titles = "、".join(place.columns.get(n, (n,))[0] or n for n in self.composite)
        self.ctx.emit(PRIMARY_KEY.finding(**place.at(row, None), first=first, keys=titles))

    def _seq_break(self, row: int, seq: int) -> None:
        self.seq_reported = True
        self.ctx.emit(SEQ_GAP.finding(**self.place.at(row, "seq", seq), expected=self.expected_seq, seq=seq))
        self.seq_seen = _IntSeen()
        self.seq_seen.rows = array("I", [0]) + self.seq_rows
        self.seq_rows = array("I")

    def _warned_again(self, row: int, head_id: str, first: int) -> None:
        """A household already in the annex1 + annex2 index (packed `first`)."""
        first_row, where = unpack(first)
        if where == self.resource:
            self._duplicate(row, "head_id", head_id, first_row)
        elif not self.ctx.passed(BOTH_ANNEXES, self.place, row):
            other = self.ctx.places[where].title
            self.ctx.emit(
                BOTH_ANNEXES.finding(**self.place.at(row, "head_id", head_id), other=other, first=first_row)
            )

    def _duplicate(self, row: int, name: str, value, first: int) -> None:
        place = self.place
        if self.ctx.passed(DUPLICATE, place, row):
            return
        self.ctx.emit(
            DUPLICATE.finding(
                **place.at(row, name, value),
                header=place.columns.get(name, (name,))[0] or name,
                shown=place.show(name, value),
                first=first,
                what=_ID_WHAT.get(name, "这一列的值不能重复"),
            )
        )


def _dict_add(seen: dict, value, row: int) -> int | None:
    first = seen.setdefault(value, row)
    return None if first == row else first


def row_checks(form: dict, ctx: Context) -> list:
    """Per row: the township of every table equals the manifest's (uniqueness is `TableTracker`'s)."""
    names = {f["name"] for f in form["fields"]}
    if "township" in names and form["id"] != "manifest" and ctx.manifest and ctx.manifest.get("township"):
        return [_same_township(ctx)]
    return []


def _same_township(ctx: Context):
    # The manifest is read before any other table, so its township is fixed by now.
    expected = ctx.manifest.get("township")

    def check(place: Place, row: int, values: dict) -> None:
        township = values.get("township")
        if township and township != expected and not ctx.passed(TOWNSHIP, place, row):
            ctx.emit(
                TOWNSHIP.finding(**place.at(row, "township", township), township=township, manifest=expected)
            )

    return check


# The package-level checks that read a manifest value, listed as not run when it is missing.
_TOWNSHIP_CHECK = f"{TOWNSHIP.id} 乡镇与报送信息一致"
_ZERO_CHECK = f"{ZERO_WITH_ROWS.id}、{EMPTY_NOT_ZERO.id} 零报告与附件1、附件2是否为空"
_STAMP_CHECK = f"{NOT_STAMPED.id} 加盖乡镇公章"
_DEADLINE_CHECK = f"{LATE.id} 上报截止日期"
_MONTH_CHECK = f"{FUTURE_MONTH.id} 报告月份不晚于今天"
_SUBMITTED_CHECK = f"{AFTER_SUBMITTED.id} 各日期不晚于上报日期"
_NEEDS = (
    ("township", "乡镇", (_TOWNSHIP_CHECK,)),
    ("zero_report", "零报告", (_ZERO_CHECK,)),
    ("report_month", "报告月份", (_DEADLINE_CHECK, _MONTH_CHECK)),
    ("submitted_date", "上报日期", (_DEADLINE_CHECK, _SUBMITTED_CHECK)),
)


def finish(ctx: Context) -> None:
    """Say which manifest checks could not run, then check the manifest's own promises."""
    if ctx.manifest is None:
        reason = "报送包没有报送信息表" if "manifest" not in ctx.resources else "报送信息表没有数据行"
        for check in (
            _TOWNSHIP_CHECK,
            _ZERO_CHECK,
            _STAMP_CHECK,
            _DEADLINE_CHECK,
            _MONTH_CHECK,
            _SUBMITTED_CHECK,
        ):
            ctx.not_run(check, reason)
    else:
        for name, title, checks in _NEEDS:
            if ctx.manifest.get(name) is None:  # blank or invalid: its own finding says which
                for check in checks:
                    ctx.not_run(check, f"报送信息中的{title}缺失或无效")
    _check_manifest(ctx, ctx.rows.get("annex1", 0) + ctx.rows.get("annex2", 0))


def _check_manifest(ctx: Context, annex_rows: int) -> None:
    """The manifest's own promises, once every table has been read."""
    m = ctx.manifest
    place = ctx.places.get("manifest")
    if place is None:
        return  # no manifest at all: the reader reports it (S005)
    if m is None:
        ctx.emit(MANIFEST_ROWS.finding(**place.at(None, None), count=0))
        return
    row = ctx.manifest_row
    if ctx.rows.get("manifest", 0) > 1:
        ctx.emit(MANIFEST_ROWS.finding(**place.at(ctx.manifest_second_row, None), count=ctx.rows["manifest"]))
    zero = m.get("zero_report")
    if zero is True and annex_rows:
        tables = "、".join(
            ctx.places[r].title for r in ("annex1", "annex2") if ctx.rows.get(r) and r in ctx.places
        )
        ctx.emit(
            ZERO_WITH_ROWS.finding(**place.at(row, "zero_report", zero), tables=tables, count=annex_rows)
        )
    if zero is False and annex_rows == 0:
        ctx.emit(EMPTY_NOT_ZERO.finding(**place.at(row, "zero_report", zero)))
    if m.get("stamped") is False:
        ctx.emit(
            NOT_STAMPED.finding(
                **place.at(row, "stamped", False), severity=NOT_STAMPED.severity_at(ctx.stage)
            )
        )
    month: dt.date | None = m.get("report_month")
    submitted: dt.date | None = m.get("submitted_date")
    if month and (month.year, month.month) > (ctx.today.year, ctx.today.month):
        ctx.emit(
            FUTURE_MONTH.finding(
                **place.at(row, "report_month", month), month=_month(month), today=ctx.today.isoformat()
            )
        )
    if submitted and submitted > ctx.today:
        ctx.emit(
            SUBMITTED_FUTURE.finding(
                **place.at(row, "submitted_date", submitted),
                severity=SUBMITTED_FUTURE.severity_at(ctx.stage),
                submitted=submitted.isoformat(),
                today=ctx.today.isoformat(),
            )
        )
    if month and submitted:
        if submitted < month:
            ctx.emit(
                BEFORE_MONTH.finding(
                    **place.at(row, "submitted_date", submitted),
                    submitted=submitted.isoformat(),
                    month=_month(month),
                )
            )
        deadline = ctx.deadline(month)
        if submitted > deadline:
            ctx.emit(
                LATE.finding(
                    **place.at(row, "submitted_date", submitted),
                    severity=LATE.severity_at(ctx.stage),
                    month=_month(month),
                    deadline=deadline.isoformat(),
                    submitted=submitted.isoformat(),
                )
            )


def _month(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"
