"""How each field type is written and described in Chinese: one wording for every output.

The workbook's input messages and 填表说明, the CSV and printable templates, the site's form
pages and the synthetic data all take a field's constraints and a typed value's spelling from
here, so a constraint reads the same wherever a clerk meets it.
"""

from __future__ import annotations

import datetime as dt

from validator import standard

# What the form pages call each field type.
TYPE_LABELS = {
    "text": "文本",
    "integer": "整数",
    "money": "金额（元）",
    "date": "日期",
    "month": "月份",
    "boolean": "是/否",
    "code": "代码（单选）",
    "codes": "代码（可多选）",
    "id_number": "身份证号",
    "phone": "电话",
}
# The kinds of personal data (`values.mask`), as a clerk calls them.
PERSONAL_LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "电话"}


def separator() -> str:
    """The separator of a list cell as the standard spells it (、)."""
    return standard.load()["list_separator"]


def boolean_labels() -> tuple[str, str]:
    """(是, 否): how the standard spells true and false."""
    labels = standard.load()["boolean_labels"]
    return labels["true"], labels["false"]


def labels(list_id: str) -> list[str]:
    """The labels of a code list, in order."""
    return [item["label"] for item in standard.codelist(list_id)["items"]]


def range_text(field: dict, unit: str = "") -> str:
    """The allowed numbers: “1—20”, “不小于 0” or “” when unbounded."""
    lo, hi = field.get("minimum"), field.get("maximum")
    if lo is not None and hi is not None:
        return f"{lo}—{hi}{unit}"
    if lo is not None:
        return f"不小于 {lo}{unit}"
    if hi is not None:
        return f"不大于 {hi}{unit}"
    return ""


def length_text(field: dict) -> str:
    """The allowed length of a text: “2—20个字”, “最多50个字” or “”."""
    lo, hi = field.get("min_length"), field.get("max_length")
    if lo and hi:
        return f"{lo}—{hi}个字"
    if hi:
        return f"最多{hi}个字"
    if lo:
        return f"至少{lo}个字"
    return ""


def items_text(field: dict) -> str:
    """How many items a list cell takes: “1—5项”, “至少2项”, “最多3项” or “”."""
    lo, hi = field.get("min_items"), field.get("max_items")
    if lo and hi:
        return f"{lo}—{hi}项"
    if lo and lo > 1:
        return f"至少{lo}项"
    if hi:
        return f"最多{hi}项"
    return ""


def how_to_fill(field: dict, *, with_options: bool = True) -> str:
    """How a cell of this field is written, in plain Chinese (type, range, allowed values)."""
    t = field["type"]
    yes, no = boolean_labels()
    sep = separator()
    parts: list[str] = []
    if t == "text":
        parts.append("文字")
        if length := length_text(field):
            parts.append(length)
        if field.get("pattern_hint"):
            parts.append(field["pattern_hint"].rstrip("。"))
    elif t == "integer":
        parts.append("整数")
        if rng := range_text(field):
            parts.append(rng)
    elif t == "money":
        parts.append("金额（元），不小于 0，最多两位小数")
    elif t == "date":
        parts.append("日期，如 2020-07-15（也可用 2020/7/15）")
    elif t == "month":
        parts.append("年月，写成 2020-07 的样式")
    elif t == "boolean":
        parts.append(f"填“{yes}”或“{no}”")
    elif t == "code":
        options = sep.join(labels(field["codelist"]))
        parts.append(f"从下拉列表中选一项：{options}" if with_options else "从下拉列表中选一项")
    elif t == "codes":
        count = items_text(field)
        text = f"可填多项，项与项之间用“{sep}”分隔" + (f"，{count}" if count else "")
        if with_options:
            text += f"；可选：{sep.join(labels(field['codelist']))}"
        parts.append(text)
    elif t == "id_number":
        parts.append("18位居民身份证号，最后一位可以是 X；本列是文本格式，不要改成数字")
    elif t == "phone":
        parts.append("手机号11位（如 13812345678）或座机 0872-1234567")
    else:
        parts.append("文字")
    return "，".join(parts) + "。"


def requirement(field: dict) -> str:
    """必填 or 可不填."""
    return "必填" if field["required"] else "可不填"


def constraints(field: dict) -> list[str]:
    """Every constraint of a field as short phrases, for the site's form pages.

    The type's own phrase is `how_to_fill` without the option list (the code-list page has it).
    """
    out = []
    if field.get("unique"):
        out.append("本表内不得重复")
    out.append(how_to_fill(field, with_options=False).rstrip("。"))
    if field.get("personal"):
        out.append(f"个人信息（{PERSONAL_LABELS.get(field['personal'], field['personal'])}）：报告中默认打码")
    return out


def value_text(field: dict, value) -> str:
    """A typed value as the standard spells it in a cell: 2020-07-15, 2020-07, 是, 因病、因残, 5000."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return separator().join(str(v) for v in value)
    if isinstance(value, bool):
        yes, no = boolean_labels()
        return yes if value else no
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if field["type"] == "month":
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def deadline_text() -> str:
    """When a month's forms are due, as the built-in settings say: “次月5日前（含当日）”."""
    deadline = standard.settings()["deadline"]
    rolled = "，遇节假日顺延到下一个工作日" if deadline["roll_forward"] else ""
    return f"次月{deadline['day_of_month']}日前（含当日{rolled}）"
