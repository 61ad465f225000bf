"""Rule S014 for a workbook made on an older template: say exactly what to change, or that nothing must.

The reader finds the template version in the workbook's hidden sheet and hands it here; what
changed between released versions comes from `validator.versions` (compiled by `fpjc schemas
build`). A workbook whose columns and codes are still current is accepted with a note (info);
otherwise the warning lists each change a clerk must make.
"""

from __future__ import annotations

from validator import standard, versions
from validator.findings import Finding
from validator.reading import rules as S


def template_version_findings(found: str | None, *, source: str, sheet: str) -> list[Finding]:
    """S014 when `found` (the workbook's template version) is older than the standard, else nothing."""
    if not found:
        return []
    mine, current = versions.version_tuple(found), versions.version_tuple(standard.version())
    if mine is None or current is None or mine >= current:
        return []
    changes, must_change = versions.upgrade_text(found)
    finding = S.TEMPLATE_OLD.finding(
        found=found,
        current=standard.version(),
        changes=changes,
        source=source,
        sheet=sheet,
        severity=None if must_change else "info",
    )
    return [finding]
