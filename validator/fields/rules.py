"""Rules for single cell values (F) and resident ID numbers (D).

The checks themselves live in `validator.fields.check`, compiled per table from the field
definitions in the standard; this module only defines what each rule means, so the site's
rule catalogue and the example tests see every one of them.
"""

from __future__ import annotations

import datetime as dt

from validator.rules import rule

_FORMS = "数据标准（列设置）"
_ID = "GB 11643—1999《公民身份号码》"

REQUIRED = rule(
    id="F001",
    name="required-missing",
    severity="error",
    title="必填项为空",
    message="“{header}”是必填项，不能为空。",
    hint="请补填本项。确实没有内容的，按填表说明填写（例如金额填 0）。",
    clause=_FORMS,
    description="标准中标为必填的列，每个数据行都必须有值；只有空格也算空。",
    fail={"annex1": {"set": {"village": ""}}},
    passing={},
)
INTEGER = rule(
    id="F002",
    name="integer-invalid",
    severity="error",
    title="不是整数",
    message="“{header}”应填整数，现在是“{shown}”。",
    hint="只填阿拉伯数字，不要带单位（如“人”“年”）或小数。",
    clause=_FORMS,
    description="整数列（序号、家庭人口数、脱贫年度等）只接受整数；“3.0”按 3 读取。",
    fail={"annex1": {"set": {"household_size": "4人"}}},
    passing={"annex1": {"set": {"household_size": "4"}}},
)
RANGE = rule(
    id="F003",
    name="value-out-of-range",
    severity="error",
    title="数值超出范围",
    message="“{header}”应{bounds}，现在是 {shown}。",
    hint="核对数值；范围见网站上该表的列说明。",
    clause=_FORMS,
    description="数值列的最小值、最大值来自标准（如家庭人口数 1—20，脱贫年度 2014—2020）。",
    fail={"annex1": {"set": {"household_size": "0"}}},
    passing={"annex1": {"set": {"household_size": "20"}}},
)
MONEY = rule(
    id="F004",
    name="money-invalid",
    severity="error",
    title="金额不是数字",
    message="“{header}”应填金额（元），现在是“{shown}”。{detail}",
    hint="只填数字，单位为元，最多两位小数；不要带“元”、“万”、空格或其他文字。",
    clause=_FORMS,
    description="金额列只接受不带单位的数字；写成“5000元”“0.5万”的值无法可靠换算，按错误处理。",
    fail={"annex1": {"set": {"income_per_capita": "5000元"}}},
    passing={"annex1": {"set": {"income_per_capita": "5000"}}},
)
MONEY_NEGATIVE = rule(
    id="F005",
    name="money-negative",
    severity="error",
    title="金额为负数",
    message="“{header}”不能为负数，现在是 {shown}。",
    hint="金额填 0 或正数；亏损等情况在说明列写明。",
    clause=_FORMS,
    description="收入、支出、帮扶金额都不小于 0。",
    fail={"annex1": {"set": {"rigid_expense": "-100"}}},
    passing={"annex1": {"set": {"rigid_expense": "0"}}},
)
MONEY_DECIMALS = rule(
    id="F006",
    name="money-decimals",
    severity="error",
    title="金额超过两位小数",
    message="“{header}”最多保留两位小数（到分），现在是 {shown}。",
    hint="四舍五入到两位小数；用公式算出的金额请套用 ROUND(…,2)。",
    clause=_FORMS,
    description="金额以元为单位、精确到分；多于两位小数通常是公式结果没有取整。",
    fail={"annex1": {"set": {"income_per_capita": "5000.125"}}},
    passing={"annex1": {"set": {"income_per_capita": "5000.13"}}},
)
MONEY_SEPARATORS = rule(
    id="F007",
    name="money-separators",
    severity="info",
    title="金额中的千位分隔符已去掉",
    message="“{header}”中的“{shown}”带千位分隔符，已按 {parsed} 读取。",
    hint="可以直接写数字，不加逗号。",
    clause=_FORMS,
    description="“12,345.60”这样的写法可以接受，读取时去掉逗号并给出提示。",
    fail={"annex1": {"set": {"income_per_capita": "5,000"}}},
    passing={"annex1": {"set": {"income_per_capita": "5000"}}},
)
DATE = rule(
    id="F010",
    name="date-invalid",
    severity="error",
    title="日期无法识别",
    message="“{header}”不是可以识别的日期：“{shown}”。{detail}",
    hint="按 YYYY-MM-DD 填写，例如 2020-07-05；也可以用 Excel 的日期格式单元格。",
    clause="数据标准（日期写法）",
    description=(
        "日期接受 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日、8位数字 YYYYMMDD 和 Excel 日期单元格；"
        "其他写法（如“7月5日”缺年份、Excel 日期序号）无法可靠识别。"
    ),
    fail={"annex1": {"set": {"appraisal_date": "7月3日"}}},
    passing={},
)
DATE_NOT_REAL = rule(
    id="F011",
    name="date-not-real",
    severity="error",
    title="日期不存在",
    message="“{header}”的日期不存在：“{shown}”。",
    hint="核对年、月、日（例如2月没有30日，4月没有31日）。",
    clause="数据标准（日期写法）",
    description="写法正确但日历上没有的日期，例如 2020-02-30。",
    fail={"annex1": {"set": {"appraisal_date": "2020-06-31"}}},
    passing={},
)
DATE_FORMAT = rule(
    id="F012",
    name="date-format",
    severity="info",
    title="日期写法已规范",
    message="“{header}”的“{shown}”已按 {parsed} 读取。",
    hint="标准写法是 YYYY-MM-DD（例如 2020-07-05），不影响本次报送。",
    clause="数据标准（日期写法）",
    description="非标准但无歧义的日期写法可以接受，读取后给出提示，便于统一。",
    fail={"annex1": {"set": {"appraisal_date": "2020年7月3日"}}},
    passing={},
)
MONTH = rule(
    id="F013",
    name="month-invalid",
    severity="error",
    title="月份无法识别",
    message="“{header}”不是可以识别的年月：“{shown}”。{detail}",
    hint="按 YYYY-MM 填写，例如 2020-07。",
    clause="数据标准（日期写法）",
    description="年月接受 YYYY-MM、YYYY/M、YYYY.M、YYYY年M月、6位数字 YYYYMM 和 Excel 日期单元格。",
    fail={"manifest": {"set": {"report_month": "七月"}}},
    passing={},
)
MONTH_FORMAT = rule(
    id="F014",
    name="month-format",
    severity="info",
    title="月份写法已规范",
    message="“{header}”的“{shown}”已按 {parsed} 读取。",
    hint="标准写法是 YYYY-MM（例如 2020-07），不影响本次报送。",
    clause="数据标准（日期写法）",
    description="非标准但无歧义的年月写法（含写成完整日期）可以接受，读取后给出提示。",
    fail={"manifest": {"set": {"report_month": "2020年7月"}}},
    passing={},
)
BOOLEAN = rule(
    id="F020",
    name="boolean-invalid",
    severity="error",
    title="只能填“是”或“否”",
    message="“{header}”只能填“是”或“否”，现在是“{shown}”。",
    hint="从下拉列表选择“是”或“否”。",
    clause=_FORMS,
    description="是/否列只接受“是”“否”；Excel 的 TRUE/FALSE、1/0、Y/N 也能识别（给出提示）。",
    fail={"manifest": {"set": {"stamped": "已盖"}}},
    passing={},
)
BOOLEAN_FORMAT = rule(
    id="F021",
    name="boolean-format",
    severity="info",
    title="是/否写法已规范",
    message="“{header}”的“{shown}”已按“{parsed}”读取。",
    hint="请直接填“是”或“否”。",
    clause=_FORMS,
    description="TRUE/FALSE、1/0、Y/N 按是/否读取，并给出提示。",
    fail={"manifest": {"set": {"stamped": "1"}}},
    passing={},
)
CODE_UNKNOWN = rule(
    id="F030",
    name="code-unknown",
    severity="error",
    title="不在代码表中",
    message="“{header}”中的“{item}”不在代码表“{codelist}”中。{suggestion}",
    hint="从下拉列表选择，或按网站“代码表”页面填写标准名称；多项之间用顿号“、”分隔。",
    clause="数据标准（代码表）",
    description="代码表列只接受代码表中的标准名称、代码或登记过的同义词。",
    fail={"annex1": {"set": {"discovery": "上级通知"}}},
    passing={},
)
CODE_SYNONYM = rule(
    id="F031",
    name="code-synonym",
    severity="info",
    title="已按标准名称读取",
    message="“{header}”中的“{item}”{era}已按标准名称“{label}”读取。",
    hint="可以照这样填写，校验器会换算；各种说法与标准名称的对照见网站“代码表”页。",
    clause="数据标准（代码表）",
    description=(
        "代码表中登记的其他写法和数字代码，以及2014—2020年建档立卡“致贫原因”、2021年起全国防止返贫监测的说法中"
        "意思相同的，都可以接受，换算为标准名称。"
    ),
    fail={"annex1": {"set": {"risk_types": "因自然灾害"}}},
    passing={"annex1": {"set": {"risk_types": "因灾"}}},
)
CODE_OPEN = rule(
    id="F035",
    name="code-not-listed-accepted",
    severity="info",
    title="不在所列名称之中，照写接受",
    message="“{header}”中的“{item}”不在办法所列的{codelist}之中，已照写接受。{suggestion}",
    hint="办法列举的部门后有“等”字，其他部门参加研判也可以；县里每月固定参加的部门可写入县设置文件的“研判部门补充”，之后不再提示。",
    clause="二（四）",
    description=(
        "县级研判的参加部门：办法列出扶贫、教育、医保、卫健、住建、民政、残联、公安“等”部门，"
        "所以其他部门的名称照写接受，只给出提示，便于发现错别字。"
    ),
    fail={"assessment": {"set": {"departments": "扶贫、人社、民政"}}},
    passing={
        "assessment": {"set": {"departments": "扶贫、人社、民政"}},
        "options": {
            "settings": {"departments": {"rows": [{"name": "人社", "source": "县里决定人社局每月参加研判"}]}}
        },
    },
    pass_note="县设置文件的“研判部门补充”列出了人社，填写人社时不再提示。",
    resources=("assessment",),
)
CODE_APPROXIMATE = rule(
    id="F036",
    name="code-read-as-nearest",
    severity="info",
    title="其他时期的说法没有对应项，按最接近的一项读取",
    message="“{header}”中的“{item}”是{era}的说法，本表没有与之对应的一项，已按“{label}”读取：{note}。",
    hint="核对读取结果；按提示在说明一栏写清具体情况。各种说法的换算见网站“代码表”页。",
    clause="二（一）、二（四）",
    description=(
        "2014—2020年的“致贫原因”和2021年起的说法中，有些在本办法的代码表中没有对应项"
        "（如“缺资金”“缺技术”“突发严重困难户”），校验器按最接近的一项读取，并说明怎样补充。"
    ),
    fail={"annex1": {"set": {"risk_types": "缺资金"}}},
    passing={"annex1": {"set": {"risk_types": "缺劳力"}}},
    pass_note="“缺劳力”与本表的“缺劳动力”意思相同，直接换算（只给出“已按标准名称读取”的提示）。",
)
LIST_DUPLICATE = rule(
    id="F032",
    name="list-duplicate",
    severity="warning",
    title="多选项重复",
    message="“{header}”中“{item}”填了不止一次，只计一次。",
    hint="删去重复的项。",
    clause="数据标准（多选列）",
    description="多选列（风险类型、帮扶措施等）中同一项（含同义词）重复出现。",
    fail={"annex1": {"set": {"risk_types": "因病、因病"}}},
    passing={"annex1": {"set": {"risk_types": "因病"}}},
)
LIST_COUNT = rule(
    id="F033",
    name="list-count",
    severity="error",
    title="多选项个数不对",
    message="“{header}”应填{bounds}，现在是{count}项。",
    hint="按填表说明增减选项；多项之间用顿号“、”分隔。",
    clause="数据标准（多选列）",
    description="多选列的最少、最多项数来自标准，例如风险类型1—5项。",
    fail={"annex1": {"set": {"risk_types": "因病、因残、因学、因灾、因意外事故、缺劳动力"}}},
    passing={"annex1": {"set": {"risk_types": "因病、因残"}}},
)
LIST_EXCLUSIVE = rule(
    id="F034",
    name="list-exclusive",
    severity="error",
    title="“无”与其他项同时填写",
    message="“{header}”填了“{none}”，就不能再填其他项。",
    hint="没有享受任何一项就只填“无”；享受了的就删去“无”。",
    clause="数据标准（列设置）",
    description="代码表中的“无”表示一项都没有，不能与其他项并列。",
    fail={"annex2": {"set": {"social_security": "低保、无"}}},
    passing={"annex2": {"set": {"social_security": "无"}}},
)
PATTERN = rule(
    id="F040",
    name="pattern-mismatch",
    severity="error",
    title="格式不符合要求",
    message="“{header}”格式不对：“{shown}”。{pattern_hint}",
    hint="按列说明的格式填写；长数字列请先把单元格设为“文本”格式。",
    clause=_FORMS,
    description="有固定格式的文本列（如户编号只含数字）。",
    fail={"annex1": {"set": {"household_number": "53293210-01"}}},
    passing={"annex1": {"set": {"household_number": "5329321010010001"}}},
)
TOO_LONG = rule(
    id="F041",
    name="text-too-long",
    severity="error",
    title="内容过长",
    message="“{header}”最多{max_length}个字，现在是{length}个字。",
    hint="精简内容；详细情况可写入备注或另附材料。",
    clause=_FORMS,
    description="文本列的最大长度来自标准，防止把多项内容挤在一个单元格里。",
    fail={"annex1": {"set": {"village_group": "第" + "一" * 60 + "组"}}},
    passing={},
)
TOO_SHORT = rule(
    id="F042",
    name="text-too-short",
    severity="error",
    title="内容过短",
    message="“{header}”至少{min_length}个字，现在是{length}个字。",
    hint="写清具体情况，例如风险的起因、时间和影响。",
    clause=_FORMS,
    description="说明类文本列有最小长度（如风险情况说明至少4个字），避免只填“无”“有”。",
    fail={"annex1": {"set": {"risk_note": "因病"}}},
    passing={"annex1": {"set": {"risk_note": "户主患病住院，医疗支出较大"}}},
)
NAME = rule(
    id="F043",
    name="name-invalid",
    severity="error",
    title="姓名含有非汉字字符",
    message="“{header}”只能填写汉字姓名（少数民族姓名可用“·”分隔），现在含有{what}。",
    hint="按身份证上的姓名填写汉字；不要加称谓、备注或拼音。",
    clause="数据标准（列设置）",
    description="姓名列为2—20个汉字，少数民族姓名的分隔点写作“·”；含字母、数字或其他符号的按错误处理。",
    fail={"annex1": {"set": {"head_name": "Zhang San"}}},
    passing={},
)
NAME_NORMALISED = rule(
    id="F044",
    name="name-normalised",
    severity="warning",
    title="姓名中的空格或分隔点已规范",
    message="“{header}”中的{what}已规范，按规范后的姓名读取。",
    hint="姓名中间不要加空格；少数民族姓名的分隔点统一写作“·”。",
    clause="数据标准（列设置）",
    description="姓名中间的空格（常为对齐而加）被去掉，“•”“・”“.”等分隔点统一为“·”，并给出警告以便核对。",
    fail={"annex1": {"set": {"head_name": "张 三"}}},
    passing={},
)
LOST_DIGITS = rule(
    id="F050",
    name="number-lost-digits",
    severity="error",
    title="长数字已丢失",
    message="“{header}”是数值单元格，Excel 只保留15位有效数字，长数字已经丢失。{detail}",
    hint="先把本列设为“文本”格式，再按原始材料重新录入（只改格式不能找回丢失的数字）。",
    clause=_FORMS,
    description="户编号、电话等长数字被 Excel 当成数值时会丢失末几位或显示成科学计数法（如 5.32932E+17）。",
    fail={"annex1": {"set": {"household_number": "5.32932E+15"}}},
    passing={},
)
DATE_CELL = rule(
    id="F051",
    name="unexpected-date-cell",
    severity="error",
    title="被 Excel 识别成了日期",
    message="“{header}”被 Excel 识别成了日期（{shown}），原来的内容可能已经改变。",
    hint="把本列设为“文本”格式，再重新录入本格。",
    clause=_FORMS,
    description="“3-1”“1/2”之类的文本在 Excel 中会被自动转成日期；文本列和数值列中出现日期单元格按错误处理。",
    fail={"options": {"format": "xlsx"}, "annex1": {"set": {"village_group": dt.date(2020, 3, 1)}}},
    passing={"options": {"format": "xlsx"}},
    fail_note="在 Excel 中把“3-1”录入“村民小组”列，会自动变成日期3月1日。",
)
PHONE = rule(
    id="F060",
    name="phone-invalid",
    severity="error",
    title="电话号码不对",
    message="“{header}”不是有效的电话号码：{detail}。",
    hint="手机号填11位数字（1 开头），固定电话填“0872-”加7位号码。",
    clause="数据标准（列设置）",
    description="联系电话为11位手机号（1[3-9] 开头）或大理州固定电话 0872-XXXXXXX。",
    fail={"annex1": {"set": {"phone": "1381234567"}}},
    passing={"annex1": {"set": {"phone": "0872-4123456"}}},
)
PHONE_FORMAT = rule(
    id="F061",
    name="phone-format",
    severity="info",
    title="电话号码写法已规范",
    message="“{header}”的电话号码已按标准写法读取（{how}）。",
    hint="手机号写11位连续数字；固定电话写“0872-”加7位号码；本列最好设为“文本”格式。",
    clause="数据标准（列设置）",
    description="带空格、短横线、括号或 +86 的电话号码，以及数值单元格中的手机号，规范后接受并提示。",
    fail={"annex1": {"set": {"phone": "138 1234 5678"}}},
    passing={"annex1": {"set": {"phone": "13812345678"}}},
)

