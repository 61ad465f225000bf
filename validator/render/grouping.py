"""Group identical findings so a clerk reads one explanation per kind of mistake.

Findings are identical when they share rule, severity, table, field and message shape (the
message with its values, numbers and quoted parts blanked). A thousand rows with the same
wrong date format become one group: the count, and the first few places as examples.
Only human formats group; the JSON report lists every finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from validator.render import SEVERITIES

EXAMPLES = 5

# Quoted parts (“…”, “…”, "…", '…', ‘…’, 《…》) and numbers, dates, masked ID numbers:
# the parts of a message that differ from row to row.
_QUOTED = re.compile(r"“[^”]*”|“[^”]*」|\"[^\"]*\"|'[^']*'|‘[^’]*’|《[^》]*》")
_NUMBERISH = re.compile(r"[0-9*][0-9*Xx]*(?:[.\-/:年月日][0-9*Xx]+)*[日]?")


def message_shape(finding: Mapping) -> str:
    """The message with everything that varies between rows replaced by placeholders."""
    text = finding.get("message") or ""
    value = finding.get("value")
    if value:
        text = text.replace(str(value), "…")
    text = _QUOTED.sub("“…”", text)
    return _NUMBERISH.sub("#", text)


def group(findings: Iterable[Mapping], *, examples: int = EXAMPLES) -> list[dict]:
    """Groups of identical findings, errors first, then in the order of their first finding.

    Each group: rule, severity, resource, field, message and hint (of the first finding),
    count, examples (the first `examples` findings) and same_message (whether every finding
    in the group has exactly the first one's message).
    """
    groups: dict[tuple, dict] = {}
    for index, f in enumerate(findings):
        key = (f["rule"], f["severity"], f.get("resource"), f.get("field"), message_shape(f))
        g = groups.get(key)
        if g is None:
            groups[key] = g = {
                "rule": f["rule"],
                "severity": f["severity"],
                "resource": f.get("resource"),
                "field": f.get("field"),
                "message": f["message"],
                "hint": f.get("hint"),
                "count": 0,
                "examples": [],
                "same_message": True,
                "_first": index,
            }
        g["count"] += 1
        if len(g["examples"]) < examples:
            g["examples"].append(f)
        if f["message"] != g["message"]:
            g["same_message"] = False
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    ordered = sorted(groups.values(), key=lambda g: (rank.get(g["severity"], 9), g["_first"]))
    for g in ordered:
        del g["_first"]
    return ordered
