"""The JSON report format (SPEC §8) as a JSON Schema, draft 2020-12.

This is the single source of the report format: `fpjc schemas build` publishes it as
schemas/report.schema.json and the tests validate every JSON report against it.
"""

from __future__ import annotations

from validator import standard
from validator.findings import SEVERITIES

_COUNTS = {
    "type": "object",
    "properties": {s: {"type": "integer", "minimum": 0} for s in SEVERITIES},
    "required": list(SEVERITIES),
    "additionalProperties": False,
}

_FINDING = {
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
            "description": "manifest、annex1–3 或阶段记录表名；整个报送包的问题为 null",
        },
        "row": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "用户看到的行号：表格行号或 CSV 行号（表头为第 1 行）",
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


def report_schema() -> dict:
    """The report schema with its $id and version taken from the standard."""
    std = standard.load()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{std['base_uri']}{std['version']}/report.schema.json",
        "title": "fpjc 校验报告",
        "description": "fpjc validate --format json 的输出格式。",
        "version": std["version"],
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
                "description": "本次校验使用的选项：today、history、roster、show_personal_data",
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
                        "additionalProperties": _COUNTS,
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
            "findings": {"type": "array", "items": _FINDING},
        },
    }
