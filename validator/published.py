"""The published standard (schemas/<version>/) as a pure function of the compiled standard.

Frictionless Table Schemas, JSON Schemas (draft 2020-12), a Data Package template, code lists and
settings as CSV, and the report schema, all derived from the dict in validator/data/standard.json
(or from `validator.builders.standard_json.compile_standard()` while building). Output is
deterministic (sorted keys, fixed indent, trailing newline), so the files that `fpjc schemas
export` writes from an installed package are byte for byte those committed under schemas/ and
served at their `$id`. Imports nothing from the package but `findings`, so `validator.standard`
can offer every schema as a dict (`standard.schema(name)`) without an import cycle.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from validator.findings import SEVERITIES

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUBMISSION_FORMS = ("manifest", "annex1", "annex2", "annex3")
# The county's own record (二（四）): the meeting's one-row cover and one row per household.
COUNTY_RECORD_FORMS = ("county_meeting", "county_record")
MARKING_FORM = "county_marking"  # 全国系统标注清单: filled in by the county, checked like the record

# Published, canonical spellings. The validator is more lenient on input (full-width
# digits, lowercase x, other date layouts) and says so; the schemas describe what a
# clean file looks like.
ID_NUMBER_PATTERN = "[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]"
PHONE_PATTERN = "1[3-9][0-9]{9}|0872-[0-9]{7}"
DATE_PATTERN = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
MONTH_PATTERN = "[0-9]{4}-(0[1-9]|1[0-2])"


def dump_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def dump_csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    return buf.getvalue()


def _csv_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def schema_id(standard: dict, file_name: str) -> str:
    """The stable $id of a published file: base URI + version + file name."""
    return f"{standard['base_uri']}{standard['version']}/{file_name}"


def table_schema_name(form_id: str) -> str:
    return f"{form_id}.table.json"


def row_schema_name(form_id: str) -> str:
    return f"{form_id}.row.schema.json"


def _unanchored(pattern: str) -> str:
    # Table Schema patterns are implicitly anchored; JSON Schema patterns are not.
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


def labels(standard: dict, list_id: str) -> list[str]:
    return [item["label"] for item in standard["codelists"][list_id]["items"]]


def list_pattern(standard: dict, list_id: str) -> str:
    """A pattern for a cell holding several labels joined by any accepted separator."""
    alt = "|".join(re.escape(label) for label in labels(standard, list_id))
    seps = "".join(re.escape(s) for s in standard["list_separators_accepted"])
    return f"(?:{alt})(?: *[{seps}] *(?:{alt}))*"


def list_pattern_labels(pattern: str) -> list[str]:
    """Inverse of `list_pattern`: the labels a list pattern accepts (used by the tests)."""
    match = re.match(r"^\(\?:(.*?)\)\(\?: \*\[", pattern)
    if not match:
        raise ValueError(f"not a list pattern: {pattern}")
    return [re.sub(r"\\(.)", r"\1", alt) for alt in match.group(1).split("|")]


# ---------------------------------------------------------------- Table Schema


def _table_field(standard: dict, field: dict) -> dict:
    kind = field["type"]
    constraints: dict = {}
    out: dict = {
        "name": field["name"],
        "title": field["title"],
        "description": field["description"],
        "format": "default",
    }
    extra = {"type": kind}
    if field.get("codelist"):
        extra["codelist"] = field["codelist"]
    if field.get("personal"):
        extra["personal"] = field["personal"]
    if kind in ("text", "phone", "id_number", "code", "codes"):
        out["type"] = "string"
    elif kind == "integer":
        out["type"] = "integer"
    elif kind == "money":
        out["type"] = "number"
        constraints["minimum"] = 0
        extra["decimals"] = 2
    elif kind == "date":
        out["type"] = "date"
    elif kind == "month":
        out["type"] = "yearmonth"
    elif kind == "boolean":
        out["type"] = "boolean"
        out["trueValues"] = [standard["boolean_labels"]["true"]]
        out["falseValues"] = [standard["boolean_labels"]["false"]]
    else:  # forms.py rejects unknown types; this guards a new type added there only
        raise ValueError(f"no Table Schema mapping for field type {kind}")

    if field["required"]:
        constraints["required"] = True
    if field["unique"]:
        constraints["unique"] = True
    for src, dst in (("minimum", "minimum"), ("maximum", "maximum")):
        if field.get(src) is not None:
            constraints[dst] = field[src]
    for src, dst in (("min_length", "minLength"), ("max_length", "maxLength")):
        if field.get(src) is not None:
            constraints[dst] = field[src]
    open_list = kind in ("code", "codes") and standard["codelists"][field["codelist"]].get("open")
    if open_list:
        # "…等": the listed labels are examples; any other name is accepted (with a note).
        extra["open"] = True
    if kind == "code" and not open_list:
        constraints["enum"] = labels(standard, field["codelist"])
    elif kind == "codes":
        if not open_list:
            constraints["pattern"] = list_pattern(standard, field["codelist"])
        for src in ("min_items", "max_items"):
            if field.get(src) is not None:
                extra[src] = field[src]
        extra["separator"] = standard["list_separator"]
    elif kind == "id_number":
        constraints["pattern"] = ID_NUMBER_PATTERN
    elif kind == "phone":
        constraints["pattern"] = PHONE_PATTERN
    elif field.get("pattern"):
        constraints["pattern"] = _unanchored(field["pattern"])
    if field.get("pattern_hint"):
        extra["pattern_hint"] = field["pattern_hint"]
    if constraints:
        out["constraints"] = constraints
    out["x-fpjc"] = extra
    return out


def table_schema(standard: dict, form: dict) -> dict:
    name = table_schema_name(form["id"])
    schema = {
        "$id": schema_id(standard, name),
        "version": standard["version"],
        "name": form["id"],
        "title": f"{form['title']} {form['full_title']}"
        if form["title"] != form["full_title"]
        else form["title"],
        "description": form["description"],
        "fields": [_table_field(standard, f) for f in form["fields"]],
        "missingValues": [""],
        "primaryKey": list(form["primary_key"]),
        "x-fpjc": {
            "standard": standard["name"],
            "form": form["id"],
            "kind": form["kind"],
            "clause": form["clause"],
            "aliases": list(form["aliases"]),
        },
    }
    if form["foreign_keys"]:
        schema["foreignKeys"] = [
            {
                "fields": list(fk["fields"]),
                "reference": {
                    "resource": fk["reference"]["resource"],
                    "fields": list(fk["reference"]["fields"]),
                },
            }
            for fk in form["foreign_keys"]
        ]
    return schema


# ----------------------------------------------------------------- JSON Schema


def _json_field(standard: dict, field: dict) -> dict:
    kind = field["type"]
    out: dict = {"title": field["title"], "description": field["description"]}
    if kind == "text":
        out["type"] = "string"
        if field.get("pattern"):
            out["pattern"] = field["pattern"]
    elif kind == "integer":
        out["type"] = "integer"
    elif kind == "money":
        out["type"] = "number"
        out["minimum"] = 0
    elif kind == "date":
        out.update(type="string", format="date", pattern=f"^{DATE_PATTERN}$")
    elif kind == "month":
        out.update(type="string", pattern=f"^{MONTH_PATTERN}$")
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind in ("code", "codes"):
        listed = labels(standard, field["codelist"])
        if standard["codelists"][field["codelist"]].get("open"):
            # "…等": the listed labels are examples; any other name is accepted (with a note).
            item = {"type": "string", "minLength": 1, "examples": listed}
        else:
            item = {"type": "string", "enum": listed}
        if kind == "code":
            out.update(item)
        else:
            out.update(type="array", items=item, uniqueItems=True)
        if field.get("min_items") is not None:
            out["minItems"] = field["min_items"]
        if field.get("max_items") is not None:
            out["maxItems"] = field["max_items"]
    elif kind == "id_number":
        out.update(type="string", pattern=f"^{ID_NUMBER_PATTERN}$")
    elif kind == "phone":
        out.update(type="string", pattern=f"^(?:{PHONE_PATTERN})$")
    else:
        raise ValueError(f"no JSON Schema mapping for field type {kind}")
    if kind in ("integer", "money"):
        for src in ("minimum", "maximum"):
            if field.get(src) is not None:
                out[src] = field[src]
    if kind == "text":
        if field.get("min_length") is not None:
            out["minLength"] = field["min_length"]
        if field.get("max_length") is not None:
            out["maxLength"] = field["max_length"]
        if field["required"]:
            out.setdefault("minLength", 1)
    return out


def row_schema(standard: dict, form: dict) -> dict:
    name = row_schema_name(form["id"])
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(standard, name),
        "version": standard["version"],
        "title": f"{form['title']} {form['full_title']}（一行）",
        "description": f"{form['description']} 一个对象是表中的一行；可选字段留空时省略该键。",
        "type": "object",
        "properties": {f["name"]: _json_field(standard, f) for f in form["fields"]},
        "required": [f["name"] for f in form["fields"] if f["required"]],
        "additionalProperties": False,
    }


def submission_schema(standard: dict) -> dict:
    forms = {f["id"]: f for f in standard["forms"]}
    props: dict = {"manifest": {"$ref": schema_id(standard, row_schema_name("manifest"))}}
    for form in standard["forms"]:
        if form["id"] == "manifest" or form["kind"] == "county":
            continue
        props[form["id"]] = {
            "title": f"{form['title']} {form['full_title']}",
            "type": "array",
            "items": {"$ref": schema_id(standard, row_schema_name(form["id"]))},
        }
    warning_forms = [f["id"] for f in standard["forms"] if f.get("warning_type")]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(standard, "submission.schema.json"),
        "version": standard["version"],
        "title": "乡镇月报报送包（JSON）",
        "description": (
            "一个乡镇一个月的报送包作为一个 JSON 文档：报送信息一个对象，各表为行的数组。"
            f"零报告为“是”时 {'、'.join(forms[i]['title'] for i in warning_forms)} 不能有数据行。"
        ),
        "type": "object",
        "properties": props,
        "required": ["manifest"],
        "additionalProperties": False,
        # A zero report says there is no new household: the warning tables must be empty.
        "if": {
            "properties": {
                "manifest": {"properties": {"zero_report": {"const": True}}, "required": ["zero_report"]}
            },
            "required": ["manifest"],
        },
        "then": {"properties": {i: {"maxItems": 0} for i in warning_forms}},
    }


def county_record_schema(standard: dict) -> dict:
    """The county's 研判 record as one JSON document: the meeting object and the household rows."""
    meeting, record = COUNTY_RECORD_FORMS
    forms = {f["id"]: f for f in standard["forms"]}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": schema_id(standard, "county-record.schema.json"),
        "version": standard["version"],
        "title": "县级研判记录（JSON）",
        "description": (
            f"一个县一次研判会议的记录作为一个 JSON 文档：{forms[meeting]['title']}一个对象，"
            f"{forms[record]['title']}为行的数组（可含多个乡镇的户）；可另附填好的{forms[MARKING_FORM]['title']}。"
        ),
        "type": "object",
        "properties": {
            meeting: {"$ref": schema_id(standard, row_schema_name(meeting))},
            record: {
                "title": f"{forms[record]['title']} {forms[record]['full_title']}",
                "type": "array",
                "items": {"$ref": schema_id(standard, row_schema_name(record))},
            },
            # A filled marking list may travel with the record: the county checks it with it.
            MARKING_FORM: {
                "title": f"{forms[MARKING_FORM]['title']} {forms[MARKING_FORM]['full_title']}（可选）",
                "type": "array",
                "items": {"$ref": schema_id(standard, row_schema_name(MARKING_FORM))},
            },
        },
        "required": [meeting, record],
        "additionalProperties": False,
    }


