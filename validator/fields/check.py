"""Field-level checks, compiled once per table from the field definitions in the standard.

`compile_table` turns the form's fields and the table's column mapping into one
`check_row(row_number, cells) -> values` function. Each column gets a specialised fast path
(an exact str-method check, or a bounded memo of earlier clean cells) that returns the parsed
value without creating anything; only when it cannot decide does the slow path parse the cell
fully and emit F*/D* findings. The per-row function is generated as straight-line code so a
million-row table costs a few dict lookups and calls per cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from validator import standard
from validator.fields import rules as R
from validator.findings import Finding
from validator.rules import Rule
from validator.settings import Settings
from validator.tables import Table
from validator.values import idnumber
from validator.values.mask import mask, scrub, scrub_value
from validator.values.parse import (
    FULLWIDTH_DIGITS,
    cell_text,
    is_blank,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_money,
    parse_month,
    parse_phone,
)

MISS = object()  # the fast path cannot decide: take the slow path
ABSENT = object()  # no value for this field in this row (blank, or invalid and reported)
MEMO_LIMIT = 4096  # per column; beyond it a column is high-cardinality and memoising stops
SHOWN_LIMIT = 80

_SCIENTIFIC = re.compile(r"[+-]?[0-9](?:\.[0-9]*)?[eE][+]?[0-9]+")
_NAME_SPACES = {ord(ch): None for ch in " \t\u3000\u00a0\u2002\u2003\u2009\u200b"}
_NAME_DOTS = {ord(ch): "·" for ch in "•・‧．.∙⋅●"}
_NAME_DOTS[ord("\u00b7")] = "·"


def compile_table(
    form: dict,
    table: Table,
    *,
    emit: Callable[[Finding], None],
    show_personal_data: bool,
    today: dt.date | None = None,
    settings: Settings | None = None,
    counter: Callable[[str, str, str | None, str | None], Callable[[int], bool]] | None = None,
) -> Callable[[int, list], dict]:
    """Compile the field checks of `form` for `table`'s columns into `check_row(row, cells)`.

    `check_row` returns {field name: parsed value} for the cells that passed; blank and invalid
    cells are absent. Findings go to `emit`. `today` bounds birth dates in ID numbers;
    `settings` (`validator.settings`) may accept more names in an open code list.
    `counter(rule, severity, resource, source)` (`Findings.counter`) lets a column count a
    finding the report would not keep instead of building it.
    """
    today = today or dt.date.today()
    by_name = {f["name"]: f for f in form["fields"]}
    namespace: dict = {"M": MISS, "A": ABSENT}
    entries = []
    seen: set[str] = set()
    for position, column in enumerate(table.columns):
        field = by_name.get(column.field or "")
        if field is None or field["name"] in seen:  # unknown or repeated columns are the reader's findings
            continue
        seen.add(field["name"])
        col = _Column(
            form["id"], field, column.header, column.letter, table, emit, show_personal_data, counter
        )
        compiler = _COMPILERS[field["type"]]
        if field["type"] in ("code", "codes"):
            direct, slow, memoable = compiler(col, field, today, settings)
        else:
            direct, slow, memoable = compiler(col, field, today)
        i = len(entries)
        if memoable:
            fast, slow = _memo_entry(namespace, i, col, field, direct, slow)
        else:
            fast = direct
        namespace[f"f{i}"] = fast
        namespace[f"s{i}"] = slow
        if field.get("required"):
            # A blank required cell (on every row of a half-filled sheet) is only counted once
            # the report has enough of them: `q{i}(row)` says so without building a finding.
            namespace[f"q{i}"] = col.counted(R.REQUIRED)
        entries.append((position, field["name"], bool(field.get("required"))))
    return _generate(namespace, entries, len(table.columns))


# Cell types safe as memo keys. Numbers are left out: 1 == 1.0 == True would let an Excel
# TRUE reuse what was remembered for the number 1.
_REMEMBERED = frozenset({str, dt.datetime, dt.date})


def _memo_entry(namespace: dict, i: int, col: _Column, field: dict, direct, slow):
    """A bounded memo of clean cells in front of a column's checks.

    Low-cardinality columns (townships, villages, code lists, dates) then cost one dict lookup
    per cell. When the memo fills up the column is high-cardinality: the generated code is
    switched to the column's direct check (if it has one) so misses stop paying for the memo.
    """
    memo: dict = {} if field.get("required") else {None: ABSENT, "": ABSENT}

    def miss(c, row):
        v = MISS if direct is None else direct(c, MISS)
        if v is MISS:
            before = col.count
            v = slow(c, row)
            if col.count != before:  # reported: not clean, do not remember
                return v
        if len(memo) < MEMO_LIMIT:
            if c.__class__ in _REMEMBERED:
                memo[c] = v
        elif direct is not None:
            namespace[f"f{i}"] = direct
            namespace[f"s{i}"] = slow
        return v

    return memo.get, miss


def _generate(
    namespace: dict, entries: list[tuple[int, str, bool]], width: int
) -> Callable[[int, list], dict]:
    """Straight-line code for one row: one unpacking, one call per cell, one dict display.

    Absent fields are deleted after the dict is built. An optional column can be absent on the
    fast path (a blank cell); a required one only after its slow path ran (a blank is reported,
    never remembered), so only then is it looked at again. Before the slow path, a blank
    required cell may just be counted (`q{i}`).
    """
    namespace["W"] = width
    namespace["PAD"] = (None,) * width
    lines = ["def check_row(row, cells, M=M, A=A):", "    bad = False"]
    if width:
        lines += [
            "    if len(cells) != W:",  # the reader aligns cells with columns; be safe anyway
            "        cells = (tuple(cells) + PAD)[:W]",
            f"    {', '.join(f'c{j}' for j in range(width))}, = cells",
        ]
    for i, (position, _name, required) in enumerate(entries):
        c = f"c{position}"
        lines += [f"    v{i} = f{i}({c}, M)", f"    if v{i} is M:"]
        if required:
            lines += [
                f"        if ({c} is None or {c} == '') and q{i}(row):",
                f"            v{i} = A",
                "        else:",
                f"            v{i} = s{i}({c}, row)",
                f"        if v{i} is A:",
                "            bad = True",
            ]
        else:
            lines += [f"        v{i} = s{i}({c}, row)"]
    lines.append("    out = {" + ", ".join(f"{name!r}: v{i}" for i, (_, name, _) in enumerate(entries)) + "}")
    for i, (_, name, required) in enumerate(entries):
        if not required:
            lines += [f"    if v{i} is A:", f"        del out[{name!r}]"]
    if any(required for _, _, required in entries):
        lines.append("    if bad:")
        for i, (_, name, required) in enumerate(entries):
            if required:
                lines += [f"        if v{i} is A:", f"            del out[{name!r}]"]
    lines.append("    return out")
    exec("\n".join(lines), namespace)  # generated from field names only, quoted with repr()
    return namespace["check_row"]


class _Column:
    """Where a column's findings point, and how its values are shown."""

    __slots__ = (
        "resource",
        "field",
        "header",
        "letter",
        "source",
        "sheet",
        "emit",
        "counter",
        "counters",
        "personal",
        "show",
        "required",
        "count",
        "messages",
    )

    def __init__(self, resource, field, header, letter, table, emit, show_personal_data, counter=None):
        self.resource = resource
        self.field = field["name"]
        # A Data Package CSV uses field names as headers; the clerk still reads the Chinese title.
        self.header = field["title"] if not header or header == field["name"] else header
        self.letter = letter
        self.source = table.source
        self.sheet = table.sheet
        self.emit = emit
        self.counter = counter
        self.counters: dict = {}  # rule id → count(row), see `counted`
        self.personal = field.get("personal")
        self.show = show_personal_data
        self.required = bool(field.get("required"))
        self.count = 0  # findings reported so far: lets the memo tell clean cells from reported ones
        self.messages: dict = {}

    def shown(self, cell: object) -> str:
        text = cell_text(cell)
        if not self.show:
            # A name typed into another column (a shifted row) is masked too: `scrub_value`.
            text = mask(self.personal, text) if self.personal else scrub_value(text)
        if len(text) <= SHOWN_LIMIT:
            return text
        text = text[: SHOWN_LIMIT - 1] + "…"
        # The cut can leave part of a longer run of digits that reads as an ID or mobile number.
        return text if self.show else scrub(text)

    def counted(self, rule: Rule) -> Callable[[int], bool]:
        """`count(row)`: True when a finding of `rule` at `row` was counted instead of built,
        because the report already has the first ones of this rule in this table."""
        count = self.counters.get(rule.id)
        if count is None:
            count = (
                _never
                if self.counter is None
                else self.counter(rule.id, rule.severity, self.resource, self.source)
            )
            self.counters[rule.id] = count
        return count

    def report(self, rule: Rule, row: int, cell: object, **params) -> None:
        self.count += 1
        if self.counter is not None and self.counted(rule)(row):
            return  # counted; the report does not list it
        shown = self.shown(cell)
        # A column full of the same mistake repeats one message: format it once and share it.
        key = (rule.id, shown, *params.items())
        message = self.messages.get(key)
        if message is None:
            if not self.show and not self.personal:  # a list item quoted alone ("李四")
                params = {k: scrub_value(v) if isinstance(v, str) else v for k, v in params.items()}
            message = rule.message.format(header=self.header, shown=shown, **params)
            if not self.show:  # list items and other quoted parts are raw cell text
                message = scrub(message)
            if len(self.messages) < MEMO_LIMIT:
                self.messages[key] = message
        self.emit(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                message=message,
                hint=rule.hint,
                resource=self.resource,
                row=row,
                field=self.field,
                column=self.header,
                cell=f"{self.letter}{row}",
                source=self.source,
                sheet=self.sheet,
                value=shown or None,
            )
        )

    def blank(self, row: int, cell: object) -> object:
        if self.required:
            self.report(R.REQUIRED, row, cell)
        return ABSENT


