"""Chinese resident ID numbers (GB 11643—1999), usable on their own.

An ID has 18 characters: a 6-digit address code, the birth date YYYYMMDD, a 3-digit sequence
and a check character by ISO 7064 MOD 11-2. `check_id` normalises what clerks commonly type
(full-width digits, spaces, a lower-case x) and explains every problem it finds; the field
checks turn the problem codes into findings.
"""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
EARLIEST_BIRTH_YEAR = 1900

# Problem codes returned by check_id; "normalised" is the only one that still yields a value.
PROBLEMS = (
    "numeric_cell",  # the cell is an Excel number: digits may be lost
    "scientific",  # text like 5.32932E+17: digits were lost when the cell was a number
    "legacy15",  # a first-generation 15-digit number
    "length",  # not 18 characters
    "characters",  # something other than digits (and X at the end)
    "birth_date",  # characters 7-14 are not a real date
    "birth_future",  # the birth date lies after the report's day
    "check_digit",  # the 18th character does not match
    "normalised",  # accepted after removing spaces / converting full-width or lower-case characters
)

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update({ord("Ｘ"): ord("X"), ord("ｘ"): ord("X"), ord("x"): ord("X")})
_SPACES = {ord(ch): None for ch in " \t\u3000\u00a0\u2002\u2003\u2009\u200b"}
_NORMALISE = {**_FULLWIDTH, **_SPACES, ord("'"): None, ord("‘"): None, ord("’"): None}
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]*)?[eE][+]?[0-9]+")


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return CHECK_CHARS[sum(w * int(d) for w, d in zip(WEIGHTS, first17, strict=True)) % 11]


def fast_check_digit(first17: str) -> str:
    """Same as `check_digit`, in one C call: the caller guarantees 17 ASCII digits.

    The MOD 11-2 weights are 2**(17-i) mod 11; 13 ≡ 2 (mod 11), so reading the digits in base
    13 and doubling gives the same weighted sum modulo 11.
    """
    return CHECK_CHARS[int(first17, 13) * 2 % 11]


def birth_date(number: str) -> dt.date | None:
    """The birth date encoded in an 18-digit number, or None when it is not a real date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_id(value: object, today: dt.date | None = None) -> tuple[str | None, list[tuple[str, dict]]]:
    """Check one ID cell; returns (normalised 18-char ID or None, [(problem code, params), ...]).

    The value is returned only when no problem other than "normalised" was found.
    """
    if isinstance(value, bool) or value is None:
        return None, [("characters", {})]
    if isinstance(value, (int, float)):
        return None, [("numeric_cell", {"number": _number_text(value)})]
    text = str(value).strip()
    problems: list[tuple[str, dict]] = []
    if _SCIENTIFIC.fullmatch(text):
        return None, [("scientific", {})]
    norm = text.translate(_NORMALISE)
    if norm != text:
        problems.append(("normalised", {"normalised": norm}))
    if len(norm) == 15 and norm.isascii() and norm.isdigit():
        return None, [*problems, ("legacy15", {})]
    body, last = norm[:-1], norm[-1:]
    if not (norm.isascii() and (body.isdigit() or not body) and (last == "X" or last.isdigit())):
        return None, [*problems, ("characters", {})]
    if len(norm) != 18:
        return None, [*problems, ("length", {"length": len(norm)})]
    born = birth_date(norm)
    if born is None or born.year < EARLIEST_BIRTH_YEAR:
        return None, [*problems, ("birth_date", {"birth": norm[6:14]})]
    if born > (today or dt.date.today()):
        return None, [*problems, ("birth_future", {"birth": born.isoformat()})]
    expected = fast_check_digit(body)
    if last != expected:
        return None, [*problems, ("check_digit", {"expected": expected, "found": last})]
    return norm, problems


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def household_key(head_id: str) -> int:
    """A small int standing for a normalised 18-character ID (a str costs ~3× the memory)."""
    return int(head_id[:17]) * 11 + _KEY_CHARS.index(head_id[17])


_KEY_CHARS = "0123456789X"  # the check character's value in `household_key`
