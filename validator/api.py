"""The Python API: validate a package from paths or from in-memory files, get the report dict.

Core only (stdlib, openpyxl, chinesecalendar), so the same calls run in the browser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from validator.engine import validate_package
from validator.reading import open_files, open_package
from validator.reading.history import load_history, load_roster
from validator.settings import Settings, resolve
from validator.tables import History, InputError


def validate(
    paths: str | Path | list[str | Path],
    *,
    history: str | Path | History | None = None,
    roster: str | Path | Iterable[str] | None = None,
    today: dt.date | None = None,
    show_personal_data: bool = False,
    name: str | None = None,
    stage: str = "draft",
    settings: str | Path | Settings | tuple[str, bytes] | None = None,
    history_label: str | None = None,
) -> dict:
    """Validate a package (folder, .zip, .xlsx or CSV files). Raises `InputError` when unreadable.

    `history`: a folder of earlier accepted packages, or a loaded `tables.History` (the county
    ledger's, `validator.ledger.queries.history`; `history_label` then says where it came from
    in the report); `roster`: a CSV/.xlsx of 建档立卡 ID
    numbers (or the numbers themselves); `today` defaults to the real date; `name` is what the
    report calls the package (default: the paths as given). `stage`: "draft" (default; the
    township's self-check before stamping) or "submit" (what is submitted: not stamped and late
    are errors). `settings`: a county settings file (path, or (file name, bytes)) or a
    `validator.settings.Settings`; the built-in settings when None. A settings file that cannot be
    used raises `validator.settings.SettingsError` (an `InputError`).
    """
    today = today or dt.date.today()
    if isinstance(paths, str | Path):
        paths = [paths]
    loaded = history if isinstance(history, History) else None
    if loaded is not None:
        history = None
    for path in [*paths, history, roster if isinstance(roster, str | Path) else None]:
        if path is not None:
            _refuse_special(Path(path))
    used = resolve(settings)
    package = open_package(list(paths), name=name)
    earlier = load_history(history, today=today, settings=used) if history is not None else loaded
    listed = load_roster(roster, today=today) if roster is not None else None
    options = {
        "history": str(history)
        if history is not None
        else ((history_label or "台账") if loaded is not None else None),
        "roster": str(roster) if isinstance(roster, str | Path) else ("名单" if roster is not None else None),
    }
    return validate_package(
        package,
        today=today,
        history=earlier,
        roster=listed,
        show_personal_data=show_personal_data,
        options=options,
        stage=stage,
        settings=used,
    )


def _refuse_special(path: Path) -> None:
    """A named pipe, device or socket would block or never end: only files and folders are read."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing: the reader says so in its own words
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(f"{path} 不是普通文件或文件夹（可能是命名管道或设备），fpjc 只读取文件和文件夹")


def validate_files(
    files: list[tuple[str, bytes]],
    *,
    today: dt.date | None = None,
    show_personal_data: bool = False,
    name: str | None = None,
    stage: str = "draft",
    settings: Settings | tuple[str, bytes] | None = None,
) -> dict:
    """Validate a package handed over as (file name, bytes) pairs, as the browser does.

    `stage` and `settings` as for `validate`; the browser passes a county settings file as
    (file name, bytes).
    """
    used = resolve(settings)
    package = open_files(list(files), name=name)
    return validate_package(
        package,
        today=today or dt.date.today(),
        show_personal_data=show_personal_data,
        stage=stage,
        settings=used,
    )
