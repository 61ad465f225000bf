"""Stage-record rules on whole case files: order of dates, county decisions, references."""

from __future__ import annotations

import datetime as dt

from validator import api
from validator.builders.rule_examples import ID, STAGE_ROWS, apply_patch, history_tables, write_package

TODAY = dt.date(2020, 8, 10)
ALL_STAGES = {name: {} for name in STAGE_ROWS}


def _run(tmp_path, patch: dict, **kw) -> list[tuple]:
    folder = tmp_path / f"p{len(list(tmp_path.glob('p*')))}"  # a fresh folder per package
    path = write_package(folder, apply_patch(patch))
    report = api.validate(path, today=TODAY, **kw)
    return [(f["rule"], f["resource"], f["row"], f["field"]) for f in report["findings"]]


def test_full_case_file_is_clean(tmp_path):
    assert _run(tmp_path, ALL_STAGES) == []


def test_only_assistance_after_a_rejection_is_flagged(tmp_path):
    patch = ALL_STAGES | {
        "assessment": {"set": {"decision": "否定", "category": "", "meeting_date": "2020-05-20"}},
        "assistance": {
            "append": [{"measure": "就业扶持", "content": "推荐公益性岗位", "start_date": "2020-06-01"}]
        },
        "annex3": {
            "set": {"release_way": "县级研判否定", "measures_done": "", "income_per_capita_release": ""}
        },
    }
    found = _run(tmp_path, patch)
    assert ("G003", "assistance", 3, "start_date") in found
    assert not [f for f in found if f[0] == "G003" and f[2] == 2]  # 05-10 came before the meeting
    assert not [f for f in found if f[0] == "G004"]


def test_release_before_assistance_breaks_the_order(tmp_path):
    patch = ALL_STAGES | {"annex3": {"set": {"release_date": "2020-05-05"}}}
    assert ("G002", "annex3", 2, "release_date") in _run(tmp_path, patch)


def test_screening_not_listed_ends_the_case_without_a_warning(tmp_path):
    extra = dict(STAGE_ROWS["screening"][0], seq="2", head_id=ID["spare_1"], listed="否")
    assert _run(tmp_path, ALL_STAGES | {"screening": {"append": [extra]}}) == []
    extra["listed"] = "是"
    found = _run(tmp_path, ALL_STAGES | {"screening": {"append": [extra]}})
    assert found == [("G001", "screening", 3, "head_id")]


def test_history_supplies_the_county_decision(tmp_path):
    # the second release (风险自然消除) was confirmed in an earlier month's assessment table
    patch = {
        "assessment": {},
        "annex3": {"set": {"release_way": "风险自然消除", "income_per_capita_release": "9000"}, "row": 2},
    }
    assert ("G005", "annex3", 3, "release_way") in _run(tmp_path, patch)
    history = tmp_path / "history"
    confirmed = dict(STAGE_ROWS["assessment"][0], head_id=ID["a3_2"])
    write_package(history / "2020-05", history_tables({"assessment": [confirmed]}))
    found = _run(tmp_path, patch, history=history)
    assert not [f for f in found if f[0] == "G005"]
    # …and a rejection recorded earlier makes a 帮扶消除 release inconsistent
    rejected = dict(confirmed, head_id=ID["a3_1"], decision="否定", category="")
    write_package(history / "2020-06", history_tables({"assessment": [rejected]}))
    found = _run(tmp_path, {"screening": {}}, history=history)
    assert ("G004", "annex3", 2, "release_way") in found


def test_stage_record_known_only_from_history_is_not_unknown(tmp_path):
    patch = {"screening": {"set": {"head_id": ID["spare_1"]}}}
    assert ("G001", "screening", 2, "head_id") in _run(tmp_path, patch)
    history = tmp_path / "history"
    write_package(history / "2020-06", history_tables({"annex2": [{"head_id": ID["spare_1"]}]}))
    assert not [f for f in _run(tmp_path, patch, history=history) if f[0] == "G001"]
