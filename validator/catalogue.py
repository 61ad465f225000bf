"""The rule catalogue: every module that defines rules, listed once, and the registry built from it.

As ruff keeps one table of its rule codes, this module is the only place that knows where
rules live. Adding a rule module means adding it to `RULE_MODULES`; nothing is registered as a
side effect of importing. The site's rule pages, the report renderers' rule titles and the
example tests all read `registry()`.
"""

from __future__ import annotations

from functools import lru_cache

from validator.checks import calendar, county, history, package, rows, stages
from validator.fields import rules as field_rules
from validator.reading import rules as structure_rules
from validator.rules import Rule

# S, F and D, then the checks in the engine's order.
RULE_MODULES = (structure_rules, field_rules, package, rows, stages, history, calendar, county)


@lru_cache(maxsize=1)
def registry() -> dict[str, Rule]:
    """All rules by ID, sorted. A rule ID defined twice is a programming error."""
    found: dict[str, Rule] = {}
    for module in RULE_MODULES:
        for value in vars(module).values():
            if isinstance(value, Rule):
                if found.setdefault(value.id, value) is not value:
                    raise ValueError(f"rule {value.id} defined twice")
    return dict(sorted(found.items()))
