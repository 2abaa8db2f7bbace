"""Where an entity sits: its township and village, its government body, its sectors.

The data layout has no township column: ``region`` holds an administrative division code
or name (in generated and most real county data, the county's own code for everyone),
so the township and village are read from what is written:

- a government body (``agency``) or village committee: its **name**
  (``桃峰县东滩镇人民政府`` is in 东滩镇; ``桃峰县东滩镇大湾村村民委员会`` in 东滩镇 大湾村),
  else the body above it (``parent_org_id``); a county bureau's name names no township,
  and it is left county-level (its street address in the county seat is not its area);
- a company or another organisation: its **address**, else its name, else ``region``;
- a person: his or her **address**, else ``region``, else the village or township of the
  village committee or township government where he or she holds a post;
- a contract or payment: the place of the body that bought or paid.

``region`` counts when it names a township (text) or is a 9-digit township or
12-digit village division code (GB/T 2260 and its extension).

Examples
--------
>>> place("桃峰县城关镇塘坝村村民委员会")
('城关镇', '塘坝村')
>>> place("城关镇农贸市场3号"), place("湖南省桃峰县沙河乡长安街59号")
(('城关镇', None), ('沙河乡', None))
>>> place("桃峰县教育局"), place("桃峰县住房和城乡建设局"), place("")
((None, None), (None, None), (None, None))
>>> place("431221104000"), place("431221104211")
(('431221104', None), ('431221104', '431221104211'))
"""

from __future__ import annotations

import re

#: A township (镇, 乡, 街道) right where the text starts after the larger divisions.
_TOWNSHIP = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:镇|乡|街道|苏木)")
#: A village or urban community right after the township.
_VILLAGE = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:村|社区|嘎查)")
#: The characters that end a larger division (province, city, county, district, banner).
_ENDS = "省市县区旗州盟"
_CODE = re.compile(r"\d{9}(?:\d{3})?")
#: Words that end like a township but name none (``住房和城乡建设局``, ``乡镇``, ``乡村``).
_NOT_TOWNSHIP = re.compile(r"城乡$|[和与及]|^乡$|乡镇$|镇乡$")


def place(text: str | None) -> tuple[str | None, str | None]:
    """The township and village a written place names (None where it names none).

    The township is looked for at the start of the text, or right after a larger
    division's name (``…县``, ``…市``; the last such cut that leaves a township wins,
    so ``桃峰县城关镇`` is 城关镇, not 桃峰县城关镇); the village right after the
    township. A 9- or 12-digit division code is a township or village code.
    """
    s = (text or "").strip().replace(" ", "").replace("\u3000", "")
    if not s:
        return None, None
    if _CODE.fullmatch(s):
        township = s[:9] if s[6:9] != "000" else None
        village = s if len(s) == 12 and s[9:] != "000" and township else None
        return township, village
    cuts = [0, *(i + 1 for i, ch in enumerate(s[:16]) if ch in _ENDS)]
    for cut in reversed(cuts):
        m = _TOWNSHIP.match(s, cut)
        if m and not _NOT_TOWNSHIP.search(m.group(0)):
            v = _VILLAGE.match(s, m.end())
            return m.group(0), v.group(0) if v else None
    return None, None


def area_keys(township: str | None, village: str | None) -> list[str]:
    """The region areas of a place: its township, and its village within it.

    Examples
    --------
    >>> area_keys("城关镇", "塘坝村"), area_keys(None, "塘坝村")
    (['township:城关镇', 'village:城关镇/塘坝村'], [])
    """
    if not township:
        return []
    return [f"township:{township}", *([f"village:{township}/{village}"] if village else [])]
