"""Parsers for single cell values, as clerks type them in CSV files and Excel.

Each parser takes a raw cell (a CSV `str`, or what openpyxl gives: int, float, bool, datetime,
date, time) that is not blank, and returns `(value, problem, params)`:
- `value` is the parsed value, or None when the cell cannot be accepted;
- `problem` is None for a clean, canonical value; otherwise a short code. With a value it is a
  note (the value was accepted after normalising, e.g. "format"); without one it is an error;
- `params` fills the message of the finding the code maps to.

These are the slow path: `validator.fields.check` tries cheap exact checks first and memoises.
"""

from __future__ import annotations

import datetime as dt
import re

FULLWIDTH_DIGITS = {ord("０") + i: ord("0") + i for i in range(10)}
FULLWIDTH_DIGITS.update({ord("．"): ord("."), ord("－"): ord("-"), ord("／"): ord("/")})
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100

Result = tuple[object, str | None, dict]
_EMPTY: dict = {}


def is_blank(cell: object) -> bool:
    return cell is None or (cell.__class__ is str and not cell.strip())


def number_text(value: int | float) -> str:
    """A numeric cell as the clerk sees it in Excel (no trailing .0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def cell_text(cell: object) -> str:
    """Any cell as text, for showing in a message."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (int, float)):
        return number_text(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, (dt.date, dt.time)):
        return cell.isoformat()
    return str(cell).strip()


# --- integers -------------------------------------------------------------------------------

_INT = re.compile(r"[+-]?[0-9]{1,18}(?:\.0*)?")


def parse_integer(cell: object) -> Result:
    if cell.__class__ is bool or isinstance(cell, (dt.date, dt.time)):
        return None, "date_cell" if isinstance(cell, dt.date) else "invalid", _EMPTY
    if isinstance(cell, int):
        return cell, None, _EMPTY
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell), None, _EMPTY
        return None, "invalid", _EMPTY
    text = str(cell).strip().translate(FULLWIDTH_DIGITS)
    if _INT.fullmatch(text):
        return int(text.partition(".")[0]), None, _EMPTY
    return None, "invalid", _EMPTY


# --- money ----------------------------------------------------------------------------------

_MONEY = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MONEY_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_UNITS = ("元", "万元", "万", "块", "￥", "¥", "RMB")


def parse_money(cell: object) -> Result:
    """Yuan, ≥ 0, at most 2 decimals; thousands separators accepted with a note."""
    if cell.__class__ is bool or isinstance(cell, (dt.date, dt.time)):
        return None, "date_cell" if isinstance(cell, dt.date) else "invalid", _EMPTY
    if isinstance(cell, (int, float)):
        if cell != cell:  # NaN
            return None, "invalid", {"detail": ""}
        if not -1e15 < cell < 1e15:  # also infinity; float() of a huge int would overflow
            return None, "invalid", {"detail": "数字太大。"}
        value = float(cell)
        if value < 0:
            return None, "negative", _EMPTY
        # Formula results carry binary noise (0.1+0.2); only real extra decimals count.
        if abs(value * 100 - round(value * 100)) > 1e-6 * max(1.0, abs(value)):
            return None, "decimals", _EMPTY
        return round(value, 2), None, _EMPTY
    text = str(cell).strip().translate(FULLWIDTH_DIGITS)
    note = None
    if _MONEY_GROUPED.fullmatch(text):
        text = text.replace(",", "")
        note = "separators"
    if not _MONEY.fullmatch(text):
        for unit in _UNITS:
            if unit in text:
                return None, "invalid", {"detail": f"不要写“{unit}”，只填数字。"}
        return None, "invalid", {"detail": ""}
    value = float(text)
    if not -1e15 < value < 1e15:  # hundreds of digits
        return None, "invalid", {"detail": "数字太大。"}
    if value < 0:
        return None, "negative", _EMPTY
    fraction = text.partition(".")[2].rstrip("0")
    if len(fraction) > 2:
        return None, "decimals", _EMPTY
    return value, note, ({"parsed": _money_text(value)} if note else _EMPTY)


def _money_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


# --- dates and months -----------------------------------------------------------------------

