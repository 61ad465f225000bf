"""Structure rules (S prefix): files, encodings, resources, columns, blank rows, template version.

The reading layer emits these itself, before any field check runs, because only the reader
knows about bytes, sheets and header rows. Examples use the patch format of `validator.rules`.
"""

from __future__ import annotations

import json

from validator.rules import rule
from validator.standard import form


def _header(form_id: str) -> str:
    """The CSV header line of a form, from the standard."""
    return ",".join(f["title"] for f in form(form_id)["fields"]) + "\n"


def _descriptor(annex3_path: str) -> str:
    """A datapackage.json for the example package with annex3 at the given path."""
    resources = [{"name": f, "path": f"{f}.csv"} for f in ("manifest", "annex1", "annex2")]
    resources.append({"name": "annex3", "path": annex3_path})
    return json.dumps({"name": "example", "resources": resources}, ensure_ascii=False)


FILE_UNREADABLE = rule(
    id="S001",
    name="file-unreadable",
    severity="error",
    title="文件无法读取",
    message="文件“{name}”无法读取：{reason}",
    hint="用 Excel 或 WPS 打开该文件确认能正常显示，另存为 .xlsx 或 CSV UTF-8 后重新提交。",
    clause="数据标准（报送包与文件）",
    description="报送包中的某个文件已损坏、被加密、格式过旧或过大，无法读取，其中的数据没有被检查。",
    fail={"files": {"附件3.xlsx": "这不是一个 Excel 文件"}},
    passing={},
    fail_note="扩展名是 .xlsx，但内容不是 Excel 工作簿。",
)

EMPTY_FILE = rule(
    id="S002",
    name="empty-file",
    severity="error",
    title="文件为空",
    message="文件“{name}”是空的（没有任何内容）",
    hint="确认导出或保存时选择了正确的表格；若本月没有数据，也请保留列标题行。",
    clause="数据标准（报送包与文件）",
    description="空文件既没有列标题也没有数据，无法判断是哪张表，也无法检查。",
    fail={"raw": {"annex3": ""}},
    passing={},
)

UNDECODABLE = rule(
    id="S003",
    name="undecodable-bytes",
    severity="error",
    title="文件含有无法识别的字符",
    message="第{line}行含有无法按 {encoding} 识别的字节，乱码处已替换为“�”",
    hint="在 Excel 或 WPS 中将文件另存为“CSV UTF-8（逗号分隔）”后重新检查。",
    clause="数据标准（报送包与文件）",
    description="CSV 文件应为 UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK 编码；混用编码或文件损坏时会出现乱码，"
    "乱码所在行的数据无法正确检查。",
    fail={"files": {"annex3.csv": {"hex": "e5ba8fe58fb72c61ff620a"}}},
    passing={},
    fail_note="文件中混有一个既不是 UTF-8 也不是 GB18030 的字节。",
)

LEGACY_ENCODING = rule(
    id="S004",
    name="legacy-encoding",
    severity="info",
    title="CSV 使用 GB18030/GBK 编码",
    message="文件“{name}”按 {encoding} 编码读取",
    hint="可以继续使用；建议今后另存为“CSV UTF-8（逗号分隔）”，各系统之间交换更可靠。",
    clause="数据标准（报送包与文件）",
    description="校验器接受 UTF-8、带 BOM 的 UTF-8 和 GB18030/GBK 编码的 CSV，并说明实际使用的编码。",
    fail={"options": {"encoding": "gb18030"}},
    passing={},
)

MANIFEST_MISSING = rule(
    id="S005",
    name="manifest-missing",
    severity="error",
    title="缺少报送信息表",
    message="报送包中没有“报送信息”表（工作表或文件名为 报送信息 / manifest）",
    hint="按模板补上“报送信息”表，填写乡镇、报告月份、上报日期、是否零报告、是否盖章、填报人、审核人和联系电话。",
    clause="二（三）",
    description="报送信息说明报送的乡镇、月份和是否零报告，按月报送的检查都以它为准。",
    fail={"drop": ["manifest"]},
    passing={},
)

UNKNOWN_RESOURCE = rule(
    id="S006",
    name="unknown-resource",
    severity="warning",
    title="无法识别的工作表或文件",
    message="无法识别“{name}”是哪张表，未检查其内容",
    hint="把工作表或文件改名为 报送信息、附件1、附件2、附件3（或阶段记录表名，如 民主评议记录）；"
    "无关的表请从报送包中删除。",
    clause="数据标准（报送包与文件）",
    description="表按名称识别；名称和列标题都对不上的表不会被检查，其中的数据可能被遗漏。",
    fail={"files": {"其他.csv": "a,b\n1,2\n"}},
    passing={},
)

