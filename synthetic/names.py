"""Chinese names and place names for the synthetic county.

Surnames are drawn with their real-world weights (a few double surnames
included), given names from pools that follow the fashion of the birth
decade, so namesakes occur as they do in a real county.

Examples
--------
>>> import random
>>> rng = random.Random(1)
>>> s = pick_surname(rng)
>>> name = person_name(rng, s, "女", 1990)
>>> name.startswith(s) and 2 <= len(name) <= 4
True
"""

from __future__ import annotations

import random
from itertools import accumulate

# (surname, weight per mille): the most common surnames, then some double ones.
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 18), ("周", 17), ("徐", 13), ("孙", 13), ("马", 11), ("朱", 11),
    ("胡", 10), ("郭", 9.7), ("何", 9), ("高", 8.7), ("林", 8.7), ("罗", 8.5), ("郑", 7),
    ("梁", 6.9), ("谢", 6), ("宋", 5), ("唐", 5), ("许", 4.7), ("韩", 4.6), ("冯", 4.4),
    ("邓", 4.3), ("曹", 4.2), ("彭", 4.1), ("曾", 4), ("肖", 4), ("田", 4), ("董", 3.9),
    ("袁", 3.7), ("潘", 3.6), ("于", 3.5), ("蒋", 3.5), ("蔡", 3.4), ("余", 3.3), ("杜", 3.2),
    ("叶", 3.2), ("程", 3.1), ("苏", 3), ("魏", 2.9), ("吕", 2.8), ("丁", 2.7), ("任", 2.6),
    ("沈", 2.5), ("姚", 2.4), ("卢", 2.4), ("姜", 2.3), ("崔", 2.2), ("钟", 2.2), ("谭", 2.1),
    ("陆", 2), ("汪", 2), ("范", 2), ("金", 1.9), ("石", 1.9), ("廖", 1.9), ("贾", 1.8),
    ("夏", 1.8), ("韦", 1.8), ("付", 1.7), ("方", 1.7), ("白", 1.6), ("邹", 1.6), ("孟", 1.5),
    ("熊", 1.5), ("秦", 1.5), ("邱", 1.5), ("江", 1.4), ("尹", 1.4), ("薛", 1.3), ("闫", 1.3),
    ("段", 1.3), ("雷", 1.3), ("侯", 1.2), ("龙", 1.2), ("史", 1.2), ("陶", 1.1), ("黎", 1.1),
    ("贺", 1.1), ("顾", 1.1), ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1),
    ("严", 1), ("覃", 0.9), ("武", 0.9), ("戴", 0.9), ("莫", 0.8), ("孔", 0.8), ("向", 0.8),
    ("汤", 0.8), ("欧阳", 0.8), ("司马", 0.2), ("诸葛", 0.1), ("上官", 0.15), ("皇甫", 0.08),
    ("东方", 0.06),
)
SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM: list[float] = list(accumulate(w for _, w in _SURNAMES))

# Given-name characters by (gender, born before 1975): first and second characters of
# two-character names, then one-character names.
_GIVEN_A: dict[tuple[str, bool], str] = {
    ("男", True): "建国志永德学文金长福春振光家海红立庆明宏新伟正玉世忠树",
    ("女", True): "秀桂玉凤兰淑丽春冬红金美翠彩月素小海爱晓",
    ("男", False): "浩子宇俊博皓天明思嘉志文鹏振晓泽家一梓睿晨奕永建雨昊",
    ("女", False): "欣子梓诗雨佳思一晓丽美可梦心紫若语静婉雅亚",
}
_GIVEN_B: dict[tuple[str, bool], str] = {
    ("男", True): "国华强明军平林峰生山东成荣祥忠海波清安民武才发贵勇斌",
    ("女", True): "英兰珍梅芳华琴花香莲霞云凤芬娥萍娟玲艳",
    ("男", False): "然轩杰文豪远航宇辰博鸣飞东峰涛洋森林阳楠铭诚凯鑫磊",
    ("女", False): "怡涵琪妍诺欣婷燕丽娟玲瑶菲萱悦彤洁雯琳颖",
}
_GIVEN_ONE: dict[tuple[str, bool], str] = {
    ("男", True): "勇军伟强明刚平斌林峰海波兵辉杰华忠祥利荣德成新东",
    ("女", True): "丽芳敏静红霞燕萍娟英华梅琴兰莉凤云珍艳玲",
    ("男", False): "浩宇轩杰涛磊鑫斌超鹏帅阳健博俊昊晨伟强亮",
    ("女", False): "婷雪倩颖洁琳静慧敏丹璐瑶悦婧芳娟",
}


