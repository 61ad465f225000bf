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


def column_rules(form_id: str) -> dict[str, list[Rule]]:
    """Every rule that checks a column of a form, by field name, in ID order.

    F and D rules come from the field's type (`fields.rules.field_rules`); any other rule checks
    the columns its failing example sets (a row rule comparing two dates checks both), in each of
    the forms it applies to. The form pages and 填表说明 list them per column.
    """
    from validator import standard

    form = standard.form(form_id)
    names = {f["name"] for f in form["fields"]}
    out = {f["name"]: list(field_rules.field_rules(f)) for f in form["fields"]}
    for rule in registry().values():
        if rule.id[0] in "FD" or (rule.resources and form_id not in rule.resources):
            continue
        for resource, change in rule.fail.items():
            if resource != form_id and not (rule.resources and resource in rule.resources):
                continue
            if not isinstance(change, dict):
                continue
            for name in change.get("set") or {}:
                if name in names and rule not in out[name]:
                    out[name].append(rule)
    return {name: sorted(rules, key=lambda r: r.id) for name, rules in out.items()}


def required_when(form_id: str) -> dict[str, list[str]]:
    """Optional columns some rows must fill, by field name: the conditions of the rules that
    say so (`Rule.required_when`), each for the column its failing example leaves blank."""
    out: dict[str, list[str]] = {}
    for rule in registry().values():
        if not rule.required_when or (rule.resources and form_id not in rule.resources):
            continue
        change = rule.fail.get(form_id)
        if isinstance(change, dict):
            for name, value in (change.get("set") or {}).items():
                if value in ("", None):
                    out.setdefault(name, []).append(rule.required_when)
    return out
