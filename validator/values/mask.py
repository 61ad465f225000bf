"""Masking of personal data: names, ID numbers and phone numbers.

Reports show personal values masked unless the user explicitly asks otherwise, so a report
can be mailed to the county or pasted into a chat without leaking who is on the list. The
masks keep just enough for a clerk to find the row again: the address code and the last four
characters of an ID, the surname, the last four digits of a phone.
"""

from __future__ import annotations

import re
from functools import lru_cache

KINDS = ("name", "id_number", "phone")

# Two-character surnames: keeping only their first character would look like a different name.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 西门 "
    "万俟 轩辕 呼延 申屠 澹台 公冶 太叔 闻人 赫连 钟离 宗政 濮阳 淳于 单于 拓跋 完颜 百里 东郭 "
    "段干 左丘 司空 亓官 司寇 第五".split()
)
_NAME_SEPARATORS = frozenset("·•・‧.．")


def mask(kind: str, value: object) -> str:
    """Mask one personal value of the given kind (name, id_number, phone)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return text
    if kind == "id_number":
        return _mask_id(text)
    if kind == "phone":
        return _mask_phone(text)
    if kind == "name":
        return _mask_name(text)
    raise ValueError(f"unknown personal data kind: {kind}")


def mask_text(text: str, kind: str, value: object) -> str:
    """Replace every occurrence of `value` inside `text` by its mask (for messages that quote it)."""
    raw = "" if value is None else str(value).strip()
    if not raw or raw not in text:
        return text
    return text.replace(raw, mask(kind, raw))


# What an ID or phone cell holds when it holds an ID or a phone (also as Excel mangled it). Any
# other text in such a cell (a shifted row, a whole record in one cell) is starred out entirely:
# keeping its head and tail would show whatever happens to stand there.
_ID_SHAPE = re.compile(r"[0-9Xx.Ee+\s]+")
_PHONE_SHAPE = re.compile(r"[0-9\s\-－+()（）#,，/、;；转]+")


def _mask_all(text: str) -> str:
    return "*" * len(text)


def _mask_id(text: str) -> str:
    if not _ID_SHAPE.fullmatch(text):
        return _mask_all(text)
    n = len(text)
    if n >= 15:  # 18-digit IDs and 15-digit legacy ones: address code + last four
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n >= 8:
        return text[:3] + "*" * (n - 5) + text[-2:]
    return "*" * n


def _mask_phone(text: str) -> str:
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or not _PHONE_SHAPE.fullmatch(text):
        return _mask_all(text)
    # Keep an area code written before a separator (0872-), then star all digits but the
    # last four, so 13812341234 -> 138****1234 and 0872-1234567 -> 0872-***4567.
    head = 0
    for sep in "-－ ":
        at = text.find(sep)
        if 0 < at <= 4:  # 0872-, 138 : a prefix, never a whole first number
            head = at + 1
            break
    if head == 0:
        head = 3 if digits >= 10 else 0
    out = list(text)
    seen = 0
    for i in range(len(text) - 1, head - 1, -1):
        if out[i].isdigit():
            seen += 1
            if seen > 4:
                out[i] = "*"
    return "".join(out)


def _mask_name(text: str) -> str:
    keep = 2 if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES else 1
    if len(text) <= keep:
        return text[0] + "*" if len(text) > 1 else "*"
    # Separator dots in minority names stay visible: they carry no identity.
    return text[:keep] + "".join(ch if ch in _NAME_SEPARATORS else "*" for ch in text[keep:])


# ID and mobile numbers that turn up where no personal data is expected: a row shifted by a
# column, or a quote left open that pulls the following lines into one cell.
_ID_LIKE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
_MOBILE_LIKE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def scrub(text: str) -> str:
    """Mask every ID-number-like and mobile-number-like run of digits inside free text."""
    if len(text) < 11:
        return text
    text = _ID_LIKE.sub(lambda m: _mask_id(m.group()), text)
    return _MOBILE_LIKE.sub(lambda m: _mask_phone(m.group()), text)


# --- names where no name column says so, file names, text that cannot be encoded ----------------

# Common single-character surnames (the great majority of the population carries one of these).
# A value is taken for a personal name only when it starts with one of them: see `looks_like_name`.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈"
    "饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南"
    "班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿"
    "国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯"
    "隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NAME_LIKE = re.compile(rf"[{_CJK}]{{2,4}}|[{_CJK}]{{1,6}}(?:[·•・‧.．][{_CJK}]{{1,6}}){{1,3}}")
# Place names end with an administrative unit; "黄坪镇" or "新村" is not a person.
_PLACE_ENDINGS = frozenset("省市县区乡镇村组社队街道庄屯寨")


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every two-character run in the standard's own words: code-list labels, form and column titles.

    A value sharing one with them is a mistyped or misplaced code ("黄坪" for 黄坪镇, "因病"),
    not a personal name, and is shown as typed.
    """
    from validator import standard

    words: set[str] = set()
    for f in standard.forms():
        words.update((f["title"], f.get("full_title") or ""))
        words.update(field["title"] for field in f["fields"])
    for codes in standard.load().get("codelists", {}).values():
        words.update(str(item.get("label", "")) for item in codes.get("items", ()))
    return frozenset(w[i : i + 2] for w in words for i in range(len(w) - 1))


