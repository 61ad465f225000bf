"""The settings one validation runs with: the standard's built-in values, or a county's file.

The notice leaves some choices to the county (the monitoring line of each year, whether a 5th
that falls on a holiday moves to the next working day, next year's holidays, which departments
sit at the monthly 研判). The built-in values live in forms/settings.yaml (compiled into
standard.json); a county changes them without a code release by handing the CLI or the online
checker a *county settings file*: JSON of the same shape as the settings table, checked against
`settings_schema()` (published as schemas/settings.schema.json) with Chinese messages.

One `Settings` object is made per run and passed through the engine (the context, the working-day
calendar, the field checks); nothing below reads the standard's settings on its own.

County file rules: every section is optional; rows replace the built-in row with the same key
(year, deadline key, date), other built-in rows stay. `"amount": null` says a year has no line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from validator import published, standard
from validator.tables import InputError

MAX_BYTES = 1024 * 1024  # a settings file is a few kilobytes; anything bigger is the wrong file

DEADLINE_KEYS = published.DEADLINE_KEYS
SECTION_TITLES = {
    "monitoring_line": "监测线",
    "deadline": "上报截止日与核查期限",
    "holiday_overrides": "节假日补充",
    "departments": "研判部门补充",
}


class SettingsError(InputError):
    """The county settings file cannot be used; the message says where and why, in Chinese."""


@dataclass
class Settings:
    """Everything a run takes from the settings, already merged and typed."""

    lines: dict[int, float | None]  # year → monitoring line (元/人/年); None: no value for that year
    line_sources: dict[int, str]
    day_of_month: int  # the report of a month is due by this day of the next month (inclusive)
    roll_forward: bool  # a due day that is not a working day moves to the next working day
    verification_working_days: int
    holidays: dict[dt.date, bool]  # date → is a working day (overrides of the built-in calendar)
    departments: tuple[str, ...] = ()  # department names accepted without a note
    measure_months: int = 1  # months after 认定 by which a measure must be carried out (the ledger)
    file: str | None = None  # the county settings file's name, None for the built-in settings
    sha256: str | None = None
    version: str | None = None  # what the county file says its version is
    changes: list[str] = field(default_factory=list)  # what the county file changed, in Chinese

    def line(self, year: int) -> float | None:
        """The monitoring line of a year, or None when the settings have no value for it."""
        return self.lines.get(year)

    def accepted(self, list_id: str) -> tuple[str, ...]:
        """Names an open code list accepts without a note under these settings."""
        return tuple(self.departments) if list_id == "department" else ()

    def holiday_rows(self) -> list[dict]:
        """The holiday overrides as the working-day calendar takes them."""
        return [
            {"date": d.isoformat(), "kind": "workday" if work else "holiday"}
            for d, work in sorted(self.holidays.items())
        ]

    def describe(self) -> dict:
        """What the report says about the settings used (report["settings"])."""
        out = {
            "source": "county" if self.file else "builtin",
            "file": self.file,
            "sha256": self.sha256,
            "version": self.version,
            "builtin_version": standard.settings()["version"],
            "changes": list(self.changes),
            "roll_forward": self.roll_forward,
            "day_of_month": self.day_of_month,
            "verification_working_days": self.verification_working_days,
            "years_without_line": sorted(y for y, v in self.lines.items() if v is None),
        }
        return out


@lru_cache(maxsize=1)
def _builtin_parts() -> tuple:
    s = standard.settings()
    lines = {int(r["year"]): _amount(r.get("amount")) for r in s["monitoring_line"]["rows"]}
    sources = {int(r["year"]): str(r.get("source") or "") for r in s["monitoring_line"]["rows"]}
    deadline = {r["key"]: r["value"] for r in s["deadline"]["rows"]}
    holidays = {
        _day(r["date"]): r["kind"] == "workday" for r in (s.get("holiday_overrides") or {}).get("rows") or []
    }
    departments = tuple(r["name"] for r in (s.get("departments") or {}).get("rows") or [])
    return lines, sources, deadline, holidays, departments


def builtin() -> Settings:
    """The standard's own settings (a fresh object each call; it may be changed by the caller)."""
    lines, sources, deadline, holidays, departments = _builtin_parts()
    return Settings(
        lines=dict(lines),
        line_sources=dict(sources),
        day_of_month=int(deadline["day_of_month"]),
        roll_forward=bool(deadline["roll_forward"]),
        verification_working_days=int(deadline["verification_working_days"]),
        holidays=dict(holidays),
        departments=departments,
        measure_months=int(deadline["measure_months"]),
    )