DUPLICATE_RESOURCE = rule(
    id="S007",
    name="duplicate-resource",
    severity="error",
    title="同一张表提交了两次",
    message="“{name}”与“{first}”都是{title}，只检查了“{first}”",
    hint="每张表只保留一份，删除重复或旧版本的文件 / 工作表。",
    clause="数据标准（报送包与文件）",
    description="一个报送包中每张表只能有一份，否则无法确定以哪一份为准。",
    fail={"files": {"附件3.csv": _header("annex3")}},
    passing={},
    fail_note="annex3.csv 和 附件3.csv 都是附件3。",
)

HEADER_NOT_FOUND = rule(
    id="S008",
    name="header-row-not-found",
    severity="error",
    title="找不到列标题行",
    message="在前{limit}行中没有找到{title}的列标题行，未检查该表",
    hint="列标题须与模板一致（如“序号”“户主姓名”“户主身份证号”）；不要删除或改写列标题行。",
    clause="数据标准（报送包与文件）",
    description="表的标题和表头信息可以在列标题之上，但列标题行必须能找到，才能知道每一列是什么。",
    fail={"raw": {"annex3": "甲,乙,丙\n1,2,3\n"}},
    passing={},
)

REQUIRED_COLUMN_MISSING = rule(
    id="S009",
    name="required-column-missing",
    severity="error",
    title="缺少必填列",
    message="缺少必填列“{title}”（字段名 {field_name}）",
    hint="按模板补上这一列（列标题用中文列名或英文字段名均可），并逐行填写。",
    clause="数据标准（列设置）",
    description="表的必填列由表单定义规定；缺少整列时该列的所有检查都无法进行。",
    fail={"annex1": {"drop_columns": ["head_id"]}},
    passing={"annex1": {"drop_columns": ["remark"]}},
    pass_note="备注是可选列，可以删除。",
)

UNKNOWN_COLUMN = rule(
    id="S010",
    name="unknown-column",
    severity="warning",
    title="无法识别的列",
    message="列“{header}”不是{title}的列，未检查{suggest}",
    hint="核对列标题是否与模板一致（可用中文列名或英文字段名）；多余的列请删除。",
    clause="数据标准（列设置）",
    description="列按标题识别：模板的中文列名、英文字段名都可以；其他列不会被检查，数据可能被遗漏。",
    fail={"annex1": {"rename_columns": {"户编号": "编号"}}},
    passing={"annex1": {"rename_columns": {"户编号": "household_number"}}},
    pass_note="英文字段名也能识别。",
)

DUPLICATE_COLUMN = rule(
    id="S011",
    name="duplicate-column",
    severity="error",
    title="列重复",
    message="列“{header}”与第{first}列重复，只检查第{first}列",
    hint="删除重复的列，每个字段只保留一列。",
    clause="数据标准（列设置）",
    description="同一字段出现两列时无法确定以哪一列为准。",
    fail={"annex1": {"rename_columns": {"备注": "帮扶责任人"}}},
    passing={},
)

BLANK_ROWS = rule(
    id="S012",
    name="blank-rows-between-data",
    severity="warning",
    title="数据行之间有空行",
    message="第{start}行起有{count}个空行夹在数据行之间",
    hint="删除数据中间的空行，使各户记录连续排列；表格末尾的空行不影响。",
    clause="数据标准（报送包与文件）",
    description="数据中间的空行常是漏填或误删造成的，上报系统导入时也可能在空行处截断。",
    fail={"raw": {"annex3": "序号,户主姓名\n1,张三\n\n2,李四\n"}},
    passing={},
    fail_note="附件3 的两条记录之间有一个空行。",
)

