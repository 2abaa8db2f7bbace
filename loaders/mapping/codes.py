"""Chinese labels of the layout's code values, and header words of its columns.

Declared once here; checked against :mod:`graph.schema` at import time, so a
label can never map to a value the layout does not know.

Examples
--------
>>> LABELS["relation"]["儿子"], LABELS["role"]["法定代表人"]
('child', 'legal_rep')
>>> guess_field("公民身份号码"), guess_field("任职情况/职务"), guess_field("备注")
('id_number', 'title', None)
"""

from __future__ import annotations

import re
import unicodedata

from graph import schema
from graph.errors import SchemaError


def _labels(**groups: str) -> dict[str, str]:
    return {label: value for value, text in groups.items() for label in text.split()}


_RELATION = _labels(
    spouse="配偶 妻子 丈夫 妻 夫 爱人 老婆 老公 夫妻",
    parent="父亲 母亲 父 母 爸爸 妈妈 养父 养母 继父 继母 父母",
    child="儿子 女儿 子 女 长子 次子 三子 长女 次女 三女 养子 养女 继子 继女 子女",
    sibling="兄弟 姐妹 哥哥 弟弟 姐姐 妹妹 兄 弟 姐 妹 兄弟姐妹 胞兄 胞弟 胞姐 胞妹",
    grandparent="祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆 祖父母 外祖父母",
    grandchild="孙子 孙女 外孙 外孙女 孙子女 外孙子女",
    in_law="岳父 岳母 公公 婆婆 儿媳 女婿 儿媳妇 嫂子 嫂 弟媳 姐夫 妹夫 连襟 妯娌 "
           "大伯子 小叔子 大姑子 小姑子 内兄 内弟 妻兄 妻弟 妻姐 妻妹 姻亲",
    associate="朋友 同学 同事 合伙人 战友 老乡 特定关系人",
)
_ROLE = _labels(
    shareholder="股东 出资人 投资人 发起人 合伙人",
    legal_rep="法定代表人 法人代表 法人 执行事务合伙人",
    director="董事 董事长 副董事长 执行董事 独立董事",
    supervisor="监事 监事长 监事会主席",
    manager="经理 总经理 副总经理 厂长",
    beneficial_owner="实际控制人 受益所有人 最终受益人",
)
_CASE_ROLE = _labels(
    suspect="犯罪嫌疑人 嫌疑人 被告人 被调查人 被审查人",
    gang_leader="首要分子 组织者 领导者 组织领导者 头目",
    gang_member="成员 骨干成员 积极参加者 一般参加者 参加者",
    victim="被害人 受害人",
    complainant="举报人 控告人 信访人",
    investigator="办案人 侦查员 调查人员 承办人",
    prosecutor="检察官 公诉人",
    judge="法官 审判长 审判员",
    approver="审批人 批准人 签批人",
)
_KIND_ORG = _labels(
    agency="机关 行政机关 党政机关 事业单位 政府部门",
    village_committee="村委会 村民委员会 居委会 居民委员会 社区居委会",
    company="企业 公司 有限公司 个体工商户 合作社",
    other="其他 社会组织",
)
_KIND_CASE = _labels(
    organized_crime="涉黑 涉恶 黑社会性质组织 恶势力 涉黑涉恶",
    corruption="贪污 受贿 贪污贿赂 职务犯罪 行贿",
    disciplinary="违纪 党纪 政务处分",
    criminal="刑事 刑事案件",
    other="其他",
)
LABELS: dict[str, dict[str, str]] = {
    "relation": _RELATION,
    "role": {**_ROLE, **_CASE_ROLE},
    "kind": {**_KIND_ORG, **_KIND_CASE},
    "method": _labels(open="公开招标 公开 竞争性磋商 竞争性谈判", invited="邀请招标 邀请",
                      direct="单一来源 直接发包 直接委托 直接采购"),
    "status": _labels(valid="有效 中标 未中标", disqualified="无效 废标 否决 不合格",
                      withdrawn="撤回 放弃"),
    "outcome": _labels(pending="在办 待审 审理中 侦查中", convicted="判决有罪 已判决 有罪",
                       sanctioned="处分 党纪处分 政务处分 已处分", acquitted="无罪 宣告无罪",
                       dropped="撤案 撤销案件 不起诉 终止调查", transferred="移送 移送司法"),
}
"""Per layout column name: Chinese label -> code value (applied after a mapping's own ``map``)."""

_VOCABS = {"relation": schema.TIE_RELATIONS,
           "role": (*schema.COMPANY_ROLES, *schema.CASE_ROLES),
           "kind": (*schema.ORG_KINDS, *schema.CASE_KINDS), "method": schema.CONTRACT_METHODS,
           "status": schema.BID_STATUSES, "outcome": schema.CASE_OUTCOMES}
for _col, _labels_of in LABELS.items():
    _bad = sorted(set(_labels_of.values()) - set(_VOCABS[_col]))
    if _bad:
        raise SchemaError(f"loaders.mapping.codes: {_col} labels map to unknown values {_bad}")

#: Header words per guessed field, best first. ``org`` is an organization's name,
#: ``official`` the person a kinship row belongs to (often written "张三（P001）").
HEADERS: dict[str, tuple[str, ...]] = {
    "person_id": ("人员编号", "干部编号", "编号", "工号", "人员代码", "person_id"),
    "official": ("干部", "干部姓名", "本人姓名", "党员干部", "所属干部", "干部(编号)",
                 "干部姓名(编号)", "本人"),
    "name": ("姓名", "名字", "人员姓名", "亲属姓名", "成员姓名", "家庭成员姓名", "户主姓名",
             "name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证",
                  "居民身份证号", "居民身份证号码", "证件号码", "亲属身份证号", "id_number"),
    "gender": ("性别", "gender"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "birth_date"),
    "death_date": ("死亡日期", "死亡时间", "去世时间", "death_date"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码", "联系方式", "phone"),
    "address": ("地址", "住址", "家庭住址", "户籍地址", "现住址", "通讯地址", "address"),
    "region": ("行政区划", "区划代码", "所属地区", "所属乡镇", "region"),
    "org": ("单位", "工作单位", "所在单位", "任职单位", "单位名称", "现工作单位", "org"),
    "title": ("职务", "职位", "现任职务", "岗位", "职务名称", "title"),
    "start_date": ("任职时间", "任职日期", "任现职时间", "开始日期", "起始时间",
                   "任职起始时间", "start_date"),
    "end_date": ("免职时间", "离任时间", "结束日期", "终止日期", "任职结束时间", "end_date"),
    "relation": ("称谓", "关系", "与本人关系", "家庭关系", "亲属关系", "与干部关系", "relation"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "credit_code"),
}


def header_key(text: str) -> str:
    """A header cell as compared: NFKC, no blanks, lower case, ASCII parentheses.

    Examples
    --------
    >>> header_key(" 出生\\n年月 "), header_key("ＩＤ")
    ('出生年月', 'id')
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


_WORDS = {header_key(w): f for f, words in HEADERS.items() for w in words}


def guess_field(header: str) -> str | None:
    """The field a header most likely holds (its last part for a multi-row header)."""
    key = header_key(header)
    return _WORDS.get(key) or _WORDS.get(key.rsplit("/", 1)[-1])