# -------------------------------------------------------------- Data Package


def resource_descriptor(standard: dict, form: dict, path: str) -> dict:
    schema = table_schema(standard, form)
    return {
        "name": form["id"],
        "path": path,
        "title": f"{form['title']} {form['full_title']}"
        if form["title"] != form["full_title"]
        else form["title"],
        "description": form["description"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": schema,
    }


def package_descriptor(
    standard: dict,
    *,
    name: str,
    title: str,
    form_ids=SUBMISSION_FORMS,
    paths: dict[str, str] | None = None,
    description: str | None = None,
) -> dict:
    forms = {f["id"]: f for f in standard["forms"]}
    paths = paths or {}
    return {
        "name": name,
        "title": title,
        "description": description
        or (
            "乡镇每月报送包：报送信息（manifest.csv）和附件1—3（annex1.csv、annex2.csv、annex3.csv），"
            "UTF-8 编码，日期写作 YYYY-MM-DD，多项用顿号“、”分隔。"
        ),
        "profile": "tabular-data-package",
        "version": standard["version"],
        "x-fpjc": {"standard": standard["name"], "standard_version": standard["version"]},
        "resources": [resource_descriptor(standard, forms[i], paths.get(i, f"{i}.csv")) for i in form_ids],
    }


def county_datapackage_template(standard: dict) -> dict:
    descriptor = package_descriptor(
        standard,
        name="fpjc-county-record",
        title="鹤庆县返贫致贫风险县级研判记录（Data Package 模板）",
        form_ids=COUNTY_RECORD_FORMS,
        description=(
            "县级研判记录：研判会议（county_meeting.csv，一行）和县级研判表（county_record.csv，每户一行），"
            "UTF-8 编码，日期写作 YYYY-MM-DD，多项用顿号“、”分隔。"
        ),
    )
    descriptor["$id"] = schema_id(standard, "county-record.datapackage.template.json")
    return descriptor


def datapackage_template(standard: dict) -> dict:
    descriptor = package_descriptor(
        standard, name="fpjc-submission", title="鹤庆县返贫致贫预警监测乡镇月报（报送包模板）"
    )
    descriptor["$id"] = schema_id(standard, "datapackage.template.json")
    return descriptor


# ------------------------------------------------------------------- CSV data


def codelist_csv(codelist: dict) -> str:
    rows = [
        [i["code"], i["label"], i.get("description", ""), "|".join(i.get("synonyms", []))]
        for i in codelist["items"]
    ]
    return dump_csv(["code", "label", "description", "synonyms"], rows)


def terms_csv(standard: dict) -> str:
    """Every code list's terms of other periods and how they are read, in one table."""
    rows = []
    for list_id, codelist in sorted(standard["codelists"].items()):
        eras = codelist.get("eras") or {}
        for t in codelist.get("terms") or []:
            rows.append(
                [
                    list_id,
                    t["term"],
                    eras.get(t["era"], t["era"]),
                    t["label"],
                    "approximate" if t["approximate"] else "same",
                    t["note"],
                ]
            )
    return dump_csv(["codelist", "term", "era", "label", "reading", "note"], rows)


def settings_csv(table: dict, default_columns: list[str]) -> str:
    columns = list(default_columns)
    for row in table["rows"]:
        for key in row:
            if key not in columns:
                columns.append(key)
    # The source is what makes a setting trustworthy: keep it last and always present.
    columns = [c for c in columns if c != "source"] + ["source"]
    return dump_csv(columns, [[row.get(c) for c in columns] for row in table["rows"]])


# ------------------------------------------------------- the county settings file

DEADLINE_KEYS = ("day_of_month", "roll_forward", "verification_working_days", "measure_months")
_SOURCE = {"type": "string", "minLength": 1, "title": "来源", "description": "文件名称和文号，或县里的决定"}
_SECTION_DESCRIPTION = {"type": "string", "title": "说明"}


def _section(title: str, description: str, row: dict) -> dict:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": {
            "description": _SECTION_DESCRIPTION,
            "rows": {"type": "array", "title": "行", "items": row},
        },
        "required": ["rows"],
        "additionalProperties": False,
    }


