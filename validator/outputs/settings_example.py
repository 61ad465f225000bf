"""A county settings file to start from (县设置样例.json), given out with the templates.

The county office copies it, fills in what it decides (a year's monitoring line, rolling a
deadline forward, next year's holidays, its own 研判 departments) and hands it to every township;
`fpjc validate --settings`, `fpjc rollup --settings` and the online checker read it. No figure in
it is invented: a year without a published line stays null.
"""

from __future__ import annotations

from pathlib import Path

from validator import published, standard

FILE_NAME = "县设置样例.json"


def county_settings_example() -> dict:
    """A county settings file to start from: the rows a county most often changes, with no
    invented figure (a year without a published line stays null)."""
    std = standard.load()
    built = std["settings"]
    missing = [r for r in built["monitoring_line"]["rows"] if r.get("amount") is None]
    return {
        "$schema": published.schema_id(std, "settings.schema.json"),
        "version": "2026-11",
        "description": "鹤庆县县设置文件（样例）：只写要改动的行，其余沿用内置设置。",
        "monitoring_line": {
            "rows": [
                {
                    "year": r["year"],
                    "amount": None,
                    "source": "填写省里公布该年度监测范围的文件名称和文号，再把 amount 改为该年的金额（元）",
                }
                for r in missing[-1:]
            ]
        },
        "deadline": {
            "rows": [
                {
                    "key": "roll_forward",
                    "value": False,
                    "source": "县里决定截止日遇节假日顺延时改为 true，并写明决定的文件",
                },
                {
                    "key": "measure_months",
                    "value": 1,
                    "source": "认定后几个月内须落实帮扶措施（台账的逾期事项用它）；县里另有规定时改为规定的月数，并写明文件",
                },
            ]
        },
        "holiday_overrides": {
            "rows": [],
        },
        "departments": {
            "rows": [{"name": "人社", "source": "县人力资源和社会保障局每月参加研判"}],
        },
    }


def write_settings_example(out_dir: str | Path) -> Path:
    """Write 县设置样例.json into `out_dir` (created if needed) and return its path."""
    path = Path(out_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(published.dump_json(county_settings_example()), encoding="utf-8", newline="\n")
    return path
