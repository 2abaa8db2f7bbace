"""What the county buys, pays, prosecutes and hears about: trades, items, programs, topics.

Examples
--------
>>> TRADES["sand"].suffixes[0]
'砂石有限公司'
>>> sorted({s for item in ITEMS for s in (item.sector,)}) == sorted(
...     {s for s in __import__("graph.schema").schema.SECTORS})
True
>>> PROGRAMS["最低生活保障金"].sector
'social_security'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trade:
    """A line of business: company-name suffixes and how common it is."""

    key: str
    suffixes: tuple[str, ...]
    weight: float


TRADES: dict[str, Trade] = {t.key: t for t in (
    Trade("construction", ("建筑工程有限公司", "建设工程有限公司", "市政工程有限公司",
                           "路桥工程有限公司", "建筑安装工程有限公司"), 26),
    Trade("water", ("水利水电工程有限公司", "水利建设有限公司"), 6),
    Trade("decoration", ("装饰工程有限公司", "装饰设计工程有限公司"), 6),
    Trade("sand", ("砂石有限公司", "建材有限公司", "砂石开采有限公司"), 5),
    Trade("trading", ("商贸有限公司", "贸易有限公司", "办公用品有限公司"), 12),
    Trade("medical", ("医疗器械有限公司", "医药有限公司"), 5),
    Trade("agri", ("农资有限公司", "农业科技有限公司", "农机销售有限公司"), 6),
    Trade("it", ("信息技术有限公司", "网络科技有限公司", "电子科技有限公司"), 7),
    Trade("security", ("安防科技有限公司", "消防设备有限公司"), 4),
    Trade("env", ("环保科技有限公司", "环境工程有限公司"), 4),
    Trade("services", ("物业管理有限公司", "保洁服务有限公司", "餐饮管理有限公司"), 6),
    Trade("labor", ("劳务派遣有限公司", "人力资源服务有限公司"), 3),
    Trade("transport", ("运输有限公司", "物流有限公司"), 3),
    Trade("testing", ("检测技术有限公司", "检验检测有限公司"), 3),
    Trade("entertainment", ("娱乐有限公司", "文化娱乐有限公司", "休闲会所有限公司"), 3),
    Trade("printing", ("印务有限公司", "广告传媒有限公司"), 3),
)}


@dataclass(frozen=True)
class Item:
    """Something a body buys: title template, sector, trades that supply it, amount range."""

    title: str
    sector: str
    trades: tuple[str, ...]
    low: int
    high: int


_W = ("construction",)
ITEMS: tuple[Item, ...] = (
    Item("{school}教学楼维修改造工程", "education", ("construction", "decoration"), 300_000,
         3_000_000),
    Item("{school}学生食堂设备采购", "education", ("trading",), 80_000, 600_000),
    Item("{school}多媒体教学设备采购", "education", ("it", "trading"), 100_000, 1_200_000),
    Item("{school}运动场改造工程", "education", _W, 400_000, 2_500_000),
    Item("{hospital}医疗设备采购", "healthcare", ("medical",), 200_000, 5_000_000),
    Item("{hospital}业务用房改造工程", "healthcare", ("construction", "decoration"), 300_000,
         4_000_000),
    Item("基层医疗机构医用耗材采购", "healthcare", ("medical",), 100_000, 900_000),
    Item("{town}至{town2}公路改造工程", "infrastructure", ("construction",), 2_000_000,
         30_000_000),
    Item("{village}道路硬化工程", "infrastructure", ("construction",), 300_000, 2_000_000),
    Item("县城{street}排水管网改造工程", "infrastructure", ("construction", "water"),
         800_000, 8_000_000),
    Item("{town}桥梁维修加固工程", "infrastructure", ("construction",), 500_000, 5_000_000),
    Item("公路养护砂石材料采购", "infrastructure", ("sand", "transport"), 150_000, 1_500_000),
    Item("{village}高标准农田建设项目", "rural", ("construction", "water"), 500_000,
         6_000_000),
    Item("{village}农村饮水安全巩固提升工程", "rural", ("water", "construction"), 300_000,
         3_000_000),
    Item("{village}人居环境整治项目", "rural", ("construction", "env"), 200_000, 1_500_000),
    Item("农业社会化服务农资采购", "rural", ("agri", "trading"), 100_000, 800_000),
    Item("{river}河道综合治理工程", "environment", ("water", "env", "construction"),
         1_000_000, 12_000_000),
    Item("农村生活污水处理设施建设项目", "environment", ("env", "construction"), 500_000,
         5_000_000),
    Item("环境监测设备采购", "environment", ("env", "testing"), 150_000, 1_500_000),
    Item("应急物资储备采购", "safety", ("trading", "security"), 100_000, 1_000_000),
    Item("消防设施设备采购", "safety", ("security",), 100_000, 1_200_000),
    Item("地质灾害隐患点治理工程", "safety", ("construction",), 300_000, 3_000_000),
    Item("食品安全快检设备采购", "food_drug", ("testing", "medical"), 80_000, 600_000),
    Item("食品抽检检测服务", "food_drug", ("testing",), 100_000, 900_000),
    Item("{town}派出所办公楼维修工程", "law_enforcement", ("construction", "decoration"),
         200_000, 2_000_000),
    Item("执法记录仪及视频监控系统采购", "law_enforcement", ("security", "it"), 150_000,
         2_500_000),
    Item("办案区智能化改造工程", "law_enforcement", ("it", "decoration"), 200_000, 1_500_000),
    Item("职业技能培训服务", "employment", ("labor",), 100_000, 800_000),
    Item("公益性岗位劳务派遣服务", "employment", ("labor",), 150_000, 1_000_000),
    Item("社会救助信息系统建设", "social_security", ("it",), 200_000, 1_500_000),
    Item("{town}敬老院改造工程", "social_security", ("construction", "decoration"),
         300_000, 2_500_000),
    Item("养老服务中心设备采购", "social_security", ("trading", "medical"), 100_000,
         800_000),
    Item("社保信息系统运维服务", "pension", ("it",), 100_000, 900_000),
    Item("养老保险档案数字化服务", "pension", ("it", "printing"), 80_000, 600_000),
    Item("办公楼维修改造工程", "other", ("construction", "decoration"), 150_000, 1_500_000),
    Item("办公家具采购", "other", ("trading",), 60_000, 500_000),
    Item("物业管理服务", "other", ("services",), 100_000, 900_000),
    Item("宣传印刷服务", "other", ("printing",), 50_000, 300_000),
)
ITEMS_BY_SECTOR: dict[str, tuple[Item, ...]] = {}
for _it in ITEMS:
    ITEMS_BY_SECTOR[_it.sector] = (*ITEMS_BY_SECTOR.get(_it.sector, ()), _it)
RIVERS = ("清水河", "白沙河", "柳溪", "龙潭河", "桃花江", "青龙河")
PHASES = ("一", "二", "三")


@dataclass(frozen=True)
class Program:
    """A subsidy program: who pays it, its sector, amounts in yuan and how often."""

    name: str
    sector: str
    payer: str
    low: int
    high: int
    recurring: bool
    min_age: int = 18


PROGRAMS: dict[str, Program] = {p.name: p for p in (
    Program("最低生活保障金", "social_security", "village", 300, 900, True),
    Program("高龄津贴", "social_security", "village", 100, 300, True, 80),
    Program("临时救助金", "social_security", "县民政局", 500, 5_000, False),
    Program("农机购置补贴", "rural", "县农业农村局", 2_000, 60_000, False, 25),
    Program("耕地地力保护补贴", "rural", "village", 400, 3_000, True, 25),
    Program("危房改造补助", "rural", "县住房和城乡建设局", 15_000, 40_000, False, 30),
    Program("城乡居民养老金", "pension", "县社会保险事务中心", 110, 300, True, 60),
    Program("医疗救助金", "healthcare", "县医疗保障局", 1_000, 20_000, False),
    Program("公益性岗位补贴", "employment", "县人力资源和社会保障局", 1_000, 2_000, True),
)}

CHANNELS = ("12388热线", "网络举报", "来信", "来访", "扫码举报", "巡察移交", "审计移交")
REPORT_TOPICS: dict[str, tuple[str, ...]] = {
    "official": ("反映{name}优亲厚友,违规审批补贴", "反映{name}利用职权为亲属承揽工程",
                 "反映{name}收受工程老板财物", "反映{name}作风粗暴、吃拿卡要",
                 "反映{name}违规插手工程招投标", "反映{name}与黑恶势力来往密切"),
    "company": ("反映{name}串通投标", "反映{name}以次充好、偷工减料",
                "反映{name}拖欠农民工工资", "反映{name}背后有公职人员入股"),
    "person": ("反映{name}不符合条件领取低保", "反映{name}强揽工程、欺行霸市",
               "反映{name}冒领已故亲属补贴", "反映{name}在村里横行霸道"),
}
CASE_TITLES: dict[str, tuple[str, ...]] = {
    "organized_crime": ("{name}等人涉恶势力犯罪集团案", "{name}等人寻衅滋事、强迫交易案",
                        "{name}等人非法采砂、聚众斗殴案", "{name}涉黑组织开设赌场案"),
    "corruption": ("{name}受贿案", "{name}贪污、挪用公款案", "{name}滥用职权案"),
    "disciplinary": ("{name}违规发放补贴问题", "{name}违反廉洁纪律问题",
                     "{name}优亲厚友问题", "{name}违规插手工程项目问题"),
    "criminal": ("{name}故意伤害案", "{name}盗窃案", "{name}诈骗案", "{name}非法拘禁案"),
}