def settings_schema(standard: dict) -> dict:
    """The county settings file (`--settings`, the online checker's file picker) as a JSON Schema
    (draft 2020-12): the shape of the settings table, every section optional."""
    deadline_row = {
        "type": "object",
        "title": "截止规则",
        "properties": {
            "key": {"enum": list(DEADLINE_KEYS), "title": "键"},
            "value": {"title": "值"},
            "source": _SOURCE,
        },
        "required": ["key", "value", "source"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"key": {"const": "day_of_month"}}},
                "then": {"properties": {"value": {"type": "integer", "minimum": 1, "maximum": 28}}},
            },
            {
                "if": {"properties": {"key": {"const": "roll_forward"}}},
                "then": {"properties": {"value": {"type": "boolean"}}},
            },
            {
                "if": {"properties": {"key": {"const": "verification_working_days"}}},
                "then": {"properties": {"value": {"type": "integer", "minimum": 1, "maximum": 60}}},
            },
            {
                "if": {"properties": {"key": {"const": "measure_months"}}},
                "then": {"properties": {"value": {"type": "integer", "minimum": 1, "maximum": 24}}},
            },
        ],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(standard, "settings.schema.json"),
        "title": "县设置文件",
        "description": (
            "县里不改程序就能修改的设置：与网站“设置与来源”页的设置表同样的结构，各部分都可以省略；"
            "文件中的行替换内置设置中同一年度、同一键或同一日期的行，其余沿用内置设置。"
        ),
        "version": standard["version"],
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            "version": {"type": "string", "title": "版本", "description": "县里给这份设置文件的版本或日期"},
            "description": _SECTION_DESCRIPTION,
            "monitoring_line": _section(
                "监测线",
                "上年度家庭人均可支配收入低于此线的家庭符合纳入条件（元/人/年）；amount 为 null 表示该年没有数值。",
                {
                    "type": "object",
                    "title": "监测线",
                    "properties": {
                        "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "title": "年度"},
                        "amount": {
                            "type": ["number", "null"],
                            "minimum": 0,
                            "title": "金额",
                            "description": "元/人/年",
                        },
                        "source": _SOURCE,
                    },
                    "required": ["year", "amount", "source"],
                    "additionalProperties": False,
                },
            ),
            "deadline": _section(
                "上报截止日与核查期限",
                "每行一个键：day_of_month、roll_forward、verification_working_days、measure_months（认定后几个月内须落实帮扶措施，台账的逾期事项用它）。",
                deadline_row,
            ),
            "holiday_overrides": _section(
                "节假日补充",
                "对内置节假日日历的补充或更正；kind 为 holiday（放假）或 workday（调休上班）。",
                {
                    "type": "object",
                    "title": "节假日补充",
                    "properties": {
                        "date": {
                            "type": "string",
                            "format": "date",
                            "pattern": r"^\d{4}-\d{2}-\d{2}$",
                            "title": "日期",
                        },
                        "kind": {"enum": ["holiday", "workday"], "title": "类型"},
                        "name": {"type": "string", "title": "名称"},
                        "source": _SOURCE,
                    },
                    "required": ["date", "kind"],
                    "additionalProperties": False,
                },
            ),
            "departments": _section(
                "研判部门补充",
                "办法所列八个部门以外、县里每月固定参加研判的部门；填在这里的名称不再提示。",
                {
                    "type": "object",
                    "title": "研判部门",
                    "properties": {
                        "name": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 20,
                            "pattern": r"\S",
                            "title": "名称",
                        },
                        "source": _SOURCE,
                    },
                    "required": ["name"],
                    "additionalProperties": False,
                },
            ),
        },
        "additionalProperties": False,
    }


