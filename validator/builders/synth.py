"""Seeded synthetic submissions: example packages, faulty packages and benchmark rows.

Every person here is invented: names are drawn from syllable lists, villages are made-up
“某某村委会”, ID numbers are built with a valid ISO 7064 check character from invented
birth dates and sequence numbers. The same seed always gives the same data, so the
committed examples/ can be regenerated and compared.

Rows are plain dicts of field name → typed value (int, float, datetime.date, bool, tuple
of labels, str). `cell(field, value, target)` turns a value into what a clerk would type
into a CSV file or an Excel cell; a `str` value is always written as is, which is how the
faulty packages carry deliberately malformed cells.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from validator import settings as run_settings
from validator import standard
from validator.values import idnumber
from validator.values.wording import value_text
from validator.values.workdays import Workdays

# 5329xx: 大理州 county codes; most households live in 鹤庆 (532932).
ADDRESS_CODES = ("532932",) * 8 + ("532901", "532930")

SURNAMES = "杨李张赵段王字尹洪寸董和施高黄陈苏罗周朱"
GIVEN = "春秋文武德志国建华明丽芳秀英玉兰光荣福海云松林树金银凤才贵富成忠学永正兴顺发丰"
PLACE_A = "松梅清石凤白金青桃柳新东西南北安长平福丰"
PLACE_B = "坪河营庄甸哨湾坝岗源园塘"
GROUP_SUFFIX = ("村", "组", "庄", "坡")
UNITS = (
    "县人社局",
    "县教育体育局",
    "县医疗保障局",
    "县住建局",
    "县民政局",
    "乡镇农业服务中心",
    "县农业农村局",
)

RISK_NOTES = {
    "因病": "家庭成员患慢性病，常年服药，医疗支出大。",
    "因残": "家中有重度残疾人，需要长期照料。",
    "因学": "两个孩子读高中和大学，教育支出大。",
    "因灾": "七月暴雨冲毁部分承包地，当季收成受损。",
    "因意外事故": "户主务工时受伤，数月不能劳动。",
    "因新冠肺炎疫情影响": "受疫情影响外出务工推迟，务工收入减少。",
    "因产业项目失败": "生猪养殖亏损，借款未还清。",
    "因务工就业不稳": "务工企业停工，家庭主要劳动力失业返乡。",
    "缺劳动力": "家中只有老人和学生，缺少劳动力。",
    "住房安全问题": "住房墙体开裂，经鉴定存在安全隐患。",
    "饮水安全问题": "旱季自来水断供，饮水得不到保障。",
    "刚性支出过大": "医疗和教育刚性支出超过家庭收入。",
    "收入大幅缩减": "主要收入来源中断，家庭收入大幅下降。",
    "其他": "家庭遭遇其他突发困难，详见村里的走访记录。",
}
RISK_WEIGHTS = {
    "因病": 10,
    "因残": 5,
    "因学": 4,
    "因灾": 3,
    "因意外事故": 3,
    "因新冠肺炎疫情影响": 4,
    "因产业项目失败": 2,
    "因务工就业不稳": 4,
    "缺劳动力": 4,
    "住房安全问题": 2,
    "饮水安全问题": 1,
    "刚性支出过大": 3,
    "收入大幅缩减": 3,
    "其他": 0,
}
MEASURE_NOTES = {
    "产业扶持": "扶持发展林果种植",
    "就业扶持": "推荐到县城企业务工",
    "教育保障": "落实雨露计划和助学金",
    "医疗救助": "办理慢病卡并落实医疗救助",
    "住房保障": "纳入农村危房改造",
    "金融扶贫": "申请扶贫小额信贷",
    "新型经营主体帮扶": "由合作社带动种植",
    "兜底保障帮扶": "申请纳入低保",
}
RELEASE_REASONS = {
    "帮扶消除": "帮扶措施落实后家庭收入稳定，风险已经消除。",
    "风险自然消除": "家庭成员病愈返岗，收入恢复，风险自然消除。",
    "县级研判否定": "县级研判认为不存在返贫致贫风险。",
}


def make_id(address: str, birth: dt.date, seq: int) -> str:
    body = f"{address}{birth:%Y%m%d}{seq:03d}"
    return body + idnumber.check_digit(body)


# The validator's own calendar and built-in settings: statutory holidays, 调休, overrides.
SETTINGS = run_settings.builtin()
CALENDAR = Workdays(SETTINGS.holiday_rows())
add_workdays = CALENDAR.add_workdays
workdays_between = CALENDAR.workdays_between


@lru_cache(maxsize=256)
def _workdays_in(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return tuple(d for d in days if CALENDAR.is_workday(d))


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def deadline(month: dt.date) -> dt.date:
    """The last day to report `month`, as the validator computes it (settings.deadline)."""
    return CALENDAR.deadline_for(
        month, day_of_month=SETTINGS.day_of_month, roll_forward=SETTINGS.roll_forward
    )


def monitoring_line(year: int) -> float:
    """The year's monitoring line from the settings; synthetic cases need one to be coherent."""
    line = SETTINGS.line(year)
    if line is not None:
        return line
    raise ValueError(
        f"the settings have no monitoring line for {year}: add one before generating {year} cases"
    )