def resolve(settings) -> Settings:
    """A `Settings` from what the API accepts: None (built-in), a Settings, a path, or (name, bytes)."""
    if settings is None:
        return builtin()
    if isinstance(settings, Settings):
        return settings
    if isinstance(settings, str | Path):
        return load_file(settings)
    if isinstance(settings, tuple) and len(settings) == 2:
        name, data = settings
        return load_bytes(bytes(data), str(name))
    raise TypeError("settings: None, Settings, a path or (file name, bytes)")


def load_file(path: str | Path) -> Settings:
    """Read a county settings file from disk (SettingsError when missing, too big or invalid)."""
    p = Path(path)
    if not p.is_file():
        raise SettingsError(f"找不到县设置文件：{p}")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SettingsError(
                f"县设置文件 {p.name} 有 {size // 1024}KB，太大了，不像是设置文件（应为几 KB 的 JSON 文件）"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise SettingsError(f"县设置文件 {p.name} 无法读取：{exc.strerror or type(exc).__name__}") from exc
    return load_bytes(data, p.name)


def load_bytes(data: bytes, name: str) -> Settings:
    """A county settings file's bytes → the built-in settings with the county's rows applied."""
    if len(data) > MAX_BYTES:
        raise SettingsError(f"县设置文件 {name} 太大了，不像是设置文件（应为几 KB 的 JSON 文件）")
    text = _decode(data, name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"县设置文件 {name} 不是有效的 JSON：第{exc.lineno}行第{exc.colno}列附近有误（{_json_reason(exc.msg)}）。"
            "常见原因是少了逗号或引号，或用了中文标点（，“”）分隔；可对照网站“设置与来源”页的样例修改"
        ) from None
    except RecursionError:
        raise SettingsError(f"县设置文件 {name} 不是有效的设置文件：括号嵌套层数过多") from None
    problems = check_document(doc)
    if problems:
        shown = "；".join(problems[:10])
        more = f"；另有{len(problems) - 10}处" if len(problems) > 10 else ""
        raise SettingsError(f"县设置文件 {name} 不符合设置文件的格式：{shown}{more}")
    return _apply(doc, name, hashlib.sha256(data).hexdigest())


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # Notepad's "ANSI" on a Chinese Windows
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise SettingsError(f"县设置文件 {name} 的编码无法识别：请用记事本“另存为”UTF-8 编码") from None


_JSON_REASONS = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少值或多了逗号",
    "Expecting property name enclosed in double quotes": "名称须用英文双引号括起来，或最后多了逗号",
    "Unterminated string starting at": "引号没有配对",
    "Extra data": "结尾有多余的内容",
    "Invalid control character at": "字符串中有换行或控制字符",
}


def _json_reason(msg: str) -> str:
    for key, text in _JSON_REASONS.items():
        if msg.startswith(key):
            return text
    return msg


def _amount(value) -> float | None:
    return None if value is None or value == "" else float(value)


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _apply(doc: dict, name: str, digest: str) -> Settings:
    s = builtin()
    s.file, s.sha256, s.version = name, digest, doc.get("version")
    for row in (doc.get("monitoring_line") or {}).get("rows") or []:
        year, amount = int(row["year"]), _amount(row.get("amount"))
        before = s.lines.get(year, "absent")
        s.lines[year] = amount
        s.line_sources[year] = row["source"]
        if before != amount:
            shown = "没有数值" if amount is None else f"{_money(amount)}元"
            s.changes.append(f"{year}年监测线：{shown}")
    for row in (doc.get("deadline") or {}).get("rows") or []:
        key, value = row["key"], row["value"]
        if key == "day_of_month" and int(value) != s.day_of_month:
            s.day_of_month = int(value)
            s.changes.append(f"上报截止日：次月{s.day_of_month}日")
        elif key == "roll_forward" and bool(value) != s.roll_forward:
            s.roll_forward = bool(value)
            s.changes.append("截止日遇节假日顺延：" + ("是" if s.roll_forward else "否"))
        elif key == "verification_working_days" and int(value) != s.verification_working_days:
            s.verification_working_days = int(value)
            s.changes.append(f"乡镇核查期限：{s.verification_working_days}个工作日")
        elif key == "measure_months" and int(value) != s.measure_months:
            s.measure_months = int(value)
            s.changes.append(f"认定后落实帮扶措施的期限：{s.measure_months}个月")
    added = 0
    for row in (doc.get("holiday_overrides") or {}).get("rows") or []:
        day, work = _day(row["date"]), row["kind"] == "workday"
        if s.holidays.get(day) != work:
            added += 1
        s.holidays[day] = work
    if added:
        s.changes.append(f"节假日补充：{added}天")
    extra = [row["name"].strip() for row in (doc.get("departments") or {}).get("rows") or []]
    new = [d for d in extra if d not in s.departments]
    if new:
        s.departments = s.departments + tuple(new)
        s.changes.append("研判部门补充：" + "、".join(new))
    return s