# ---------------------------------------------------------------- the report

# What `fpjc validate --format json` writes; the tests validate every report against it.
_REPORT_COUNTS = {
    "type": "object",
    "properties": {s: {"type": "integer", "minimum": 0} for s in SEVERITIES},
    "required": list(SEVERITIES),
    "additionalProperties": False,
}

_REPORT_FINDING = {
    "type": "object",
    "required": ["rule", "severity", "resource", "row", "field", "cell", "message"],
    "properties": {
        "rule": {
            "type": "string",
            "pattern": "^[A-Z][0-9]{3}$",
            "description": "稳定的规则编号，见网站“校验规则”",
        },
        "severity": {"enum": list(SEVERITIES)},
        "resource": {
            "type": ["string", "null"],
            "description": "manifest、annex1—annex3 或阶段记录表名；整个报送包的问题为 null",
        },
        "row": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "用户看到的行号：表格行号或 CSV 行号（表头为第1行）",
        },
        "field": {"type": ["string", "null"], "description": "字段名（英文），如 head_id"},
        "column": {"type": ["string", "null"], "description": "文件中的列标题，如 户主身份证号"},
        "cell": {"type": ["string", "null"], "pattern": "^[A-Z]{1,3}[0-9]+$", "description": "A1 单元格引用"},
        "source": {"type": ["string", "null"], "description": "文件名（CSV 或工作簿）"},
        "sheet": {"type": ["string", "null"], "description": "工作表名"},
        "value": {"type": ["string", "null"], "description": "有问题的值；个人信息默认打码"},
        "message": {"type": "string", "minLength": 1, "description": "中文说明"},
        "hint": {"type": ["string", "null"], "description": "怎样改"},
        "extra": {"type": "object"},
    },
    "additionalProperties": False,
}