_DATE_SEP = re.compile(r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})")
_DATE_CJK = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?")
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_TIME_TAIL = re.compile(r"(.*?)(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)")
_MONTH_DAY_ONLY = re.compile(r"[0-9]{1,2}\s*(?:月\s*[0-9]{1,2}\s*[日号]?|[-/.][0-9]{1,2})")
_MONTH_SEP = re.compile(r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})")
_MONTH_CJK = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月?(?:份)?")
_MONTH_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})")


def _is_canonical_date(text: str) -> bool:
    return (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text.replace("-", "").isdigit()
    )


def _serial_detail(number: float) -> dict:
    if not 1 <= number < 2958466:  # beyond 9999-12-31: not a date serial at all
        return {"detail": ""}
    day = EXCEL_EPOCH + dt.timedelta(days=int(number))
    return {
        "detail": f"这像是 Excel 的日期序号（对应 {day.isoformat()}），请把单元格设为日期格式或改写成 YYYY-MM-DD。"
    }


def parse_date(cell: object) -> Result:
    if isinstance(cell, dt.datetime):
        return cell.date(), None, _EMPTY
    if isinstance(cell, dt.date):
        return cell, None, _EMPTY
    if cell.__class__ is bool or isinstance(cell, dt.time):
        return None, "invalid", {"detail": ""}
    if isinstance(cell, (int, float)):
        if not -1e15 < cell < 1e15:
            return None, "invalid", {"detail": ""}
        if float(cell).is_integer() and 19000101 <= cell <= 21001231:
            return parse_date(str(int(cell)))
        if 1 <= cell < 2958466:
            return None, "invalid", _serial_detail(cell)
        return None, "invalid", {"detail": ""}
    raw = str(cell).strip()
    if _is_canonical_date(raw):
        return _make_date(raw, int(raw[:4]), int(raw[5:7]), int(raw[8:10]), canonical=True)
    text = raw.translate(FULLWIDTH_DIGITS)
    m = _TIME_TAIL.fullmatch(text)
    if m:
        text = m.group(1).strip()
    m = _DATE_SEP.fullmatch(text)
    if m:
        return _make_date(raw, int(m.group(1)), int(m.group(3)), int(m.group(4)), canonical=False)
    m = _DATE_CJK.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if m:
        return _make_date(raw, int(m.group(1)), int(m.group(2)), int(m.group(3)), canonical=False)
    if text.isascii() and text.isdigit() and 1 <= len(text) <= 7:
        return None, "invalid", _serial_detail(int(text))
    if _MONTH_DAY_ONLY.fullmatch(text):
        return None, "invalid", {"detail": "缺少年份。"}
    return None, "invalid", {"detail": ""}


def _make_date(raw: str, y: int, m: int, d: int, *, canonical: bool) -> Result:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, "invalid", {"detail": f"年份 {y} 不对。"}
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return None, "not_real", _EMPTY
    if canonical:
        return value, None, _EMPTY
    return value, "format", {"parsed": value.isoformat()}


def parse_month(cell: object) -> Result:
    """A year and month → the first day of that month."""
    if isinstance(cell, (dt.date, dt.datetime)):
        first = dt.date(cell.year, cell.month, 1)
        if cell.day == 1:
            return first, None, _EMPTY
        return first, "format", {"parsed": first.isoformat()[:7]}
    if cell.__class__ is bool or isinstance(cell, dt.time):
        return None, "invalid", {"detail": ""}
    if isinstance(cell, (int, float)):
        if not -1e15 < cell < 1e15:
            return None, "invalid", {"detail": ""}
        if float(cell).is_integer() and 190001 <= cell <= 210012:
            return parse_month(str(int(cell)))
        if 1 <= cell < 2958466:
            return None, "invalid", _serial_detail(cell)
        return None, "invalid", {"detail": ""}
    raw = str(cell).strip()
    if len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit() and raw.isascii():
        return _make_month(int(raw[:4]), int(raw[5:]), canonical=True)
    text = raw.translate(FULLWIDTH_DIGITS)
    for pattern in (_MONTH_SEP, _MONTH_CJK, _MONTH_COMPACT):
        m = pattern.fullmatch(text)
        if m:
            return _make_month(int(m.group(1)), int(m.group(2)), canonical=False)
    value, problem, _ = parse_date(raw)
    if value is not None:  # a whole date in a month column: the month is clear
        first = value.replace(day=1)
        return first, "format", {"parsed": first.isoformat()[:7]}
    if problem == "not_real":
        return None, "invalid", {"detail": "日期不存在。"}
    if text.endswith("月") and not any(ch.isdigit() for ch in text[:4]):
        return None, "invalid", {"detail": "缺少年份。"}
    return None, "invalid", {"detail": ""}