def pick_surname(rng: random.Random) -> str:
    """A surname drawn with real-world weights.

    Examples
    --------
    >>> pick_surname(random.Random(0)) in SURNAMES
    True
    """
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def person_name(rng: random.Random, surname: str, gender: str, birth_year: int) -> str:
    """A full name: the surname and a 1- or 2-character given name of the person's era.

    Examples
    --------
    >>> person_name(random.Random(3), "欧阳", "男", 1960).startswith("欧阳")
    True
    """
    key = (gender, birth_year < 1975)
    if rng.random() < (0.22 if key[1] else 0.12):
        return surname + rng.choice(_GIVEN_ONE[key])
    first = rng.choice(_GIVEN_A[key])
    second = rng.choice(_GIVEN_B[key])
    while second == first:
        second = rng.choice(_GIVEN_B[key])
    return surname + first + second


def name_quirk(rng: random.Random, name: str, surname_len: int) -> str:
    """The same name as a careless clerk types it: a full-width or stray space.

    Examples
    --------
    >>> name_quirk(random.Random(0), "王伟", 1) in ("王　伟", "王 伟", "王伟 ", " 王伟")
    True
    """
    kind = rng.randrange(4)
    if kind == 0:
        return name[:surname_len] + "\u3000" + name[surname_len:]
    if kind == 1:
        return name[:surname_len] + " " + name[surname_len:]
    if kind == 2:
        return name + " "
    return " " + name


_PLACE_A = "云青白石柳桃临安永宁平和兴丰长新龙凤金银东西南北清江黄红绿泉溪沙梅竹松"
_PLACE_B = "溪川河山水阳源江岭林丘泉坪口湾坝塘桥湖沟洲滩峰"
TOWN_SEAT = "城关镇"
STREETS: tuple[str, ...] = (
    "建设路", "人民路", "解放路", "中山路", "新华路", "文化路", "胜利路", "光明路", "东风路",
    "和平路", "迎宾大道", "滨江路", "工业路", "站前路", "府前街", "民主街", "青年路", "健康路",
    "朝阳路", "长安街",
)
VILLAGE_WORDS: tuple[str, ...] = (
    "石桥", "柳树", "新庄", "大坪", "小河", "桃源", "杨柳", "枫林", "竹园", "红旗", "联合",
    "光明", "长岭", "双河", "清泉", "上坪", "下坪", "白沙", "黄土", "梅林", "松树", "龙潭",
    "凤凰", "金星", "高山", "团结", "胜利", "友谊", "新田", "老屋", "塘坝", "茶园", "花园",
    "马鞍", "石门", "大湾", "中心", "向阳", "和平", "太平",
)
BRANDS_A = "鑫宏恒华金永顺天万盛兴汇博瑞鼎泰隆昌佳达诚信德通远明利福安祥豪成宇辉丰凯嘉"
BRANDS_B = "达远通盛穗兴发成利源鼎泰昌隆华丰辉瑞祥宏盈晟航凯润铭邦诚信业洲"


def place_name(rng: random.Random) -> str:
    """Two characters that read like a Chinese place name.

    Examples
    --------
    >>> len(place_name(random.Random(0)))
    2
    """
    return rng.choice(_PLACE_A) + rng.choice(_PLACE_B)


def brand_name(rng: random.Random) -> str:
    """A two-character trade name of the kind small Chinese companies choose.

    Examples
    --------
    >>> len(brand_name(random.Random(0)))
    2
    """
    return rng.choice(BRANDS_A) + rng.choice(BRANDS_B)
