"""Sub-commands of `fpjc`: thin argparse layers over the library, on top of every other layer.

Each module has `add_arguments(parser)` and `run(args) -> int`; `run` goes through
`common.guarded`, so users get Chinese messages and exit status 0, 1 or 2, never a traceback.
They import their heavy dependencies inside `run`, so `fpjc --help` stays quick.
"""

COMMANDS = {
    "validate": ("validator.commands.validate", "校验乡镇报送包（文件夹、zip、xlsx 或 CSV）"),
    "validate-changed": (
        "validator.commands.changed",
        "逐个校验改动过的文件所属的报送包（给 pre-commit 和持续集成用）",
    ),
    "rollup": (
        "validator.commands.rollup",
        "县扶贫办收件：逐个校验本月各乡镇报送包，列出未报、迟报、零报告，按乡镇、风险类型、帮扶措施统计",
    ),
    "county": (
        "validator.commands.county",
        "县扶贫办每月工作：生成研判工作簿（prepare）、检查研判记录（check）、生成反馈单和标注清单（feedback）",
    ),
    "ledger": (
        "validator.commands.ledger",
        "县扶贫办台账：各月报送包入账（add、rebuild），查询报送情况、监测户、逾期事项和一户的记录",
    ),
    "schemas": (
        "validator.commands.schemas",
        "导出数据标准（export）；维护者：从 forms/ 生成（build）、检查（check）、发布（release）",
    ),
    "template": ("validator.commands.template", "生成空白 Excel / CSV 填报模板和打印表"),
    "examples": ("validator.commands.examples", "生成合成示例报送包和基准测试数据"),
}