def _make_month(y: int, m: int, *, canonical: bool) -> Result:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, "invalid", {"detail": f"年份 {y} 不对。"}
    if not 1 <= m <= 12:
        return None, "invalid", {"detail": f"没有{m}月。"}
    value = dt.date(y, m, 1)
    return value, (None if canonical else "format"), ({} if canonical else {"parsed": value.isoformat()[:7]})


# --- booleans -------------------------------------------------------------------------------

TRUE_LABEL, FALSE_LABEL = "是", "否"
_BOOL_ALIASES = {
    "y": True, "yes": True, "true": True, "1": True, "n": False, "no": False, "false": False, "0": False,
}  # fmt: skip


def parse_boolean(cell: object) -> Result:
    """是/否; Excel TRUE/FALSE, 1/0 and Y/N are read with a note."""
    if cell.__class__ is bool:
        return cell, "format", {"parsed": TRUE_LABEL if cell else FALSE_LABEL}
    if cell.__class__ is int or cell.__class__ is float:
        if cell in (0, 1):
            return bool(cell), "format", {"parsed": TRUE_LABEL if cell else FALSE_LABEL}
        return None, "invalid", _EMPTY
    text = str(cell).strip()
    if text == TRUE_LABEL:
        return True, None, _EMPTY
    if text == FALSE_LABEL:
        return False, None, _EMPTY
    alias = _BOOL_ALIASES.get(text.lower())
    if alias is not None:
        return alias, "format", {"parsed": TRUE_LABEL if alias else FALSE_LABEL}
    return None, "invalid", _EMPTY


# --- phone numbers --------------------------------------------------------------------------

AREA_CODE = "0872"  # 大理白族自治州
_PHONE_STRIP = {ord(ch): None for ch in " \t\u3000\u00a0-－—–()（）"}


def parse_phone(cell: object) -> Result:
    """Mobile 1[3-9]xxxxxxxxx or landline 0872-xxxxxxx, normalised to those forms."""
    if cell.__class__ is bool or isinstance(cell, (dt.date, dt.time)):
        return None, "invalid", {"detail": "不是号码"}
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and not cell.is_integer():
            return None, "invalid", {"detail": "不是号码"}
        digits = str(int(cell))
        if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
            return digits, "format", {"how": "数值单元格中的手机号，建议把本列设为文本"}
        if len(digits) == 10 and digits.startswith(AREA_CODE[1:]):
            return None, "invalid", {"detail": "开头的 0 已丢失（数值单元格），请把本列设为文本后重新录入"}
        return None, "invalid", {"detail": _phone_detail(digits)}
    raw = str(cell).strip()
    text = raw.translate(FULLWIDTH_DIGITS).translate(_PHONE_STRIP)
    how = "去掉空格、短横线或括号" if text != raw else ""
    if text.startswith("+86"):
        text, how = text[3:], "去掉 +86"
    elif len(text) == 13 and text.startswith("861"):
        text, how = text[2:], "去掉 86"
    if not (text.isdigit() and text.isascii()):
        return None, "invalid", {"detail": "含有数字以外的字符"}
    if len(text) == 11 and text[0] == "1" and text[1] in "3456789":
        return text, ("format" if text != raw else None), ({"how": how} if text != raw else _EMPTY)
    if len(text) == 11 and text.startswith(AREA_CODE):
        value = f"{AREA_CODE}-{text[4:]}"
        if value == raw:
            return value, None, _EMPTY
        return value, "format", {"how": how or "区号后加短横线"}
    return None, "invalid", {"detail": _phone_detail(text)}


def _phone_detail(digits: str) -> str:
    n = len(digits)
    if digits.startswith("1"):
        if n == 11:
            return "手机号第二位应为 3—9"
        return f"手机号应为11位，现在是{n}位"
    if digits.startswith("0"):
        if digits.startswith(AREA_CODE):
            return f"区号 0872 后应为7位号码，现在是{n - 4}位"
        return "固定电话只接受大理州区号 0872"
    if n == 7:
        return "固定电话缺少区号，请写成 0872-加7位号码"
    return f"应为11位手机号或 0872-加7位号码，现在是{n}位数字"
