"""What the county commands share: taking in a month's folder of township packages.

`take_in` runs the county core's `intake.check_package` on every package of a folder, in
parallel processes when there are several (`--jobs`, default: the machine's cores), and rolls
the results up in the folder's order, so the output is the same for any number of processes.
When asked it writes, per township, the folder that goes back to it: each package's HTML
report and annotated workbook, side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from validator.commands.common import UsageError

UNREADABLE_FOLDER = "无法读取"
# What `write_reports` puts in a township's folder: how a reports folder is recognised as ours.
REPORT_SUFFIXES = (".校验报告.html", ".校验结果.xlsx", ".无法读取.txt")


def declare_month(
    files,
    folder: Path,
    *,
    label: str = "本月报送包文件夹",
    history: str | None = None,
    roster: str | None = None,
    settings: str | None = None,
    outputs: tuple[Path | None, ...] = (),
    reports: Path | None = None,
) -> tuple[Path, ...]:
    """Declare the reads of a month's intake in `files` (`paths.RunFiles`); the paths to leave out.

    The month folder is listed, not read as a whole: each township's package in it is declared
    one by one, so the county's own outputs may sit beside them but never in or over one. An
    output with a package's suffix (.xlsx, .zip) is never taken for ours (it would be read as a
    package; a county record among them is recognised and left out of the meeting), and a
    reports folder is ours only while it holds nothing but what `write_reports` writes.
    """
    from validator.county.intake import PACKAGE_SUFFIXES, find_packages
    from validator.tables import InputError

    files.read(label, folder, record=False)
    if not folder.is_dir():
        raise UsageError(
            f"{folder} 不是文件夹；这里要的是存放本月各乡镇报送包的文件夹，单个报送包请用 fpjc validate"
        )
    exclude = [
        files.read(what, given)
        for what, given in (
            ("历史报送包（--history）", history),
            ("建档立卡名单（--roster）", roster),
            ("县设置文件（--settings）", settings),
        )
        if given
    ]
    exclude += [p for p in outputs if p is not None and p.suffix.lower() not in PACKAGE_SUFFIXES]
    if reports is not None and only_our_reports(reports):
        exclude.append(reports)
    try:
        entries, _ignored = find_packages(folder, exclude=tuple(exclude))
    except InputError as exc:
        raise UsageError(str(exc)) from None
    for entry in entries:  # every township's package is read: none may be written over or into
        files.read("乡镇报送包", entry)
    return tuple(exclude)


def only_our_reports(folder: Path) -> bool:
    """Whether `folder` is missing, empty or holds nothing but the per-township folders of reports."""
    if not folder.is_dir():
        return not folder.exists()
    try:
        return all(
            sub.is_dir() and all(p.is_file() and p.name.endswith(REPORT_SUFFIXES) for p in sub.iterdir())
            for sub in folder.iterdir()
        )
    except OSError:
        return False


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def add_intake_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="汇总哪个报告月份（默认：多数报送包所报的月份）；其他月份的报送包列出但不计入",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=int,
        default=None,
        help=f"同时校验几个报送包（并行进程数，默认为本机的处理器核数，本机为 {default_jobs()}）；结果与 --jobs 1 完全相同",
    )


def parse_month(text: str | None) -> str | None:
    if text is None:
        return None
    import re

    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month 的月份“{text}”不对，请写成 YYYY-MM，例如 2020-07")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def parse_jobs(value: int | None) -> int:
    if value is None:
        return default_jobs()
    if value < 1:
        raise UsageError(f"--jobs 应是不小于 1 的整数，这里是 {value}")
    return value


@dataclass(frozen=True)
class Job:
    """Everything a worker process needs; sent once to each worker."""

    today: dt.date
    history: object  # tables.History or None, loaded once in the parent
    roster: object  # tables.Roster or None
    options: dict
    keep_rows: bool
    reports: Path | None  # where the per-township folders go, or None
    stage: str = "submit"
    settings: object = None  # validator.settings.Settings
    reads: tuple = ()  # the run's declared reads (`paths.RunFiles.reads`), guarded in every worker


_job: Job | None = None
_files = None  # the run's `paths.RunFiles` in this process


def _init(job: Job, files=None) -> None:
    """Set up a process for `_work`; a worker process guards the parent's declared reads itself."""
    global _job, _files
    _job = job
    if files is None:
        from validator.commands.paths import RunFiles

        files = RunFiles()
        files.reads = list(job.reads)
        files.start()
    _files = files