# Present only when the report left findings out (a backward-compatible addition of standard
# 1.1.0: a reader that does not know it still finds complete counts in `summary`).
_REPORT_TRUNCATED = {
    "type": "object",
    "description": (
        "问题太多时，每条规则在每张表中只逐条列出前若干处（listed_per_rule），其余只计数；"
        "这里说明省略了哪些。summary 中的计数始终包括全部问题。没有省略时没有这一项"
    ),
    "required": ["listed_per_rule", "omitted", "rules"],
    "properties": {
        "listed_per_rule": {
            "type": "integer",
            "minimum": 1,
            "description": "每条规则在每张表中最多逐条列出几处",
        },
        "omitted": {"type": "integer", "minimum": 1, "description": "计入 summary 但没有逐条列出的问题总数"},
        "rules": {
            "type": "array",
            "description": "每个有省略的规则和表：共有几处（total），列出了几处（listed）",
            "items": {
                "type": "object",
                "required": ["rule", "resource", "total", "listed"],
                "properties": {
                    "rule": {"type": "string", "pattern": "^[A-Z][0-9]{3}$"},
                    "resource": {"type": ["string", "null"], "description": "表名；整个报送包的问题为 null"},
                    "total": {"type": "integer", "minimum": 1},
                    "listed": {"type": "integer", "minimum": 0},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def report_schema(standard: dict) -> dict:
    """The JSON report format (`fpjc validate --format json`) of this standard, draft 2020-12."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(standard, "report.schema.json"),
        "title": "fpjc 校验报告",
        "description": "fpjc validate --format json 的输出格式。",
        "version": standard["version"],
        "type": "object",
        "required": [
            "valid",
            "summary",
            "findings",
            "fpjc_version",
            "standard_version",
            "inputs",
            "checks_not_run",
        ],
        "properties": {
            "valid": {"type": "boolean", "description": "没有错误（error）时为 true；警告和提示不影响"},
            "fpjc_version": {"type": "string"},
            "standard_version": {"type": "string"},
            "name": {"type": "string", "description": "被校验的路径（用户给出的名字）"},
            "options": {
                "type": "object",
                "description": "本次校验使用的选项",
                "properties": {
                    "today": {"type": "string", "description": "校验日期（按哪一天判断期限）"},
                    "stage": {
                        "enum": ["draft", "submit"],
                        "description": "校验阶段：draft 自查草稿（未盖章只作提示、逾期只作警告），submit 上报核对",
                    },
                    "history": {"type": ["string", "null"], "description": "历史报送包（--history）"},
                    "roster": {"type": ["string", "null"], "description": "建档立卡名单（--roster）"},
                    "settings": {
                        "type": ["string", "null"],
                        "description": "县设置文件名；用内置设置时为 null",
                    },
                    "show_personal_data": {"type": "boolean"},
                },
            },
            "settings": {
                "type": "object",
                "description": "本次校验所用的设置：内置设置，或县设置文件（文件名和 SHA-256）以及它改动了什么",
                "required": ["source", "changes"],
                "properties": {
                    "source": {"enum": ["builtin", "county"]},
                    "file": {"type": ["string", "null"]},
                    "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                    "version": {"type": ["string", "null"], "description": "县设置文件自己写的版本"},
                    "builtin_version": {"type": "string"},
                    "changes": {"type": "array", "items": {"type": "string"}},
                    "roll_forward": {"type": "boolean"},
                    "day_of_month": {"type": "integer", "minimum": 1, "maximum": 28},
                    "verification_working_days": {"type": "integer", "minimum": 1},
                    "years_without_line": {"type": "array", "items": {"type": "integer"}},
                },
            },
            "inputs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["path", "kind"],
                    "properties": {
                        "path": {"type": "string"},
                        "kind": {"enum": ["folder", "zip", "xlsx", "csv", "datapackage"]},
                        "encoding": {"type": ["string", "null"]},
                        "sheets": {"type": ["array", "null"], "items": {"type": "string"}},
                        "error": {"type": "string", "description": "这个文件无法读取的原因"},
                        "template_version": {"type": ["string", "null"]},
                        "template": {
                            "type": "string",
                            "description": "生成该工作簿的 fpjc 模板：workbook 乡镇报送工作簿，"
                            "county_meeting 县级研判工作簿，其他为单表工作簿的表名",
                        },
                    },
                },
            },
            "summary": {
                "type": "object",
                "required": [*SEVERITIES, "by_resource", "by_rule"],
                "properties": {
                    "error": {"type": "integer", "minimum": 0},
                    "warning": {"type": "integer", "minimum": 0},
                    "info": {"type": "integer", "minimum": 0},
                    "by_resource": {
                        "type": "object",
                        "description": "按表统计；整个报送包的问题（resource 为 null）记在 package 下",
                        "additionalProperties": _REPORT_COUNTS,
                    },
                    "by_rule": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
                    "rows": {
                        "type": "object",
                        "description": "每个表读到的数据行数",
                        "additionalProperties": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "checks_not_run": {
                "type": "array",
                "description": "因缺少历史包、建档立卡名单或设置而没有执行的检查，附原因",
                "items": {
                    "type": "object",
                    "required": ["check", "reason"],
                    "properties": {"check": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
            "calendar": {"type": "object", "description": "工作日计算所用的节假日数据来源与回退情况"},
            "truncated": _REPORT_TRUNCATED,
            "findings": {
                "type": "array",
                "items": _REPORT_FINDING,
                "description": "逐条列出的问题，按表、行、列排序；有 truncated 时只含每条规则在每张表中的前若干处",
            },
        },
    }


# ------------------------------------------------------------------ the whole


def generate(standard: dict) -> dict[str, str]:
    """Every file of schemas/ as {relative path: text}."""
    files: dict[str, str] = {}
    for form in standard["forms"]:
        files[table_schema_name(form["id"])] = dump_json(table_schema(standard, form))
        files[row_schema_name(form["id"])] = dump_json(row_schema(standard, form))
    files["submission.schema.json"] = dump_json(submission_schema(standard))
    files["datapackage.template.json"] = dump_json(datapackage_template(standard))
    files["county-record.schema.json"] = dump_json(county_record_schema(standard))
    files["county-record.datapackage.template.json"] = dump_json(county_datapackage_template(standard))
    for list_id, codelist in sorted(standard["codelists"].items()):
        files[f"codelists/{list_id}.csv"] = codelist_csv(codelist)
    settings = standard["settings"]
    files["settings/monitoring_line.csv"] = settings_csv(settings["monitoring_line"], ["year", "amount"])
    files["settings/deadline.csv"] = settings_csv(settings["deadline"], ["key", "value"])
    files["settings/holiday_overrides.csv"] = settings_csv(
        settings["holiday_overrides"], ["date", "kind", "name"]
    )
    files["settings/departments.csv"] = settings_csv(settings["departments"], ["name"])
    files["codelists/terms.csv"] = terms_csv(standard)
    files["settings.schema.json"] = dump_json(settings_schema(standard))
    files["report.schema.json"] = dump_json(report_schema(standard))
    files["README.md"] = readme(standard, files)
    return dict(sorted(files.items()))


def readme(standard: dict, files: dict[str, str]) -> str:
    """An index of the published files, for developers who reuse them in other tools."""
    forms = standard["forms"]
    lines = [
        f"# {standard['title']} {standard['version']}",
        "",
        "本目录由 `fpjc schemas build` 从 `forms/` 生成，请不要手工修改（`fpjc schemas check` 和测试会发现改动）。",
        f"每个 JSON 文件的 `$id` 是 `{standard['base_uri']}{standard['version']}/` 加文件名，`version` 是标准版本号。",
        "",
        "| 表 | Table Schema（Frictionless） | 一行的 JSON Schema（2020-12） |",
        "|---|---|---|",
    ]
    for form in forms:
        lines.append(
            f"| {form['title']} {form['full_title'] if form['full_title'] != form['title'] else ''}".rstrip()
            + f" | [`{table_schema_name(form['id'])}`]({table_schema_name(form['id'])})"
            f" | [`{row_schema_name(form['id'])}`]({row_schema_name(form['id'])}) |"
        )
    lines += [
        "",
        "其他文件：",
        "",
        "- [`submission.schema.json`](submission.schema.json)：一个乡镇一个月的报送包作为一个 JSON 文档"
        "（报送信息一个对象，各表为行的数组，通过 `$id` 引用上面的行 Schema）。",
        "- [`datapackage.template.json`](datapackage.template.json)：报送包的 Data Package 描述文件模板"
        "（`manifest.csv`、`annex1.csv`—`annex3.csv`，内嵌 Table Schema）。",
        "- [`county-record.schema.json`](county-record.schema.json)：县级研判记录作为一个 JSON 文档"
        "（研判会议一个对象，县级研判表为行的数组）。",
        "- [`county-record.datapackage.template.json`](county-record.datapackage.template.json)："
        "县级研判记录的 Data Package 描述文件模板（`county_meeting.csv`、`county_record.csv`）。",
        "- [`report.schema.json`](report.schema.json)：`fpjc validate --format json` 输出的校验报告格式。",
        "- `codelists/*.csv`：代码表（code、label、description、synonyms，同义词用 `|` 分隔）；"
        "`codelists/terms.csv`：2014—2020年“致贫原因”、2021年起全国说法等其他时期的说法怎样换算"
        "（reading 为 same 是意思相同，approximate 是没有对应项、按最接近的一项读取，note 说明原因）。",
        "- `settings/*.csv`：内置设置（监测线、上报截止规则、节假日补充、研判部门补充），每行注明来源（source）；"
        "监测线 amount 为空的年度没有找到公布的数值。",
        "- [`settings.schema.json`](settings.schema.json)：县设置文件（JSON）的格式，`fpjc validate --settings`、"
        "`fpjc rollup --settings` 和在线校验页读取它（样例随模板提供：`fpjc template` 写出的“县设置样例.json”）。",
        "",
        "约定：日期写作 YYYY-MM-DD，月份 YYYY-MM；是/否列填“是”“否”；一格多项时用顿号“、”分隔"
        "（也接受 " + " ".join(f"`{s}`" for s in standard["list_separators_accepted"] if s != "、") + "）；"
        "金额单位为元，最多两位小数。Table Schema 的 `x-fpjc` 属性记录字段在本标准中的类型、代码表和个人信息类别。",
        "",
        "代码表："
        + "、".join(
            f"[{cl['title']}](codelists/{cid}.csv)" for cid, cl in sorted(standard["codelists"].items())
        )
        + "。",
    ]
    return "\n".join(lines) + "\n"


def write_tree(files: dict[str, str], out_dir: Path) -> list[Path]:
    written = []
    for rel, text in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def compare_trees(expected: Path, actual: Path, *, patterns: tuple[str, ...] = ("*",)) -> list[str]:
    """Relative paths that differ between two trees: changed, missing or extra files."""

    def listing(root: Path) -> set[str]:
        found: set[str] = set()
        for pattern in patterns:
            found |= {p.relative_to(root).as_posix() for p in root.rglob(pattern) if p.is_file()}
        return found

    exp, act = listing(expected), listing(actual)
    differing = sorted(
        (exp ^ act)
        | {rel for rel in exp & act if (expected / rel).read_bytes() != (actual / rel).read_bytes()}
    )
    return differing
