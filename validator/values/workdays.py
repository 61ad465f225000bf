"""Working days in mainland China: statutory holidays and 调休 make-up working days.

The source is `chinesecalendar` (State Council holiday notices, one year at a time), corrected
or extended by the holiday overrides of the run's settings (`validator.settings`), so a county
can add next year's notice without a code release. For a year neither covers, Monday–Friday is
assumed and the fallback is recorded, so the report can say which dates were judged on a guess.
"""

from __future__ import annotations

import datetime as dt

try:  # the browser build ships it as a pure wheel; a missing package must not break the core
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - exercised only in a broken install
    _cc = None


class Workdays:
    """A working-day calendar that remembers which years fell back to Monday–Friday."""

    def __init__(self, overrides: list[dict] | None = None):
        """`overrides`: rows {"date", "kind": holiday | workday}, e.g. `Settings.holiday_rows()`."""
        rows = overrides or []
        self.overrides: dict[dt.date, bool] = {}
        for r in rows:
            day = r["date"] if isinstance(r["date"], dt.date) else dt.date.fromisoformat(str(r["date"]))
            self.overrides[day] = r["kind"] == "workday"
        self.override_years = {d.year for d in self.overrides}
        self.fallback_years: set[int] = set()
        self._cache: dict[dt.date, bool] = {}
        self._added: dict[tuple[dt.date, int], dt.date] = {}  # rows share few distinct dates

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        hit = self._cache.get(day)
        if hit is None:
            hit = self._cache[day] = self._lookup(day)
        return hit

    def _lookup(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if _cc is not None:
            try:
                # Overrides correct single days; the rest of a covered year stays as published.
                return bool(_cc.is_workday(day))
            except NotImplementedError:
                pass
        if day.year not in self.override_years:
            self.fallback_years.add(day.year)
        # A year past the data: the county's rows are that year's notice, other days follow the week.
        return day.weekday() < 5

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The date that is the n-th working day after `day` (n ≥ 0; 0 gives `day` itself)."""
        hit = self._added.get((day, n))
        if hit is None:
            hit = self._added[(day, n)] = self._add(day, n)
        return hit

    def _add(self, day: dt.date, n: int) -> dt.date:
        current = day
        while n > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def deadline_for(
        self, report_month: dt.date, *, day_of_month: int = 5, roll_forward: bool = False
    ) -> dt.date:
        """The last day (inclusive) to submit the report of `report_month`: `day_of_month` of the
        next month, moved to the next working day only when `roll_forward` says so."""
        year, month = (
            (report_month.year + 1, 1)
            if report_month.month == 12
            else (report_month.year, report_month.month + 1)
        )
        day = dt.date(year, month, int(day_of_month))
        if roll_forward:
            day = self.next_workday_on_or_after(day)
        return day

    def source_info(self) -> dict:
        """What the report says about the calendar used (report["calendar"])."""
        first, last = data_range()
        info = {
            "source": "chinesecalendar" if _cc is not None else "星期一至星期五（未安装 chinesecalendar）",
            "version": getattr(_cc, "__version__", None) if _cc is not None else None,
            "years": [first, last] if first else None,
            "overrides": len(self.overrides),
            "fallback_years": sorted(self.fallback_years),
        }
        if self.fallback_years:
            years = "、".join(str(y) for y in sorted(self.fallback_years))
            info["note"] = (
                f"{years}年不在节假日数据范围内，按星期一至星期五为工作日计算；"
                "请县扶贫办在县设置文件的节假日补充（holiday_overrides）中补上当年的放假安排。"
            )
        return info


def data_range() -> tuple[int | None, int | None]:
    """First and last year chinesecalendar has holiday data for."""
    if _cc is None:
        return None, None
    years = [d.year for d in _cc.holidays] + [d.year for d in _cc.workdays]
    return min(years), max(years)