def _work(entry: Path):
    """One package, in whichever process: its intake, and its reports when asked."""
    from validator.county.intake import check_package

    job = _job
    result = check_package(
        entry,
        name=entry.name,
        today=job.today,
        history=job.history,
        roster=job.roster,
        options=job.options,
        keep_rows=job.keep_rows,
        stage=job.stage,
        settings=job.settings,
    )
    if job.reports is not None:
        result.item["returned_to"] = write_reports(_files, job.reports, entry, result)
    result.report = None  # written where it belongs; not carried back between processes
    return result


def write_reports(files, reports: Path, entry: Path, result) -> str | None:
    """The package's HTML report and annotated copy in its township's folder; the folder's name.

    An unreadable package gets a short text file saying why, in the folder 无法读取. A county
    record that was put among the packages gets nothing: it is not a township's. File names
    carry the package's name as a masked report shows it; every file is written through
    `files` (never over a declared read, a whole file or nothing).
    """
    from validator.values.mask import file_name_safe

    item = result.item
    if item.get("county_record"):
        return None
    stem = file_name_safe(item["entry"])
    if not item["readable"]:
        files.write_text(
            reports / UNREADABLE_FOLDER / f"{stem}{REPORT_SUFFIXES[2]}",
            f"{item['entry']} 无法读取，没有校验：\n{item['problem']}\n请重新导出或重新压缩后再报送。\n",
        )
        return UNREADABLE_FOLDER
    from validator.county.rollup import UNKNOWN_TOWNSHIP
    from validator.render.html import render_html
    from validator.render.xlsx import AnnotateError, annotated_bytes

    name = item["township"] or UNKNOWN_TOWNSHIP
    folder = reports / name
    files.write_text(folder / f"{stem}{REPORT_SUFFIXES[0]}", render_html(result.report))
    try:
        data = annotated_bytes(entry, result.report)
    except AnnotateError as exc:
        item["annotate_problem"] = str(exc)
    else:
        files.write_bytes(folder / f"{stem}{REPORT_SUFFIXES[1]}", data)
    return name


def take_in(
    folder: Path,
    *,
    today: dt.date | None,
    history: str | None,
    roster: str | None,
    month: str | None,
    jobs: int,
    exclude: tuple[Path, ...] = (),
    reports: Path | None = None,
    keep_rows: bool = False,
    stage: str = "submit",
    settings=None,
    files=None,
):
    """(roll-up, intake results in folder order) of every package in `folder`.

    `files` is the run's `paths.RunFiles` (reads declared with `declare_month`); the reports
    are written through it, in this process and in every worker.

    Raises `InputError` when the folder, the history or the roster cannot be read; an
    unreadable package is a line of the roll-up, not an exception.
    """
    from validator.county.intake import find_packages
    from validator.county.rollup import load_checks, summarise
    from validator.settings import builtin

    today = today or dt.date.today()
    settings = settings or builtin()
    entries, ignored = find_packages(folder, exclude=exclude)
    earlier, listed, options = load_checks(history, roster, today=today, settings=settings)
    job = Job(
        today=today,
        history=earlier,
        roster=listed,
        options=options,
        keep_rows=keep_rows,
        reports=reports,
        stage=stage,
        settings=settings,
        reads=tuple(files.reads) if files is not None else (),
    )
    if files is None:
        from validator.commands.paths import RunFiles

        files = RunFiles()
    jobs = min(jobs, len(entries))
    if jobs <= 1:
        _init(job, files)
        results = [_work(e) for e in entries]
    else:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from validator.tables import InputError

        # Several packages per task keep the processes busy without a round trip per package;
        # map() returns the results in the folder's order whatever finishes first.
        chunk = max(1, len(entries) // (jobs * 8))
        try:
            with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(job,)) as pool:
                results = list(pool.map(_work, entries, chunksize=chunk))
        except BrokenProcessPool:
            raise InputError(
                "并行校验的工作进程意外退出（可能是内存不足，或某个报送包异常）。"
                "请加 --jobs 1 重试，逐个校验可找出是哪个报送包"
            ) from None
    options = {**options, "stage": stage, "settings": settings.file}
    summary = summarise(
        [r.item for r in results], ignored, month=month, today=today, options=options, settings=settings
    )
    return summary, results
