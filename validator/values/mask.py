"""Masking of personal data: names, ID numbers and phone numbers.

Reports show personal values masked unless the user explicitly asks otherwise, so a report
can be mailed to the county or pasted into a chat without leaking who is on the list. The
masks keep just enough for a clerk to find the row again: the address code and the last four
characters of an ID, the surname, the last four digits of a phone.
"""

from __future__ import annotations

import re

KINDS = ("name", "id_number", "phone")

# Two-character surnames: keeping only their first character would look like a different name.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 西门 "
    "万俟 轩辕 呼延 申屠 澹台 公冶 太叔 闻人 赫连 钟离 宗政 濮阳 淳于 单于 拓跋 完颜 百里 东郭 "
    "段干 左丘 司空 亓官 司寇 第五".split()
)
_NAME_SEPARATORS = frozenset("·•・‧.．")


def mask(kind: str, value: object) -> str:
    """Mask one personal value of the given kind (name, id_number, phone)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return text
    if kind == "id_number":
        return _mask_id(text)
    if kind == "phone":
        return _mask_phone(text)
    if kind == "name":
        return _mask_name(text)
    raise ValueError(f"unknown personal data kind: {kind}")


def mask_text(text: str, kind: str, value: object) -> str:
    """Replace every occurrence of `value` inside `text` by its mask (for messages that quote it)."""
    raw = "" if value is None else str(value).strip()
    if not raw or raw not in text:
        return text
    return text.replace(raw, mask(kind, raw))


def _mask_id(text: str) -> str:
    n = len(text)
    if n >= 15:  # 18-digit IDs and 15-digit legacy ones: address code + last four
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n >= 8:
        return text[:3] + "*" * (n - 5) + text[-2:]
    return "*" * n


def _mask_phone(text: str) -> str:
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7:
        return "*" * len(text)
    # Keep an area code written before a separator (0872-), then star all digits but the
    # last four, so 13812341234 -> 138****1234 and 0872-1234567 -> 0872-***4567.
    head = 0
    for sep in "-－ ":
        if sep in text:
            head = text.index(sep) + 1
            break
    if head == 0:
        head = 3 if digits >= 10 else 0
    out = list(text)
    seen = 0
    for i in range(len(text) - 1, head - 1, -1):
        if out[i].isdigit():
            seen += 1
            if seen > 4:
                out[i] = "*"
    return "".join(out)


def _mask_name(text: str) -> str:
    keep = 2 if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES else 1
    if len(text) <= keep:
        return text[0] + "*" if len(text) > 1 else "*"
    # Separator dots in minority names stay visible: they carry no identity.
    return text[:keep] + "".join(ch if ch in _NAME_SEPARATORS else "*" for ch in text[keep:])


# ID and mobile numbers that turn up where no personal data is expected: a row shifted by a
# column, or a quote left open that pulls the following lines into one cell.
_ID_LIKE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
_MOBILE_LIKE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def scrub(text: str) -> str:
    """Mask every ID-number-like and mobile-number-like run of digits inside free text."""
    if len(text) < 11:
        return text
    text = _ID_LIKE.sub(lambda m: _mask_id(m.group()), text)
    return _MOBILE_LIKE.sub(lambda m: _mask_phone(m.group()), text)