BELOW_SIGNATURES = rule(
    id="S024",
    name="content-below-signatures",
    severity="error",
    title="签字栏下方还有内容",
    message="第{line}行在签字栏（第{start}行起）下方，该行及以下的内容没有作为数据检查",
    hint="签字栏是表的结尾：要补填的户，请在签字栏上方插入行后填写；签字栏下方的其他内容请删除。",
    clause="数据标准（报送包与文件）",
    description=(
        "模板各表的最后是“填报人（签字）”“审核人（签字）”“填报单位（盖章）”和日期几行，数据到签字栏为止，"
        "签字栏里写的姓名和日期不作为数据检查。签字栏下方若还有内容（如把一户填在了签字栏下面），"
        "这些内容不会被检查，所以单独提醒。"
    ),
    fail={
        "options": {"format": "xlsx"},
        "raw": {"annex3": "序号,户主姓名\n1,张三\n填报人（签字）：,王五\n日期：,2020-08-04\n2,李四\n"},
    },
    passing={
        "options": {"format": "xlsx"},
        "raw": {"annex3": "序号,户主姓名\n1,张三\n,\n填报人（签字）：,王五\n日期：,2020-08-04\n"},
    },
    fail_note="附件3 的第2户填在了签字栏下面。",
    pass_note="签字栏写了姓名和日期，其上方留有空行：数据到签字栏为止，签字栏不作为数据检查。",
)

EXTRA_CELLS = rule(
    id="S013",
    name="cells-beyond-last-column",
    severity="warning",
    title="最后一列之后还有内容",
    message="第{line}行在最后一个列标题之后还有内容（{at}），未检查",
    hint="把内容移到对应的列中，或补上列标题；无用的内容请删除。",
    clause="数据标准（列设置）",
    description="没有列标题的单元格不属于任何字段，其中的数据不会被检查。",
    fail={"raw": {"annex3": "序号,户主姓名\n1,张三,多余\n"}},
    passing={},
)

TEMPLATE_OLD = rule(
    id="S014",
    name="template-version-old",
    severity="warning",
    title="模板版本过旧",
    message="{what}使用的模板版本 {found} 早于当前标准版本 {current}；{changes}",
    hint="按上面列出的地方修改后再报送；也可以用 fpjc template 或从网站下载最新模板，把数据复制过去。",
    clause="数据标准（报送包与文件）",
    description="校验器按当前标准检查。对已发布的旧版本，凡影响已填工作簿的变化（增删或改名的列、"
    "新的必填列、改变的填写要求、取消的代码）都逐项列出；没有这类变化时只作提示，工作簿可以照常报送。",
    fail={"options": {"format": "xlsx", "template_version": "0.9.0"}},
    passing={"options": {"format": "xlsx"}},
)

TEMPLATE_NEWER = rule(
    id="S023",
    name="template-version-newer",
    severity="warning",
    title="模板版本新于校验程序",
    message="{what}使用的模板版本 {found} 晚于本校验程序所依据的标准版本 {current}，新版本增改的列和要求没有检查",
    hint="改用网站上的在线校验（总是依据最新标准），或请县扶贫办更新 fpjc 后再校验。",
    clause="数据标准（报送包与文件）",
    description="报送包按新版模板填写，而校验程序较旧：校验程序只能按自己所知的标准检查，"
    "新版本增加或改变的地方没有检查，结果可能不完整。工作簿看隐藏的版本表，CSV 报送包看 datapackage.json 中的标准版本。",
    fail={"options": {"format": "xlsx", "template_version": "99.0.0"}},
    passing={"options": {"format": "xlsx"}},
)

DESCRIPTOR_PATH_REFUSED = rule(
    id="S015",
    name="descriptor-path-refused",
    severity="error",
    title="datapackage.json 中的路径不安全",
    message="datapackage.json 中资源“{name}”的路径“{path}”{why}，已拒绝读取",
    hint="资源路径只能写报送包文件夹内的相对路径，例如 annex1.csv。",
    clause="数据标准（个人信息）",
    description="校验器不联网，也不读取报送包以外的文件，以免泄露或误用其他数据。",
    fail={"files": {"datapackage.json": _descriptor("../annex3.csv")}},
    passing={"files": {"datapackage.json": _descriptor("annex3.csv")}},
)

DESCRIPTOR_INVALID = rule(
    id="S016",
    name="descriptor-invalid",
    severity="error",
    title="datapackage.json 无法解析",
    message="datapackage.json 无法解析：{reason}；改为按文件名识别各表",
    hint="修正 datapackage.json（须为 JSON 对象，含 resources 列表），或删除它。",
    clause="数据标准（报送包与文件）",
    description="数据包描述文件损坏时，校验器按文件名识别各表，并提示修正描述文件。",
    fail={"files": {"datapackage.json": "{resources: "}},
    passing={"files": {"datapackage.json": _descriptor("annex3.csv")}},
)