def _never(row: int) -> bool:
    return False


def _bounds(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"在 {lo}—{hi} 之间"
    if lo is not None:
        return f"不小于 {lo}"
    return f"不大于 {hi}"


def _item_bounds(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f" {lo}—{hi}项" if lo != hi else f" {lo}项"
    if lo is not None:
        return f"至少{lo}项"
    return f"至多{hi}项"


def _range_check(col: _Column, field: dict):
    lo, hi = field.get("minimum"), field.get("maximum")
    if lo is None and hi is None:
        return None
    bounds = _bounds(lo, hi)

    def check(value, row, cell) -> bool:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            col.report(R.RANGE, row, cell, bounds=bounds)
            return False
        return True

    return check


def _blank_default(field: dict):
    """What the fast path answers for a blank cell: ABSENT when optional, else 'ask the slow path'."""
    return MISS if field.get("required") else ABSENT


# --- numbers --------------------------------------------------------------------------------


def _compile_integer(col: _Column, field: dict, today: dt.date):
    lo = field.get("minimum")
    hi = field.get("maximum")
    lo_ = -(10**18) if lo is None else lo
    hi_ = 10**18 if hi is None else hi
    blank = _blank_default(field)
    in_range = _range_check(col, field)

    def fast(c, d):
        if c.__class__ is str:
            if len(c) < 19 and c.isdigit() and c.isascii():
                v = int(c)
                if lo_ <= v <= hi_:
                    return v
            elif c == "":
                return blank
        elif c.__class__ is int:
            if lo_ <= c <= hi_:
                return c
        elif c is None:
            return blank
        return d

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        value, problem, _ = parse_integer(c)
        if value is None:
            col.report(R.DATE_CELL if problem == "date_cell" else R.INTEGER, row, c)
            return ABSENT
        if in_range and not in_range(value, row, c):
            return ABSENT
        return value

    return fast, slow, True


def _compile_money(col: _Column, field: dict, today: dt.date):
    lo = field.get("minimum")
    hi = field.get("maximum")
    lo_ = 0.0 if lo is None else float(lo)
    # Beyond 10^15 yuan the slow path says 数字太大 (float() of 400 digits is infinity).
    hi_ = 1e15 if hi is None else min(float(hi), 1e15)
    blank = _blank_default(field)
    in_range = _range_check(col, field)
    problems = {"invalid": R.MONEY, "negative": R.MONEY_NEGATIVE, "decimals": R.MONEY_DECIMALS}

    def fast(c, d):
        if c.__class__ is str:
            if c.isdigit() and c.isascii():
                v = float(c)
                if lo_ <= v <= hi_:
                    return v
                return d
            dot = c.find(".")
            # at most two decimals, digits on both sides of one dot
            if 0 < dot >= len(c) - 3 and c.isascii() and c.replace(".", "", 1).isdigit():
                v = float(c)
                if lo_ <= v <= hi_:
                    return v
            elif c == "":
                return blank
        elif c.__class__ is int:
            if lo_ <= c <= hi_:
                return float(c)
        elif c is None:
            return blank
        return d

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        value, problem, params = parse_money(c)
        if value is None:
            rule = R.DATE_CELL if problem == "date_cell" else problems[problem]
            col.report(rule, row, c, **({"detail": ""} | params))
            return ABSENT
        if problem == "separators":
            col.report(R.MONEY_SEPARATORS, row, c, **params)
        if in_range and not in_range(value, row, c):
            return ABSENT
        return value

    return fast, slow, True


# --- text and names -------------------------------------------------------------------------


def _compile_text(col: _Column, field: dict, today: dt.date):
    min_len = field.get("min_length") or 0
    max_len = field.get("max_length") or 10**9
    lo = max(1, min_len)
    blank = _blank_default(field)
    pattern = _pattern_matcher(field.get("pattern"))
    pattern_hint = field.get("pattern_hint", "")
    is_name = col.personal == "name"

    if is_name:
        # Inner spaces and look-alike dots are normalised (and warned about) on the slow path.
        def fast(c, d):
            if c.__class__ is str:
                if lo <= len(c) <= max_len and c.isalpha() and (pattern is None or pattern(c) is not None):
                    return c
                if c == "":
                    return blank
            elif c is None:
                return blank
            return d
    elif pattern is _digits:

        def fast(c, d):
            if c.__class__ is str:
                if lo <= len(c) <= max_len and c.isdigit() and c.isascii():
                    return c
                if c == "":
                    return blank
            elif c is None:
                return blank
            return d
    elif pattern is None:

        def fast(c, d):
            if c.__class__ is str:
                if lo <= len(c) <= max_len and c.strip() is c:
                    return c
                if c == "":
                    return blank
            elif c is None:
                return blank
            return d
    else:

        def fast(c, d):
            if c.__class__ is str:
                if lo <= len(c) <= max_len and c.strip() is c and pattern(c) is not None:
                    return c
                if c == "":
                    return blank
            elif c is None:
                return blank
            return d

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        text = _text_of(col, c, row, digits_only=pattern is not None)
        if text is None:
            return ABSENT
        if is_name:
            text = _normalise_name(col, text, row, c)
            if pattern is not None and pattern(text) is None:
                col.report(R.NAME, row, c, what=_name_offence(text))
                return ABSENT
        elif pattern is not None and pattern(text) is None:
            if _SCIENTIFIC.fullmatch(text):
                col.report(R.LOST_DIGITS, row, c, detail="")
            else:
                col.report(R.PATTERN, row, c, pattern_hint=pattern_hint)
            return ABSENT
        n = len(text)
        if n < min_len:
            col.report(R.TOO_SHORT, row, c, min_length=min_len, length=n)
            return ABSENT
        if n > max_len:
            col.report(R.TOO_LONG, row, c, max_length=max_len, length=n)
            return ABSENT
        return text

    return fast, slow, True


def _digits(text: str) -> str | None:
    """Like re.fullmatch("[0-9]+"): something (not None) when the text is only ASCII digits."""
    return text if text.isdigit() and text.isascii() else None


def _pattern_matcher(pattern: str | None):
    """A fullmatch callable; the common all-digits pattern becomes a str method (no regex)."""
    if not pattern:
        return None
    if pattern == "^[0-9]+$":
        return _digits
    return re.compile(pattern).fullmatch


def _text_of(col: _Column, c: object, row: int, *, digits_only: bool) -> str | None:
    """A non-blank cell as text; numeric cells that lost digits and date cells are reported."""
    if c.__class__ is str:
        return c.strip()
    if isinstance(c, bool):
        return "TRUE" if c else "FALSE"
    if isinstance(c, int):
        if abs(c) >= 10**15 and digits_only:
            col.report(R.LOST_DIGITS, row, c, detail="")
            return None
        return str(c)
    if isinstance(c, float):
        if c.is_integer() and abs(c) < 1e15:
            return str(int(c))
        if c.is_integer() or "e" in repr(c):
            col.report(R.LOST_DIGITS, row, c, detail="")
            return None
        return str(c)
    if isinstance(c, (dt.datetime, dt.date)):
        col.report(R.DATE_CELL, row, c)
        return None
    return cell_text(c)


def _joined(text: str) -> str:
    """Rare characters (Extension B and later) arrive as one code point from UTF-8, GB18030 and
    UTF-16 files alike; a tool that hands them over as two UTF-16 halves (surrogates) gets them
    put back together here, so the name check sees the character the clerk typed."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        try:
            return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:  # a lone half: leave it for the pattern to refuse
            return text
    return text


def _normalise_name(col: _Column, text: str, row: int, cell: object) -> str:
    text = _joined(text)
    no_spaces = text.translate(_NAME_SPACES)
    dotted = no_spaces.translate(_NAME_DOTS)
    if dotted != text:
        what = []
        if no_spaces != text:
            what.append("空格")
        if dotted != no_spaces:
            what.append("分隔点")
        col.report(R.NAME_NORMALISED, row, cell, what="和".join(what))
    return dotted


def _name_offence(text: str) -> str:
    what = []
    if any("a" <= ch.lower() <= "z" or "ａ" <= ch.lower() <= "ｚ" for ch in text):
        what.append("字母")
    if any(ch.isdigit() for ch in text):
        what.append("数字")
    if not what:
        what.append("其他符号")
    return "、".join(what)


# --- ID numbers and phones ------------------------------------------------------------------


def _real_day(month: int, day: int) -> bool:
    try:
        dt.date(2001, month, day)  # a common year: 29 February is not included
    except ValueError:
        return False
    return True


_ID_RULES = {
    "numeric_cell": R.ID_NUMERIC,
    "scientific": R.ID_NUMERIC,
    "legacy15": R.ID_LEGACY,
    "length": R.ID_LENGTH,
    "characters": R.ID_CHARACTERS,
    "birth_date": R.ID_BIRTH,
    "birth_future": R.ID_FUTURE,
    "check_digit": R.ID_CHECK,
    "normalised": R.ID_NORMALISED,
}


# MMDD of every real day; 29 February only in leap years, which the fast path leaves to the slow one.
_MONTH_DAYS = frozenset(f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, 32) if _real_day(m, d))


def _compile_id_number(col: _Column, field: dict, today: dt.date):
    blank = _blank_default(field)
    # YYYYMMDD strings compare like dates, so range checks need no date objects.
    earliest = f"{idnumber.EARLIEST_BIRTH_YEAR}0101"
    latest = today.strftime("%Y%m%d")
    month_days = _MONTH_DAYS

    def fast(c, d):
        # An all-digit ID is valid when reading it in base 13 gives 1 mod 11: 13 ≡ 2 (mod 11)
        # turns the digits into the MOD 11-2 weighted sum (see idnumber.fast_check_digit).
        # With X (value 10) last, the first 17 digits must give 2 mod 11 instead.
        if c.__class__ is str:
            if len(c) == 18 and c.isascii():
                if c.isdigit():
                    if int(c, 13) % 11 != 1:
                        return d
                elif not (c[17] == "X" and c[:17].isdigit() and int(c[:17], 13) * 2 % 11 == 2):
                    return d
                birth = c[6:14]
                if earliest <= birth <= latest and birth[4:] in month_days:
                    return c
            elif c == "":
                return blank
        elif c is None:
            return blank
        return d

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        value, problems = idnumber.check_id(c, today)
        for code, params in problems:
            if code == "normalised":
                col.report(R.ID_NORMALISED, row, c, what=_id_normalisation(str(c).strip()))
            else:
                col.report(_ID_RULES[code], row, c, today=today.isoformat(), length=params.get("length", 0))
        return ABSENT if value is None else value

    return fast, slow, False


def _id_normalisation(text: str) -> str:
    what = []
    if any(ch.isspace() or ch == "\u200b" for ch in text):
        what.append("空格")
    if any("０" <= ch <= "９" or ch in "Ｘｘ" for ch in text):
        what.append("全角字符")
    if "x" in text:
        what.append("小写 x")
    if any(ch in "'‘’" for ch in text):
        what.append("引号")
    return "、".join(what) or "多余字符"


def _compile_phone(col: _Column, field: dict, today: dt.date):
    blank = _blank_default(field)
    second = frozenset("3456789")

    def fast(c, d):
        if c.__class__ is str:
            n = len(c)
            if n == 11:
                if c[0] == "1" and c[1] in second and c.isdigit() and c.isascii():
                    return c
            elif n == 12:
                if c.startswith("0872-") and c[5:].isdigit() and c.isascii():
                    return c
            elif n == 0:
                return blank
        elif c is None:
            return blank
        return d

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        if c.__class__ is str and _SCIENTIFIC.fullmatch(c.strip()):
            col.report(R.LOST_DIGITS, row, c, detail="")
            return ABSENT
        value, problem, params = parse_phone(c)
        if value is None:
            col.report(R.PHONE, row, c, **params)
            return ABSENT
        if problem == "format":
            col.report(R.PHONE_FORMAT, row, c, **params)
        return value

    return fast, slow, False


# --- memoised types: dates, months, booleans, codes -----------------------------------------


def _memoised(col: _Column, field: dict, analyse: Callable[[object], tuple]):
    """Types checked by a pure `analyse(cell) -> (value, problems)`, remembered per distinct cell."""
    analyses: dict = {}

    def slow(c, row):
        if is_blank(c):
            return col.blank(row, c)
        result = analyses.get(c) if c.__class__ in _REMEMBERED else None
        if result is None:
            result = analyse(c)
            if len(analyses) < MEMO_LIMIT and c.__class__ in _REMEMBERED:
                analyses[c] = result
        value, problems = result
        for rule, params in problems:
            col.report(rule, row, c, **params)
        return ABSENT if value is None else value

    return None, slow, True


def _from_parser(parser, rules: dict):
    def analyse(c):
        value, problem, params = parser(c)
        if problem is None:
            return value, ()
        return value, ((rules[problem], {"detail": "", **params}),)

    return analyse


def _compile_date(col, field, today):
    rules = {"invalid": R.DATE, "not_real": R.DATE_NOT_REAL, "format": R.DATE_FORMAT}
    return _memoised(col, field, _from_parser(parse_date, rules))


def _compile_month(col, field, today):
    rules = {"invalid": R.MONTH, "format": R.MONTH_FORMAT}
    return _memoised(col, field, _from_parser(parse_month, rules))


def _compile_boolean(col, field, today):
    rules = {"invalid": R.BOOLEAN, "format": R.BOOLEAN_FORMAT}
    return _memoised(col, field, _from_parser(parse_boolean, rules))


class CodeList:
    """Resolves what a clerk typed (label, code, synonym or another period's term) to a label.

    `extra`: names the run's settings accept as they are (the county's own departments).
    """

    def __init__(self, codelist: dict, extra: tuple[str, ...] = ()):
        self.title = codelist.get("title", codelist["id"])
        self.labels = [item["label"] for item in codelist["items"]]
        self.open = bool(codelist.get("open"))
        eras = codelist.get("eras") or {}
        # text → (label, how, details): how is "" (a label or a name the settings list),
        # "synonym" (a variant spelling or a code), "term" (another period's word for the same
        # thing) or "approximate" (another period's word with no equivalent here).
        self.index: dict[str, tuple[str, str, dict | None]] = {}
        for item in codelist["items"]:
            for synonym in item.get("synonyms", ()):
                self.index.setdefault(synonym, (item["label"], "synonym", None))
            self.index.setdefault(str(item["code"]), (item["label"], "synonym", None))
        for t in codelist.get("terms") or ():
            how = "approximate" if t.get("approximate") else "term"
            details = {"era": eras.get(t["era"], t["era"]), "note": t.get("note", "")}
            self.index.setdefault(t["term"], (t["label"], how, details))
        for item in codelist["items"]:
            self.index[item["label"]] = (item["label"], "", None)
        for name in extra:
            self.index.setdefault(name, (name, "", None))
        self.none_label = "无" if "无" in self.labels else None

    def resolve(self, text: str) -> tuple[str | None, str, dict | None]:
        """(label or None, how it was read, details of another period's term)."""
        hit = self.index.get(text)
        if hit is None:
            squeezed = text.translate(_NAME_SPACES).translate(FULLWIDTH_DIGITS)
            hit = self.index.get(squeezed)
            if hit is not None:
                return hit[0], hit[1] or "synonym", hit[2]
            return None, "", None
        return hit

    def suggestion(self, text: str) -> str:
        # 0.6: one shared character out of two (因懒 → 因病) is a guess, not a suggestion.
        import difflib  # only for a value that is not in the list

        close = difflib.get_close_matches(text, list(self.index), n=1, cutoff=0.6)
        if close:
            return f"是否应为“{self.index[close[0]][0]}”？"
        if self.open:
            return ""
        if len(self.labels) <= 16:
            return "可填：" + "、".join(self.labels) + "。"
        return ""

    def unknown(self, text: str) -> tuple:
        """The problem an unlisted item makes: an error, or in an open list a note (kept as typed)."""
        if self.open:
            return (R.CODE_OPEN, {"item": text, "codelist": self.title, "suggestion": self.suggestion(text)})
        return (R.CODE_UNKNOWN, {"item": text, "codelist": self.title, "suggestion": self.suggestion(text)})


def _read_as(item: str, label: str, how: str, details: dict | None) -> tuple | None:
    """The note about an item read as a label (None when it was the label itself)."""
    if how == "approximate":
        return (R.CODE_APPROXIMATE, {"item": item, "label": label, **(details or {})})
    if how == "term":
        return (R.CODE_SYNONYM, {"item": item, "label": label, "era": f"是{details['era']}的说法，"})
    if how:
        return (R.CODE_SYNONYM, {"item": item, "label": label, "era": ""})
    return None


_CODELISTS: dict[tuple[str, tuple[str, ...]], CodeList] = {}


def codelist(list_id: str, extra: tuple[str, ...] = ()) -> CodeList:
    key = (list_id, extra)
    if key not in _CODELISTS:
        _CODELISTS[key] = CodeList(standard.codelist(list_id), extra)
    return _CODELISTS[key]


def _extra(field: dict, settings: Settings | None) -> tuple[str, ...]:
    return settings.accepted(field["codelist"]) if settings is not None else ()


def _compile_code(col, field, today, settings=None):
    codes = codelist(field["codelist"], _extra(field, settings))

    def analyse(c):
        if isinstance(c, (dt.date, dt.time)):
            return None, ((R.DATE_CELL, {}),)
        text = cell_text(c)
        label, how, details = codes.resolve(text)
        if label is None:
            problem = codes.unknown(text)
            return (text if codes.open else None), (problem,)
        note = _read_as(text, label, how, details)
        return label, ((note,) if note else ())

    return _memoised(col, field, analyse)


_LIST_SEPARATORS = {ord(ch): "、" for ch in ",，;；\n\r"}


def _compile_codes(col, field, today, settings=None):
    codes = codelist(field["codelist"], _extra(field, settings))
    lo, hi = field.get("min_items"), field.get("max_items")
    required = bool(field.get("required"))

    def analyse(c):
        if isinstance(c, (dt.date, dt.time)):
            return None, ((R.DATE_CELL, {}),)
        items = [item.strip() for item in cell_text(c).translate(_LIST_SEPARATORS).split("、")]
        items = [item for item in items if item]
        if not items:  # only separators: as good as blank
            return (None, ((R.REQUIRED, {}),)) if required else (ABSENT, ())
        labels: list[str] = []
        approximated: set[str] = set()  # labels reached from a term with no equivalent
        problems = []
        failed = False
        for item in items:
            label, how, details = codes.resolve(item)
            if label is None:
                problems.append(codes.unknown(item))
                if not codes.open:
                    failed = True
                    continue
                label = item
            note = _read_as(item, label, how, details)
            if note:
                problems.append(note)
            if label in labels:
                # 缺资金、缺技术 both read as 其他: that is the reading, not a repetition.
                if how != "approximate" and label not in approximated:
                    problems.append((R.LIST_DUPLICATE, {"item": label}))
            else:
                labels.append(label)
            if how == "approximate":
                approximated.add(label)
        if not failed:
            n = len(labels)
            if (lo is not None and n < lo) or (hi is not None and n > hi):
                problems.append((R.LIST_COUNT, {"bounds": _item_bounds(lo, hi), "count": n}))
                failed = True
            if codes.none_label in labels and n > 1:
                problems.append((R.LIST_EXCLUSIVE, {"none": codes.none_label}))
                failed = True
        return (None if failed else tuple(labels)), tuple(problems)

    return _memoised(col, field, analyse)


_COMPILERS = {
    "text": _compile_text,
    "integer": _compile_integer,
    "money": _compile_money,
    "date": _compile_date,
    "month": _compile_month,
    "boolean": _compile_boolean,
    "code": _compile_code,
    "codes": _compile_codes,
    "id_number": _compile_id_number,
    "phone": _compile_phone,
}
