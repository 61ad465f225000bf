"""Rules S014 and S023: a package made on another template version than the validator's standard.

The reader finds the template version in a workbook's hidden sheet, or in a CSV package's
datapackage.json (`x-fpjc.standard_version`, as the published Data Package template writes it), and
hands it here. What changed between released versions comes from `validator.versions` (compiled by
`fpjc schemas build`). An older package whose columns and codes are still current is accepted with a
note (info); otherwise the warning lists each change a clerk must make. A package newer than this
validator is checked by the rules it knows, and the report says the result may be incomplete.
"""

from __future__ import annotations

from validator import standard, versions
from validator.findings import Finding
from validator.reading import rules as S


def template_version_findings(
    found: str | None, *, source: str, sheet: str | None = None, what: str = "工作簿"
) -> list[Finding]:
    """S014 when `found` is older than the standard, S023 when newer, else nothing.

    `what` names the thing that carries the version for the clerk: 工作簿 or datapackage.json.
    """
    if not found:
        return []
    mine, current = versions.version_tuple(found), versions.version_tuple(standard.version())
    if mine is None or current is None or mine == current:
        return []
    if mine > current:
        return [
            S.TEMPLATE_NEWER.finding(
                what=what, found=found, current=standard.version(), source=source, sheet=sheet
            )
        ]
    changes, must_change = versions.upgrade_text(found)
    finding = S.TEMPLATE_OLD.finding(
        what=what,
        found=found,
        current=standard.version(),
        changes=changes,
        source=source,
        sheet=sheet,
        severity=None if must_change else "info",
    )
    return [finding]


def descriptor_version(data: dict) -> str | None:
    """The standard version a datapackage.json says it follows, or None when it names none."""
    meta = data.get("x-fpjc")
    if isinstance(meta, dict) and meta.get("standard_version") not in (None, ""):
        return str(meta["standard_version"])
    return None
