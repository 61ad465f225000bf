"""Working days: statutory holidays, 调休 make-up days, county overrides, Monday–Friday fallback."""

from __future__ import annotations

import datetime as dt

from validator.values.workdays import Workdays, data_range

D = dt.date


def test_statutory_holidays_and_make_up_days():
    cal = Workdays(overrides=[])
    assert not cal.is_workday(D(2020, 10, 1))  # 国庆节
    assert not cal.is_workday(D(2020, 10, 5))  # 国庆、中秋连休
    assert cal.is_workday(D(2020, 10, 10))  # Saturday, 调休上班
    assert cal.is_workday(D(2020, 9, 27))  # Sunday, 调休上班
    assert not cal.is_workday(D(2020, 7, 11))  # an ordinary Saturday
    assert cal.is_workday(D(2020, 7, 13))
    assert cal.fallback_years == set()


def test_add_workdays_skips_the_national_day_week():
    cal = Workdays(overrides=[])
    # 9-29, 9-30, 10-9, 10-10 (Sat, make-up), 10-12, 10-13, 10-14
    assert cal.add_workdays(D(2020, 9, 28), 7) == D(2020, 10, 14)
    assert cal.workdays_between(D(2020, 9, 28), D(2020, 10, 12)) == 5
    assert cal.workdays_between(D(2020, 10, 12), D(2020, 9, 28)) == -5
    assert cal.add_workdays(D(2020, 7, 10), 0) == D(2020, 7, 10)


def test_the_deadline_is_the_5th_as_the_notice_says():
    # "每月5日前": the 5th itself, holiday or not, unless the county decides to roll forward.
    cal = Workdays(overrides=[])
    assert cal.deadline_for(D(2020, 7, 1)) == D(2020, 8, 5)  # Wednesday
    assert cal.deadline_for(D(2020, 9, 1)) == D(2020, 10, 5)  # in the National Day holiday
    assert cal.deadline_for(D(2020, 11, 1)) == D(2020, 12, 5)  # a Saturday
    assert cal.deadline_for(D(2020, 12, 1)) == D(2021, 1, 5)  # across the year end
    assert cal.deadline_for(D(2020, 7, 1), day_of_month=10) == D(2020, 8, 10)


def test_deadline_rolls_forward_over_holidays_and_weekends_when_the_county_says_so():
    cal = Workdays(overrides=[])
    roll = {"roll_forward": True}
    assert cal.deadline_for(D(2020, 7, 1), **roll) == D(2020, 8, 5)  # Wednesday
    assert cal.deadline_for(D(2020, 9, 1), **roll) == D(2020, 10, 9)  # 10-5 in the National Day holiday
    assert cal.deadline_for(D(2020, 12, 1), **roll) == D(2021, 1, 5)  # across the year end
    assert cal.deadline_for(D(2020, 3, 1), **roll) == D(2020, 4, 7)  # 4-4..4-6 清明
    assert cal.deadline_for(D(2020, 11, 1), **roll) == D(2020, 12, 7)  # 12-5 is a Saturday


def test_past_the_data_the_calendar_falls_back_and_says_so():
    cal = Workdays(overrides=[])
    last = data_range()[1]
    year = last + 1
    monday = next(D(year, 1, d) for d in range(1, 8) if D(year, 1, d).weekday() == 0)
    assert cal.is_workday(monday)
    assert not cal.is_workday(monday + dt.timedelta(days=5))
    assert cal.fallback_years == {year}
    info = cal.source_info()
    assert info["fallback_years"] == [year]
    assert str(year) in info["note"]


def test_overrides_correct_and_extend_the_calendar():
    cal = Workdays(
        overrides=[
            {"date": "2020-07-13", "kind": "holiday", "source": "测试"},
            {"date": "2020-07-11", "kind": "workday", "source": "测试"},
        ]
    )
    assert not cal.is_workday(D(2020, 7, 13))
    assert cal.is_workday(D(2020, 7, 11))
    # a year the county entered itself is not a fallback
    far = Workdays(overrides=[{"date": "2031-01-01", "kind": "holiday", "source": "测试"}])
    assert not far.is_workday(D(2031, 1, 1))
    assert far.is_workday(D(2031, 1, 2))
    assert far.fallback_years == set()
    assert far.source_info()["overrides"] == 1
