"""Masking of personal data (SPEC §7)."""

from __future__ import annotations

import pytest

from validator.values.mask import mask, mask_text


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("id_number", "53293219850315123X", "532932********123X"),
        ("id_number", "532932198503150011", "532932********0011"),
        ("id_number", "532932850315001", "532932*****5001"),
        ("id_number", "53293219", "532***19"),
        ("id_number", "12345", "*****"),
        ("name", "张三", "张*"),
        ("name", "杨丽华", "杨**"),
        ("name", "欧阳娜娜", "欧阳**"),
        ("name", "欧阳娜", "欧阳*"),
        ("name", "欧阳", "欧*"),
        ("name", "阿依古丽·买买提", "阿***·***"),
        ("name", "张", "*"),
        ("phone", "13812341234", "138****1234"),
        ("phone", "0872-1234567", "0872-***4567"),
        ("phone", "0872 1234567", "0872 ***4567"),
        ("phone", "138 1234 5678", "138 **** 5678"),
        ("phone", "123", "***"),
    ],
)
def test_masks(kind, value, masked):
    assert mask(kind, value) == masked


def test_mask_never_shows_the_middle_of_an_id():
    masked = mask("id_number", "532932198503150011")
    assert "19850315" not in masked and len(masked) == 18


def test_blank_and_unknown_kind():
    assert mask("name", None) == ""
    assert mask("phone", "  ") == ""
    with pytest.raises(ValueError):
        mask("address", "云鹤镇")


def test_mask_text_replaces_the_value_in_a_message():
    text = "户主身份证号 532932198503150011 与第5行重复"
    assert mask_text(text, "id_number", "532932198503150011") == "户主身份证号 532932********0011 与第5行重复"
    assert mask_text(text, "name", "李四") == text


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        # Fuzz case 8169: a whole record in a phone cell kept everything before its first space.
        ("phone", ",欧阳娜娜,序号 532932197304188485,18261913411", "*" * 39),
        ("phone", "13812345678 13912345678", "138******** *******5678"),
        ("phone", "13812345678、13912345678", "138********、*******5678"),
        ("id_number", "欧阳娜娜532932197304188485xx", "*" * 24),
        ("id_number", "5.32932E+17", "5.3******17"),
    ],
)
def test_a_cell_that_is_not_shaped_like_its_kind_is_starred_out(kind, value, masked):
    assert mask(kind, value) == masked