ID_LENGTH = rule(
    id="D001",
    name="id-length",
    severity="error",
    title="身份证号位数不对",
    message="“{header}”应为18位，现在是{length}位。",
    hint="对照身份证或户口簿重新录入全部18位。",
    clause=_ID,
    description="二代居民身份证号为18位：6位地址码、8位出生日期、3位顺序码和1位校验码。",
    fail={"annex1": {"set": {"head_id": "53293219850315001"}}},
    passing={},
)
ID_LEGACY = rule(
    id="D002",
    name="id-legacy-15",
    severity="error",
    title="15位老身份证号",
    message="“{header}”是15位的一代身份证号。",
    hint="请填写18位的二代身份证号（可在户籍系统或本人身份证上查到），不要自行换算。",
    clause=_ID,
    description="15位一代身份证号已停止使用；国家系统按18位号码比对。",
    fail={"annex1": {"set": {"head_id": "532932850315001"}}},
    passing={},
)
ID_NUMERIC = rule(
    id="D003",
    name="id-lost-digits",
    severity="error",
    title="身份证号被当成数字，末几位已丢失",
    message="“{header}”是数值单元格或科学计数法（如 5.32932E+17），Excel 只保留15位有效数字，身份证号已不完整。",
    hint="先把本列设为“文本”格式，再按身份证重新录入全部18位（只改格式不能找回丢失的数字）。",
    clause=_ID,
    description="身份证号必须存为文本；数值单元格会丢掉第16位以后的数字。",
    fail={"annex1": {"set": {"head_id": "5.32932E+17"}}},
    passing={},
)
ID_CHARACTERS = rule(
    id="D004",
    name="id-characters",
    severity="error",
    title="身份证号含有非法字符",
    message="“{header}”只能由数字组成，最后一位可以是 X。",
    hint="去掉字母、标点和其他符号，对照身份证重新录入。",
    clause=_ID,
    description="前17位只能是数字，第18位是数字或 X。",
    fail={"annex1": {"set": {"head_id": "53293219850315O011"}}},
    passing={},
)
ID_BIRTH = rule(
    id="D005",
    name="id-birth-date",
    severity="error",
    title="身份证号中的出生日期不存在",
    message="“{header}”第7—14位应是真实的出生日期（年月日），现在不是。",
    hint="对照身份证逐位核对出生日期部分。",
    clause=_ID,
    description="第7—14位是出生日期 YYYYMMDD，必须是日历上存在的日期，且不早于1900年。",
    fail={"annex1": {"set": {"head_id": "532932202002300017"}}},
    passing={},
)
ID_FUTURE = rule(
    id="D006",
    name="id-birth-future",
    severity="error",
    title="身份证号中的出生日期晚于今天",
    message="“{header}”中的出生日期晚于校验日期 {today}。",
    hint="对照身份证逐位核对出生日期部分（常见错误是年份录错）。",
    clause=_ID,
    description="出生日期不能晚于校验当天（报告中的“今天”）。",
    fail={"annex1": {"set": {"head_id": "532932209901010019"}}},
    passing={},
)
ID_CHECK = rule(
    id="D007",
    name="id-check-digit",
    severity="error",
    title="身份证号校验码不对",
    message="“{header}”第18位校验码与前17位不符，多半是其中某一位录错了。",
    hint="对照身份证逐位核对全部18位；不要只改最后一位。",
    clause=_ID,
    description="第18位按 ISO 7064 MOD 11-2 由前17位算出（权重 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2）。",
    fail={"annex1": {"set": {"head_id": "532932198503150012"}}},
    passing={"annex1": {"set": {"head_id": "532932198503150011"}}},
)
ID_NORMALISED = rule(
    id="D008",
    name="id-normalised",
    severity="warning",
    title="身份证号写法已规范",
    message="“{header}”含有{what}，已规范为标准写法后校验。",
    hint="身份证号写18位半角数字，最后一位的 x 用大写 X，中间不要加空格。",
    clause=_ID,
    description="全角数字、中间的空格、小写 x 会被规范；国家系统比对时可能不认这些写法，所以给出警告。",
    fail={"annex1": {"set": {"head_id": "532932 1985 0315 0011"}}},
    passing={"annex1": {"set": {"head_id": "532932198503150011"}}},
)

RULES = {
    r.id: r
    for r in (
        REQUIRED, INTEGER, RANGE, MONEY, MONEY_NEGATIVE, MONEY_DECIMALS, MONEY_SEPARATORS, DATE,
        DATE_NOT_REAL, DATE_FORMAT, MONTH, MONTH_FORMAT, BOOLEAN, BOOLEAN_FORMAT, CODE_UNKNOWN,
        CODE_SYNONYM, LIST_DUPLICATE, LIST_COUNT, LIST_EXCLUSIVE, PATTERN, TOO_LONG, TOO_SHORT, NAME,
        NAME_NORMALISED, LOST_DIGITS, DATE_CELL, PHONE, PHONE_FORMAT, ID_LENGTH, ID_LEGACY, ID_NUMERIC,
        ID_CHARACTERS, ID_BIRTH, ID_FUTURE, ID_CHECK, ID_NORMALISED, CODE_OPEN, CODE_APPROXIMATE,
    )
}  # fmt: skip
