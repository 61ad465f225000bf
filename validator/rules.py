"""What a rule is: the unit every check module defines its findings with.

Each rule has a stable ID, a severity, a Chinese title, message template and fix hint, the
clause of 鹤扶开发〔2020〕16号 (or section of the specification) it enforces, and one failing and
one passing example. `validator.catalogue` lists every module that defines rules and builds
the registry from them; the site's rule catalogue and the example tests are generated from it,
so a rule cannot exist undocumented or untested.

Rule IDs never change meaning. Prefixes: S structure and files, F field values, D ID numbers
(身份证), R row rules, T table and package rules, G stage records, H history and roster,
C settings and calendar, K the county's own 研判 record (a package of its own).

Examples are *patches* applied to the small valid base package in `validator.builders.rule_examples`:
    {"annex1": {"set": {"head_id": "..."}}}              set fields on the first data row
    {"annex1": {"set": {...}, "row": 2}}                  ... on the second data row
    {"annex1": {"append": [{...}, ...]}}                  add rows (missing fields copied from row 1)
    {"annex1": {"drop_columns": ["head_name"]}}           remove a column
    {"annex1": {"rename_columns": {"户主姓名": "姓名"}}}    change a header
    {"annex1": {"rows": []}}                              replace all data rows
    {"drop": ["manifest"]}                                remove a resource
    {"files": {"其他.csv": "a,b\n1,2\n"}}                  add a raw file to the package folder
    {"raw": {"annex1": "<exact CSV text>"}}               write a resource verbatim
    {"options": {"today": "2020-08-10", "history": {...}, "roster": [...], "format": "xlsx",
                 "stage": "submit", "settings": {<a county settings file>}}}
"""

from __future__ import annotations

from dataclasses import dataclass, field

from validator.findings import SEVERITIES, Finding

CATEGORIES = {
    "S": "文件与结构",
    "F": "字段取值",
    "D": "身份证号",
    "R": "行内逻辑",
    "T": "表与报送包",
    "G": "阶段记录",
    "H": "历史与建档立卡名单",
    "C": "设置与日历",
    "K": "县级研判记录",
}


@dataclass(frozen=True)
class Rule:
    """One validation rule: its stable ID, severity, Chinese wording, clause and examples.

    `finding(**place, **params)` makes a `Finding` at a place with the message filled in.
    """

    id: str
    name: str  # kebab-case English, for developers: "id-check-digit"
    severity: str
    title: str  # short Chinese title, e.g. "身份证号校验码错误"
    message: str  # Chinese message template, str.format with the finding's params
    hint: str  # Chinese: what to do about it
    clause: str  # the notice's clause, e.g. "二（三）", or the standard's part it rests on
    description: str  # one or two Chinese sentences: what it checks and why
    fail: dict  # patch that makes the base package trigger this rule
    passing: dict  # patch (often {}) that does not trigger it
    fail_note: str = ""  # optional Chinese note shown with the failing example
    pass_note: str = ""
    resources: tuple[str, ...] = ()  # where it applies; empty = anywhere
    extra_docs: dict = field(default_factory=dict)
    # A rule about what is submitted (the stamp, the deadline) is milder when a township checks
    # its draft: {"draft": "info"}. `severity` is the severity when checking what is submitted.
    stage_severity: dict = field(default_factory=dict)
    # A rule that makes an optional column required in some rows says when, in the clerk's words
    # ("解除方式为“帮扶消除”时"); the column is the one its failing example leaves blank. Templates
    # and form pages then mark that column 视情况必填 with this condition (catalogue.required_when).
    required_when: str = ""

    @property
    def category(self) -> str:
        return CATEGORIES[self.id[0]]

    def severity_at(self, stage: str) -> str:
        """The severity at a stage of checking ("draft" or "submit")."""
        return self.stage_severity.get(stage, self.severity)

    def finding(self, *, severity: str | None = None, **kw) -> Finding:
        """Make a finding; keyword arguments not in Finding fill the message template."""
        place = {k: kw.pop(k) for k in list(kw) if k in _PLACE_KEYS}
        message = self.message.format(**kw) if kw else self.message
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=message,
            hint=self.hint,
            **place,
        )


_PLACE_KEYS = {"resource", "row", "field", "column", "cell", "source", "sheet", "value", "extra"}


def rule(**kw) -> Rule:
    """Define a rule (checked for a known severity and ID prefix); `validator.catalogue` collects it."""
    r = Rule(**kw)
    if r.severity not in SEVERITIES:
        raise ValueError(f"rule {r.id}: bad severity {r.severity}")
    if r.id[0] not in CATEGORIES:
        raise ValueError(f"rule {r.id}: unknown prefix")
    for stage, severity in r.stage_severity.items():
        if stage not in ("draft", "submit") or severity not in SEVERITIES:
            raise ValueError(f"rule {r.id}: bad stage severity {stage}: {severity}")
    return r
