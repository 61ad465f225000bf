"""Every blank template in one call: what `fpjc template` writes and the site publishes.

Layout of `out_dir`:

    fpjc-模板-<version>.xlsx   submission workbook: 填表说明, 报送信息, 附件1–3
    xlsx/<表名>.xlsx           one workbook per form (e.g. xlsx/附件1.xlsx, xlsx/县级研判记录.xlsx); the
                               county's: the blank meeting workbook, 研判结果反馈单, 全国系统标注清单
    csv/<表名>.csv             CSV template per form, UTF-8 with BOM, header row only
    print/<表名>.html          printable blank form per form, A4 landscape
    县设置样例.json             a county settings file to start from (with the full set only)
"""

from __future__ import annotations

from pathlib import Path

from validator import standard
from validator.outputs import FORMATS
from validator.outputs.csvfiles import write_csv_templates
from validator.outputs.printable import write_printables
from validator.outputs.settings_example import write_settings_example
from validator.outputs.workbook import write_workbooks


def write_templates(
    out_dir: str | Path, *, forms: list[str] | None = None, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write the requested templates into `out_dir`; the submission workbook only when `forms` is None."""
    out_dir = Path(out_dir)
    ids = forms or [f["id"] for f in standard.forms()]
    written: list[Path] = []
    if "xlsx" in formats:
        written.extend(write_workbooks(out_dir, forms))
        county = [fid for fid in ids if standard.form(fid)["kind"] == "county"]
        if county:
            from validator.outputs.county import blank_workbooks

            written.extend(blank_workbooks(out_dir / "xlsx", county))
    if "csv" in formats:
        written.extend(write_csv_templates(out_dir / "csv", ids))
    if "html" in formats:
        written.extend(write_printables(out_dir / "print", ids))
    if forms is None and set(formats) == set(FORMATS):
        written.append(write_settings_example(out_dir))
    return written


def build_all(out_dir: str | Path) -> list[Path]:
    """Everything the site publishes: the submission workbook and every form in every format."""
    return write_templates(out_dir)