class Synth:
    """A seeded source of invented people, places and coherent case dates."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.codes = {
            cid: [i["label"] for i in cl["items"]] for cid, cl in standard.load()["codelists"].items()
        }

    def person_name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def village(self) -> str:
        return self.rng.choice(PLACE_A) + self.rng.choice(PLACE_B) + "村委会"

    def village_group(self) -> str:
        if self.rng.random() < 0.3:
            return f"第{'一二三四五六七八九十'[self.rng.randrange(10)]}村民小组"
        return self.rng.choice(PLACE_A) + self.rng.choice(PLACE_B) + self.rng.choice(GROUP_SUFFIX)

    def mobile(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def landline(self) -> str:
        return f"0872-{self.rng.randrange(4000000, 4999999)}"

    def id_number(self, birth_years: tuple[int, int] = (1945, 1990)) -> str:
        while True:
            birth = dt.date(self.rng.randint(*birth_years), 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            value = make_id(self.rng.choice(ADDRESS_CODES), birth, self.rng.randrange(1, 1000))
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def workday_in(self, start: dt.date, end: dt.date) -> dt.date:
        return self.rng.choice(_workdays_in(start, end))

    def pick(self, list_id: str, k: int, weights: dict | None = None) -> tuple[str, ...]:
        labels = self.codes[list_id]
        if weights:
            chosen: list[str] = []
            pool = [label for label in labels if weights.get(label, 1) > 0]
            while len(chosen) < k:
                label = self.rng.choices(pool, [weights.get(x, 1) for x in pool])[0]
                if label not in chosen:
                    chosen.append(label)
        else:
            chosen = self.rng.sample(labels, k)
        return tuple(sorted(chosen, key=labels.index))

    # ------------------------------------------------------------------ rows

    def manifest(self, township: str, month: dt.date, *, zero_report: bool = False) -> dict:
        due = deadline(month)
        if _workdays_in(next_month(month), due):
            submitted = self.workday_in(next_month(month), due)
        else:
            # No working day between the 1st and the 5th (国庆): the township reports on one of the
            # last working days of the month itself, as the notice's "每月5日前" leaves it to do.
            submitted = self.rng.choice(_workdays_in(month.replace(day=25), due)[-3:])
        return {
            "township": township,
            "report_month": month,
            "submitted_date": submitted,
            "zero_report": zero_report,
            "stamped": True,
            "preparer": self.person_name(),
            "reviewer": self.person_name(),
            "phone": self.landline(),
        }

    def warning_row(
        self,
        form_id: str,
        seq: int,
        township: str,
        month: dt.date,
        submitted: dt.date,
        head_id: str | None = None,
    ) -> dict:
        """One household of 附件1 (返贫预警) or 附件2 (致贫预警) that meets the inclusion criteria."""
        rng = self.rng
        line = monitoring_line(month.year)
        size = rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7))
        risks = self.pick("risk_type", rng.choice((1, 1, 2, 2, 3)), RISK_WEIGHTS)
        income_drop = "收入大幅缩减" in risks or rng.random() < 0.1
        rigid = None
        if rng.random() < 0.85:
            income = round(rng.uniform(2400, line - 100), rng.choice((0, 0, 2)))
        else:  # above the line: included for a rigid expense above the household income
            income = float(rng.randrange(int(line) + 100, int(line) + 2500))
            rigid = float(round(income * size * rng.uniform(1.05, 1.6)))
        if rigid is None and rng.random() < 0.4:
            rigid = float(rng.randrange(2000, 30000, 100))
        appraisal = self.workday_in(month, month.replace(day=24))
        verify = add_workdays(appraisal, rng.randint(1, 5))
        verify = min(verify, submitted)
        # Most townships note the day the appraisal results reached them; some leave it blank.
        received = self.workday_in(appraisal, verify) if rng.random() < 0.6 else None
        measures = self.pick("measure", rng.choice((1, 2, 2, 3)))
        row = {
            "seq": seq,
            "township": township,
            "village": self.village(),
            "village_group": self.village_group(),
            "head_name": self.person_name(),
            "head_id": head_id or self.id_number(),
        }
        if form_id == "annex1":
            row["household_number"] = f"53293210{rng.randrange(10**9):09d}" if rng.random() < 0.7 else None
            row["exit_year"] = rng.choice((2014, 2015, 2016, 2017, 2018, 2019, 2019))
            row["poor_attr"] = rng.choices(self.codes["poor_attr"], (6, 3, 1))[0]
        row["household_size"] = size
        if form_id == "annex2":
            row["social_security"] = rng.choice(
                ((), ("无",), ("低保",), ("残疾人两项补贴",), ("低保", "残疾人两项补贴"))
            )
        row.update(
            {
                "phone": self.mobile() if rng.random() < 0.8 else None,
                "focus_groups": self.pick("focus_group", rng.choice((0, 0, 1, 1, 2))),
                "income_per_capita": income,
                "rigid_expense": rigid,
                "income_drop": income_drop if (income_drop or rng.random() < 0.5) else None,
                "risk_types": risks,
                "risk_note": "".join(RISK_NOTES[r] for r in risks),
                "discovery": rng.choices(self.codes["discovery"], (2, 5, 2))[0],
                "appraisal_date": appraisal,
                "received_date": received,
                "verify_date": verify,
                "measures": measures,
                "measures_note": "；".join(MEASURE_NOTES[m] for m in measures)
                if rng.random() < 0.7
                else None,
                "helper": self.person_name() if rng.random() < 0.8 else None,
                "remark": None,
            }
        )
        return row

    def release_row(self, seq: int, township: str, month: dt.date, submitted: dt.date) -> dict:
        """One household of 附件3 whose warning is lifted in `month`."""
        rng = self.rng
        way = rng.choices(self.codes["release_way"], (6, 3, 1))[0]
        identified = dt.date(month.year, rng.randint(1, max(1, month.month - 2)), 1)
        return {
            "seq": seq,
            "township": township,
            "village": self.village(),
            "village_group": self.village_group(),
            "head_name": self.person_name(),
            "head_id": self.id_number(),
            "household_size": rng.randint(1, 7),
            "warning_type": rng.choice(self.codes["warning_type"]),
            "identified_month": identified,
            "risk_types": self.pick("risk_type", rng.choice((1, 2)), RISK_WEIGHTS),
            "measures_done": self.pick("measure", rng.choice((1, 2))) if way != "县级研判否定" else (),
            "income_per_capita_release": (
                float(rng.randrange(int(monitoring_line(month.year)) + 300, 12000, 10))
                if way != "县级研判否定"
                else None
            ),
            "release_way": way,
            "release_reason": RELEASE_REASONS[way],
            "release_date": min(self.workday_in(month, month.replace(day=28)), submitted),
            "system_marked": False,
            "remark": None,
        }


# ------------------------------------------------------------------- cells


def cell(fld: dict, value, target: str = "csv"):
    """What a clerk types for `value` in a CSV file (always str) or an Excel cell."""
    if value is None or value == ():
        return "" if target == "csv" else None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and fld["type"] == "id_number":
        # a number that lost its last digits, as Excel shows it
        return f"{value:.5E}" if target == "csv" else value
    if target == "xlsx":
        if isinstance(value, dt.date) and fld["type"] != "month":
            return value  # Excel keeps a typed date as a date cell
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return value_text(fld, value)


# ---------------------------------------------------------------- packages


@dataclass
class Example:
    """A package to write: typed rows per form, plus the deliberate mistakes it carries."""

    name: str
    title: str
    description: str
    tables: dict[str, list[dict]]
    drop_columns: dict[str, list[str]] = field(default_factory=dict)
    mistakes: list[dict] = field(default_factory=list)  # resource, index, field, severity, what
    notes: list[str] = field(default_factory=list)  # things that look wrong but are not

    def mistake(
        self, resource: str, index: int | None, field_name: str | None, severity: str, what: str
    ) -> None:
        self.mistakes.append(
            {"resource": resource, "index": index, "field": field_name, "severity": severity, "what": what}
        )


def monthly(
    seed: int, township: str, month: dt.date, counts: tuple[int, int, int], *, zero_report: bool = False
) -> dict[str, list[dict]]:
    s = Synth(seed)
    manifest = s.manifest(township, month, zero_report=zero_report)
    submitted = manifest["submitted_date"]
    return {
        "manifest": [manifest],
        "annex1": [s.warning_row("annex1", i + 1, township, month, submitted) for i in range(counts[0])],
        "annex2": [s.warning_row("annex2", i + 1, township, month, submitted) for i in range(counts[1])],
        "annex3": [s.release_row(i + 1, township, month, submitted) for i in range(counts[2])],
    }


def valid_example() -> Example:
    return Example(
        name="valid-2020-07",
        title="正确的月报（松桂镇2020年7月）",
        description="一个没有错误的报送包：附件1 14户、附件2 10户、附件3 解除5户，按时上报、已盖章。",
        tables=monthly(202007, "松桂镇", dt.date(2020, 7, 1), (14, 10, 5)),
    )


def zero_report_example() -> Example:
    return Example(
        name="zero-report-2020-07",
        title="零报告（六合彝族乡2020年7月）",
        description="本月没有新增监测对象：零报告填“是”，附件1、附件2 只有表头；附件3 仍可登记解除的户。",
        tables=monthly(202071, "六合彝族乡", dt.date(2020, 7, 1), (0, 0, 1), zero_report=True),
        notes=["零报告时附件3 可以有数据行：零报告只针对新增的返贫、致贫预警户。"],
    )


def errors_identity_example() -> Example:
    ex = Example(
        name="errors-id-numbers",
        title="身份证号和重复户的错误（辛屯镇2020年8月）",
        description="身份证号常见的错误：被 Excel 当成数字、校验码不对、少一位、15位旧号码、出生日期不存在，"
        "以及同一户同时填进附件1 和附件2。",
        tables=monthly(202008, "辛屯镇", dt.date(2020, 8, 1), (8, 6, 2)),
    )
    a1, a2 = ex.tables["annex1"], ex.tables["annex2"]
    a1[1]["head_id"] = float(a1[1]["head_id"][:15] + "000")
    ex.mistake(
        "annex1",
        1,
        "head_id",
        "error",
        "身份证号被 Excel 当成数字，显示为 5.32932E+17 一类的科学计数，后几位已经丢失。",
    )
    good = a1[3]["head_id"]
    a1[3]["head_id"] = good[:17] + idnumber.CHECK_CHARS[(idnumber.CHECK_CHARS.index(good[17]) + 3) % 11]
    ex.mistake("annex1", 3, "head_id", "error", "身份证号最后一位校验码不对（多半是抄错了一位数字）。")
    a1[5]["head_id"] = a1[5]["head_id"][:6] + a1[5]["head_id"][8:17]
    ex.mistake("annex1", 5, "head_id", "error", "填了15位的旧身份证号，需要换成18位号码。")
    body = a1[6]["head_id"][:6] + "19830230" + a1[6]["head_id"][14:17]
    a1[6]["head_id"] = body + idnumber.check_digit(body)
    ex.mistake(
        "annex1", 6, "head_id", "error", "身份证号里的出生日期 1983-02-30 不存在（校验码本身算得对）。"
    )
    a2[0]["head_id"] = a2[0]["head_id"][:10] + a2[0]["head_id"][11:]
    ex.mistake("annex2", 0, "head_id", "error", "身份证号只有17位，少了一位。")
    a2[2]["head_id"] = a1[2]["head_id"]
    a2[2]["head_name"] = a1[2]["head_name"]
    ex.mistake(
        "annex2", 2, "head_id", "error", "同一户（与附件1 第3条相同的身份证号）同时填进了附件1 和附件2。"
    )
    s = Synth(8)
    lower = s.id_number()
    while not lower.endswith("X"):
        lower = s.id_number()
    a2[4]["head_id"] = lower[:-1] + "x"
    ex.mistake("annex2", 4, "head_id", "warning", "身份证号末位写成小写 x：校验器按大写 X 处理并提示改正。")
    a2[5]["head_name"] = "Li Wei"
    ex.mistake("annex2", 5, "head_name", "error", "户主姓名写成了拼音，只能填汉字。")
    a1[7]["phone"] = "1287" + a1[7]["phone"][4:] if a1[7]["phone"] else "12871234567"
    ex.mistake("annex1", 7, "phone", "error", "手机号第二位是 2，不是有效的手机号。")
    return ex


def errors_dates_example() -> Example:
    month = dt.date(2020, 9, 1)
    ex = Example(
        name="errors-dates",
        title="日期和上报期限的错误（黄坪镇2020年9月，跨国庆中秋假期）",
        description="9月的月报截止日是10月5日（在国庆中秋假期里；办法没有规定顺延，县里决定顺延时为10月9日），"
        "本包10月12日才上报，两种算法都逾期。还有核查超过7个工作日、日期先后颠倒、不存在的日期。",
        tables=monthly(202009, "黄坪镇", month, (6, 5, 3)),
        notes=[
            "附件1 第2条：9月28日评议、10月10日核查，相隔12天，但中间只有4个工作日"
            "（10月1—8日放假，9月27日和10月10日调休上班），没有超期，不是错误。"
        ],
    )
    man, a1, a2, a3 = (ex.tables[k] for k in ("manifest", "annex1", "annex2", "annex3"))
    man[0]["submitted_date"] = dt.date(2020, 10, 12)
    ex.mistake(
        "manifest",
        0,
        "submitted_date",
        "warning",
        "10月12日才上报，截止日是10月5日（即使县里决定顺延，也只到10月9日），已经逾期"
        "（自查草稿时是警告，上报核对时是错误）。",
    )
    a1[0]["appraisal_date"], a1[0]["verify_date"] = dt.date(2020, 9, 22), dt.date(2020, 10, 12)
    ex.mistake(
        "annex1",
        0,
        "verify_date",
        "warning",
        f"9月22日评议、10月12日才核查，中间有{workdays_between(dt.date(2020, 9, 22), dt.date(2020, 10, 12))}"
        "个工作日，超过7个工作日。",
    )
    a1[1]["appraisal_date"], a1[1]["verify_date"] = dt.date(2020, 9, 28), dt.date(2020, 10, 10)
    a1[2]["appraisal_date"], a1[2]["verify_date"] = dt.date(2020, 9, 29), dt.date(2020, 10, 14)
    ex.mistake("annex1", 2, "verify_date", "error", "核查日期10月14日晚于上报日期10月12日。")
    a2[0]["appraisal_date"], a2[0]["verify_date"] = dt.date(2020, 9, 18), dt.date(2020, 9, 16)
    ex.mistake(
        "annex2",
        0,
        "appraisal_date",
        "error",
        "民主评议日期9月18日晚于乡镇核查日期9月16日，先后颠倒。",
    )
    a2[1]["appraisal_date"] = "2020-09-31"
    ex.mistake("annex2", 1, "appraisal_date", "error", "民主评议日期 2020-09-31 不存在（9月只有30天）。")
    a2[2]["verify_date"] = "9月8日"
    ex.mistake("annex2", 2, "verify_date", "error", "核查日期写成“9月8日”，没有年份，应写 2020-09-08。")
    a3[0]["identified_month"], a3[0]["release_date"] = dt.date(2020, 10, 1), dt.date(2020, 9, 21)
    ex.mistake("annex3", 0, "identified_month", "error", "纳入监测时间 2020-10 晚于解除日期 2020-09-21。")
    a3[1]["release_date"] = dt.date(2020, 10, 13)
    ex.mistake("annex3", 1, "release_date", "error", "解除日期10月13日晚于上报日期10月12日。")
    return ex


def errors_codes_example() -> Example:
    ex = Example(
        name="errors-codes-structure",
        title="代码和表结构的错误（西邑镇2020年7月）",
        description="填了零报告却有数据行、没有盖章、缺一整列、代码表里没有的值、乡镇与报送信息不一致、必填项空着。",
        tables=monthly(202072, "西邑镇", dt.date(2020, 7, 1), (5, 4, 2), zero_report=True),
        drop_columns={"annex1": ["discovery"]},
        notes=["附件2 第3条的风险类型写“因自然灾害”，是“因灾”的同义词，校验器会接受并换算，不是错误。"],
    )
    man, a1, a2, a3 = (ex.tables[k] for k in ("manifest", "annex1", "annex2", "annex3"))
    ex.mistake("manifest", 0, "zero_report", "error", "零报告填了“是”，但附件1、附件2 有数据行。")
    man[0]["stamped"] = False
    ex.mistake(
        "manifest",
        0,
        "stamped",
        "info",
        "已加盖乡镇公章填“否”：自查草稿时只是提示，上报核对时是错误，须盖章后才能上报。",
    )
    ex.mistake("annex1", None, "discovery", "error", "附件1 缺少“发现方式”整列。")
    a1[1]["risk_types"] = ("因病", "因懒")
    ex.mistake("annex1", 1, "risk_types", "error", "风险类型“因懒”不在代码表里。")
    a1[3]["township"] = "金墩乡"
    ex.mistake("annex1", 3, "township", "error", "乡镇填了金墩乡，和报送信息的西邑镇不一致。")
    a2[0]["focus_groups"] = ("贫困户",)
    ex.mistake("annex2", 0, "focus_groups", "error", "重点关注类型“贫困户”不在代码表里。")
    a2[1]["measures"] = ()
    ex.mistake("annex2", 1, "measures", "error", "拟采取帮扶措施是必填项，却空着。")
    a2[2]["risk_types"] = ("因自然灾害",)
    a2[2]["risk_note"] = RISK_NOTES["因灾"]
    a2[3]["discovery"] = "群众举报"
    ex.mistake(
        "annex2",
        3,
        "discovery",
        "error",
        "发现方式“群众举报”不在代码表里（应为农户申请、干部走访排查或部门筛查预警）。",
    )
    a3[0]["release_way"], a3[0]["measures_done"] = "帮扶消除", ()
    a3[0]["income_per_capita_release"] = 8200.0
    a3[0]["release_reason"] = RELEASE_REASONS["帮扶消除"]
    ex.mistake("annex3", 0, "measures_done", "error", "解除方式是“帮扶消除”，已落实帮扶措施却没填。")
    return ex


def examples() -> list[Example]:
    return [
        valid_example(),
        zero_report_example(),
        errors_identity_example(),
        errors_dates_example(),
        errors_codes_example(),
    ]


def rows(
    form_id: str, n: int, seed: int = 0, *, township: str = "云鹤镇", month: dt.date = dt.date(2020, 7, 1)
) -> Iterator[dict]:
    """`n` valid rows of an annex, streamed, with unique ID numbers however large `n` is."""
    s = Synth(seed)
    submitted = deadline(month)
    base = dt.date(1950, 1, 1)
    for i in range(n):
        # A counter, not a random draw, keeps ten thousand … a million ID numbers distinct
        # without remembering them all.
        head_id = make_id(
            ADDRESS_CODES[i % len(ADDRESS_CODES)], base + dt.timedelta(days=i // 999), i % 999 + 1
        )
        if form_id == "annex3":
            row = s.release_row(i + 1, township, month, submitted)
            row["head_id"] = head_id
        else:
            row = s.warning_row(form_id, i + 1, township, month, submitted, head_id=head_id)
        yield row


def json_row(form_id: str, row: dict) -> dict:
    """A typed row as one JSON object of schemas/<form>.row.schema.json (empty values omitted)."""
    out = {}
    for fld in standard.form(form_id)["fields"]:
        value = row.get(fld["name"])
        if value is None or value == ():
            continue
        if fld["type"] == "month" and isinstance(value, dt.date):
            value = f"{value:%Y-%m}"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif fld["type"] == "integer" and isinstance(value, float) and value.is_integer():
            value = int(value)
        out[fld["name"]] = value
    return out
