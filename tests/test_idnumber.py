"""Resident ID numbers (SPEC §6): check digits, birth dates, normalisation, lost digits."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from validator.values.idnumber import WEIGHTS, check_digit, check_id, fast_check_digit

TODAY = dt.date(2020, 8, 10)
VALID = "11010519491231002X"  # the worked example of GB 11643-1999
VALID_DIGIT = "532932198503150011"


def codes(problems):
    return [code for code, _ in problems]


def reference_check_digit(first17: str) -> str:
    """Straight from the standard: weights 2**(17-i) mod 11, remainder → 1 0 X 9 8 7 6 5 4 3 2."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def random_valid_id(rnd: random.Random) -> str:
    born = dt.date(1920, 1, 1) + dt.timedelta(days=rnd.randrange(36000))
    body = f"{rnd.randrange(110000, 659999)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return body + reference_check_digit(body)


def test_weights_are_powers_of_two_mod_11():
    assert WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))


def test_known_valid_numbers():
    assert check_id(VALID, TODAY) == (VALID, [])
    assert check_id(VALID_DIGIT, TODAY) == (VALID_DIGIT, [])


def test_check_digit_functions_agree_with_the_standard():
    rnd = random.Random(11643)
    for _ in range(5000):
        body = "".join(rnd.choice("0123456789") for _ in range(17))
        assert check_digit(body) == fast_check_digit(body) == reference_check_digit(body)


def test_generated_ids_pass_and_any_single_digit_change_fails():
    rnd = random.Random(2020)
    for _ in range(500):
        number = random_valid_id(rnd)
        assert check_id(number, TODAY) == (number, [])
        pos = rnd.choice([i for i in range(17) if not 6 <= i < 14])  # outside the birth date
        old = number[pos]
        new = rnd.choice([d for d in "0123456789" if d != old])
        mutated = number[:pos] + new + number[pos + 1 :]
        value, problems = check_id(mutated, TODAY)
        assert value is None
        assert codes(problems) == ["check_digit"]
        assert problems[0][1]["expected"] == reference_check_digit(mutated[:17])


def test_any_change_in_the_birth_date_is_caught():
    rnd = random.Random(7064)
    for _ in range(300):
        number = random_valid_id(rnd)
        pos = rnd.randrange(6, 14)
        new = rnd.choice([d for d in "0123456789" if d != number[pos]])
        value, problems = check_id(number[:pos] + new + number[pos + 1 :], TODAY)
        assert value is None
        assert codes(problems)[-1] in {"check_digit", "birth_date", "birth_future"}


def test_adjacent_transpositions_are_caught():
    rnd = random.Random(5)
    for _ in range(300):
        number = random_valid_id(rnd)
        pos = rnd.choice([i for i in range(16) if number[i] != number[i + 1]])
        swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
        assert check_id(swapped, TODAY)[0] is None


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("11010519491231002x", VALID),
        ("１１０１０５１９４９１２３１００２Ｘ", VALID),
        ("110105 19491231 002X", VALID),
        ("110105\u300019491231002X", VALID),
        ("'11010519491231002X", VALID),
    ],
)
def test_normalisation_is_accepted_with_a_note(typed, normalised):
    value, problems = check_id(typed, TODAY)
    assert value == normalised
    assert codes(problems) == ["normalised"]


def test_surrounding_spaces_are_not_a_normalisation():
    assert check_id("  532932198503150011 ", TODAY) == ("532932198503150011", [])


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        (532932198503150011, "numeric_cell"),
        (5.32932198503150e17, "numeric_cell"),
        ("5.32932E+17", "scientific"),
        ("5.32932198503e+17", "scientific"),
        ("532932850315001", "legacy15"),
        ("53293219850315001", "length"),
        ("5329321985031500111", "length"),
        ("53293219850315O011", "characters"),
        ("532932-19850315-001", "characters"),
        ("X32932198503150011", "characters"),
        ("532932202002300017", "birth_date"),
        ("532932189912310016", "birth_date"),
        ("532932209901010019", "birth_future"),
        ("532932198503150012", "check_digit"),
    ],
)
def test_problems(cell, code):
    value, problems = check_id(cell, TODAY)
    assert value is None
    assert codes(problems)[-1] == code


def test_birth_date_today_is_fine_and_tomorrow_is_not():
    body = f"532932{TODAY:%Y%m%d}001"
    assert check_id(body + check_digit(body), TODAY)[0] is not None
    tomorrow = TODAY + dt.timedelta(days=1)
    body = f"532932{tomorrow:%Y%m%d}001"
    assert codes(check_id(body + check_digit(body), TODAY)[1]) == ["birth_future"]


def test_leap_day():
    for year, ok in ((2000, True), (1996, True), (1900, False), (1999, False)):
        body = f"532932{year}0229001"
        value, problems = check_id(body + check_digit(body), TODAY)
        assert (value is not None) == ok, (year, problems)


def test_normalisation_is_reported_together_with_a_later_error():
    value, problems = check_id("110105 19491231 0021", TODAY)
    assert value is None
    assert codes(problems) == ["normalised", "check_digit"]