def looks_like_name(value: object) -> bool:
    """Whether a cell's text, typed where no name belongs, is probably a person's name.

    True for 2–4 Chinese characters (or a minority name with separator dots) that start with a
    common surname, do not end like a place name and share no two characters with the
    standard's own vocabulary. Reports mask such a value like a name when it fails its column's
    check (a name typed into 风险类型 or 家庭人口数), so a shifted row does not show the name.
    """
    text = "" if value is None else str(value).strip()
    if not _NAME_LIKE.fullmatch(text):
        return False
    if text[0] not in SURNAMES and text[:2] not in COMPOUND_SURNAMES:
        return False
    if text[-1] in _PLACE_ENDINGS:
        return False
    vocabulary = _vocabulary()
    return not any(text[i : i + 2] in vocabulary for i in range(len(text) - 1))


def scrub_value(text: str) -> str:
    """A value from a column that holds no personal data, as a masked report shows it.

    ID and mobile numbers inside it are masked; a value that is a person's name as a whole
    (`looks_like_name`) is masked like a name.
    """
    if 2 <= len(text) <= 20 and looks_like_name(text):
        return _mask_name(text.strip())
    text = scrub(text)
    if len(text) <= 200 and _PARTS.search(text):  # a list ("因病、李四"): each item on its own
        parts = _PARTS.split(text)
        if any(looks_like_name(p) for p in parts[::2]):
            parts[::2] = [_mask_name(p.strip()) if looks_like_name(p) else p for p in parts[::2]]
            return "".join(parts)
    return text


_PARTS = re.compile(r"([、，,；;/／\s]+)")


_SURROGATE = re.compile("[\ud800-\udfff]")


def readable(text: str) -> str:
    """Text that can always be written as UTF-8.

    A file name that is not valid UTF-8 (a Windows zip unpacked on Linux leaves GBK bytes)
    reaches Python as lone surrogates; each becomes U+FFFD, the same way every time.
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")
_NAME_BEFORE = re.compile(rf"([{_CJK}·]{{2,12}})[_\-\s.、，,（）()]?$")
_NAME_AFTER = re.compile(rf"^[_\-\s.、，,（）()]?([{_CJK}·]{{2,12}})")


def scrub_names_in_paths(text: str) -> str:
    """File and folder names (or a message quoting them) as a masked report shows them.

    ID and mobile numbers are masked as everywhere; a name written next to one of them
    ("张秘密_110101199003075555.csv", "13812341234李四.xlsx") is masked like a name, because
    a file named after a person carries the name beside the number. A name on its own in a
    file name ("张三.csv") is not recognised: too many file names are ordinary words.
    Undecodable bytes in a name are shown as U+FFFD (`readable`).
    """
    text = readable(text)
    if len(text) < 11 or not _NUMBER.search(text):
        return text
    out = []
    last = 0
    for m in _NUMBER.finditer(text):
        before = text[last : m.start()]
        before_m = _NAME_BEFORE.search(before)
        if before_m:
            name = _name_at_end(before_m.group(1))
            if name:
                cut = before_m.start(1) + len(before_m.group(1)) - len(name)
                before = before[:cut] + _mask_name(name) + before[cut + len(name) :]
        out.append(before)
        number = m.group()
        out.append(_mask_phone(number) if len(number) == 11 else _mask_id(number))
        last = m.end()
        after_m = _NAME_AFTER.search(text[last:])
        if after_m:
            name = _name_at_start(after_m.group(1))
            if name:
                start = last + after_m.start(1)
                out.append(text[last:start] + _mask_name(name))
                last = start + len(name)
    out.append(text[last:])
    return "".join(out)


def _name_at_end(run: str) -> str | None:
    for n in (3, 2, 4):
        if len(run) >= n and looks_like_name(run[-n:]):
            return run[-n:]
    return None


def _name_at_start(run: str) -> str | None:
    for n in (3, 2, 4):
        if len(run) >= n and looks_like_name(run[:n]):
            return run[:n]
    return None


# A full ID number (18 digits, or the 15-digit legacy form) has a birth date where one belongs;
# a mobile number is 11 digits from 13x to 19x. Used to prove that masked output holds none.
_FULL_ID = (
    r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    r"|[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
)
UNMASKED = re.compile(rf"(?<![0-9])(?:{_FULL_ID}|1[3-9][0-9]{{9}})(?![0-9Xx])")
UNMASKED_BYTES = re.compile(UNMASKED.pattern.encode("ascii"))


def unmasked(text: str) -> list[str]:
    """Every full ID number or mobile number in `text`: what masked output must never contain."""
    return UNMASKED.findall(text)


def file_name_safe(text: str) -> str:
    """`scrub_names_in_paths` for a name the program gives a file on disk: "*" becomes "x"
    (Windows forbids "*" in file names)."""
    return scrub_names_in_paths(text).replace("*", "x")
