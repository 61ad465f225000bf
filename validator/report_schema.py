"""The JSON report format of the installed standard, as a JSON Schema (draft 2020-12).

The format is defined once, in `validator.published.report_schema`, with the rest of the published
standard (schemas/<version>/report.schema.json); this module gives it for the standard the package
carries. The tests validate every JSON report against it.
"""

from __future__ import annotations

from validator import published, standard


def report_schema() -> dict:
    """The report schema with its $id and version taken from the standard."""
    return published.report_schema(standard.load())