def _money(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


# ----------------------------------------------------------------------------- the schema


def settings_schema() -> dict:
    """The county settings file as a JSON Schema (draft 2020-12), for the standard the package
    carries; also what `check_document` enforces. Defined in `validator.published`."""
    return published.settings_schema(standard.load())


# A checker for exactly the keywords `settings_schema` uses, with Chinese messages; the tests
# compare its verdicts with the jsonschema package's on valid and broken files.
_TYPES = {
    "object": "对象（{…}）",
    "array": "列表（[…]）",
    "string": "文字（用英文双引号括起来）",
    "integer": "整数",
    "number": "数",
    "boolean": "true 或 false",
    "null": "null",
}


def _type_ok(value, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, int | float)  # number


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def check_document(doc) -> list[str]:
    """Chinese descriptions of everything in `doc` that `settings_schema()` rejects, then of
    what a schema cannot say (a year or a date given twice, a date that does not exist)."""
    problems: list[str] = []
    _check(doc, settings_schema(), "", problems)
    if problems or not isinstance(doc, dict):
        return problems
    for section, key in (("monitoring_line", "year"), ("deadline", "key"), ("holiday_overrides", "date")):
        seen: dict = {}
        for i, row in enumerate((doc.get(section) or {}).get("rows") or [], 1):
            first = seen.setdefault(row[key], i)
            if first != i:
                problems.append(f"{SECTION_TITLES[section]}（{section}）第{i}行的 {key} 与第{first}行重复")
    return problems


def _where(path: str) -> str:
    return path or "文件"


def _check(value, schema: dict, path: str, problems: list[str]) -> None:
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_type_ok(value, k) for k in kinds):
            wanted = "或".join(_TYPES[k] for k in kinds)
            problems.append(f"{_where(path)}应为{wanted}，现在是 {_shown(value)}")
            return
    if "const" in schema and value != schema["const"]:
        problems.append(f"{_where(path)}应为 {_shown(schema['const'])}")
        return
    if "enum" in schema and value not in schema["enum"]:
        allowed = "、".join(_shown(v) for v in schema["enum"])
        problems.append(f"{_where(path)}只能是 {allowed} 之一，现在是 {_shown(value)}")
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{_where(path)}不能小于{schema['minimum']}，现在是 {_shown(value)}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{_where(path)}不能大于{schema['maximum']}，现在是 {_shown(value)}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{_where(path)}不能为空")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{_where(path)}最多{schema['maxLength']}个字，现在是{len(value)}个字")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(
                f"{_where(path)}的写法不对：{_shown(value)}"
                + ("（应写成 2027-02-05 这样）" if schema.get("format") == "date" else "")
            )
        elif schema.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                problems.append(f"{_where(path)}不是存在的日期：{_shown(value)}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(
                    f"{_where(path)}缺少 {key}"
                    + (f"（{props[key]['title']}）" if props.get(key, {}).get("title") else "")
                )
        for key, item in value.items():
            if key in props:
                _check(item, props[key], _join(path, key, props[key]), problems)
            elif schema.get("additionalProperties") is False:
                known = "、".join(k for k in props if not k.startswith("$"))
                problems.append(f"{_where(path)}中的 {_shown(key)} 不认识（可用的有：{known}）")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value, 1):
            _check(item, schema["items"], f"{path}第{i}行", problems)
    for sub in schema.get("allOf", ()):
        condition = sub.get("if")
        if condition is not None:
            trial: list[str] = []
            _check(value, condition, path, trial)
            if not trial and "then" in sub:
                _check(value, sub["then"], path, problems)
        else:
            _check(value, sub, path, problems)


def _join(path: str, key: str, schema: dict) -> str:
    if key == "rows":
        return path
    title = schema.get("title")
    named = f"{title}（{key}）" if title else key
    if not path:
        return named
    return f"{path}的{named}"