FILE_NOT_CHECKED = rule(
    id="S017",
    name="file-not-checked",
    severity="info",
    title="非数据文件未检查",
    message="“{name}”{why}，未检查",
    hint="报送包中的数据请用 .xlsx 或 .csv 文件；盖章扫描件等可另行上传。",
    clause="数据标准（报送包与文件）",
    description="只有 .xlsx 和 .csv 文件（以及 datapackage.json 中列出的资源）会被检查。",
    fail={"files": {"说明.txt": "本月数据见附件"}},
    passing={},
)

RESOURCE_FILE_MISSING = rule(
    id="S018",
    name="resource-file-missing",
    severity="error",
    title="datapackage.json 中列出的文件不存在",
    message="datapackage.json 中资源“{name}”的文件“{path}”不存在",
    hint="补上该文件，或从 datapackage.json 中删除这个资源。",
    clause="数据标准（报送包与文件）",
    description="描述文件列出的资源必须随报送包一起提交。",
    fail={"files": {"datapackage.json": _descriptor("不存在.csv")}},
    passing={"files": {"datapackage.json": _descriptor("annex3.csv")}},
)

RECOGNISED_BY_COLUMNS = rule(
    id="S019",
    name="resource-recognised-by-columns",
    severity="info",
    title="按列标题识别表",
    message="“{name}”的名称不是标准表名，按列标题识别为{title}",
    hint="建议把工作表或文件改名为标准表名（如 报送信息、附件1、annex1），便于识别。",
    clause="数据标准（报送包与文件）",
    description="名称对不上时，若列标题与某张表高度一致，就按该表检查。",
    fail={
        "drop": ["annex3"],
        "files": {"解除.csv": _header("annex3")},
    },
    passing={},
)

EMPTY_TABLE = rule(
    id="S020",
    name="no-header-content",
    severity="error",
    title="表中没有内容",
    message="{title}“{name}”中没有任何内容（连列标题都没有）",
    hint="按模板填写列标题；若本月没有数据，保留列标题行即可。",
    clause="数据标准（报送包与文件）",
    description="工作表或 CSV 只有空白单元格时无法识别列，也无法检查。",
    fail={"raw": {"annex3": "\n\n"}},
    passing={},
)

NUMBERED_ONLY_ROWS = rule(
    id="S021",
    name="numbered-rows-between-data",
    severity="warning",
    title="数据行之间有只填了序号的行",
    message="第{start}行起有{count}行只填了序号，夹在数据行之间",
    hint="删除这些行，或把漏填的户补全；表格末尾预先编好序号的空行不影响。",
    clause="数据标准（报送包与文件）",
    description=(
        "乡镇常预先编好序号再逐行填写。只填了序号、其余全空的行按空行处理，不逐格报“必填项为空”；"
        "但夹在数据中间时可能是漏填了一户，所以提醒。"
    ),
    fail={"raw": {"annex3": "序号,户主姓名\n1,张三\n2,\n3,李四\n"}},
    passing={"raw": {"annex3": "序号,户主姓名\n1,张三\n2,李四\n3,\n4,\n"}},
    fail_note="第3行只有序号 2，下面第4行又有数据。",
    pass_note="只填了序号的行都在表格末尾，视为未用的空行。",
)

HEADER_SCAN_LIMITED = rule(
    id="S022",
    name="header-scan-limited",
    severity="warning",
    title="表格过宽，右侧内容未识别",
    message="第{line}行在第{limit}列之后还有内容；查找列标题时每行只看前{limit}列，其右侧的内容未识别、未检查",
    hint="删除表格右侧多余的内容（报送表只有几十列）；若是误填在远处的单元格，清除后重新保存。",
    clause="数据标准（报送包与文件）",
    description=(
        "识别表和列标题时，每行只比较前256个单元格（见开发者页面“限制与上限”），"
        "这样一行再宽也不会拖慢校验；更靠右的内容不会被当作列标题，也不会被检查，所以单独提醒。"
    ),
    fail={"raw": {"annex3": _header("annex3").rstrip("\n") + "," * 250 + "多余\n"}},
    passing={"raw": {"annex3": _header("annex3").rstrip("\n") + "," * 238 + "多余\n"}},
    fail_note="附件3的列标题行在第267列还有一个单元格。",
    pass_note="多余的单元格在第255列，在256列以内：照常识别（它是一个无法识别的列）。",
)
