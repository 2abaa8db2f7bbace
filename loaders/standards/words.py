"""Free-text relation and role words of other standards, read as layout vocabulary.

FollowTheMoney and BODS describe family ties, company roles and case roles in
words ("Wife", "Family member of", "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", "defendant"). These
functions map them onto the layout's vocabularies, or return the word itself
(lower-cased) when nothing fits, so validation sets the row aside with
``bad_vocabulary`` and the word in the message.

Examples
--------
>>> kin_word("Wife"), kin_word("son-in-law"), kin_word("Family member of")
('spouse', 'in_law', '')
>>> company_role_word("Генеральный директор", "director"), company_role_word("", "director")
('manager', 'director')
>>> case_role_word("Defendant"), case_role_word("amicus")
('suspect', 'amicus')
"""

from __future__ import annotations

import re

# Order matters: in-law words contain "son", "mother"...; grand- words contain "son"...
_KIN: list[tuple[str, str]] = [
    (r"in[\s_-]*law|step|姻亲|岳父|岳母|公公|婆婆|女婿|儿媳|妯娌|连襟|小叔|小姑|大伯|嫂|弟媳|"
     r"姐夫|妹夫", "in_law"),
    (r"grand(mother|father|parent)|祖父|祖母|外公|外婆|爷爷|奶奶", "grandparent"),
    (r"grand(son|daughter|child)|孙", "grandchild"),
    (r"spouse|wife|husband|married|partner|配偶|妻|丈夫|夫人|老婆|老公|супруг|жена|муж", "spouse"),
    (r"mother|father|parent|父|母|мать|отец", "parent"),
    (r"\bson\b|daughter|child|子|女儿|сын|дочь", "child"),
    (r"brother|sister|sibling|兄|弟|姐|妹|брат|сестра", "sibling"),
    (r"associate|business|friend|colleague|partner in", "associate"),
]
_ROLE: list[tuple[str, str]] = [
    (r"beneficial", "beneficial_owner"),
    (r"legal\s*rep|法定代表人|法人代表", "legal_rep"),
    (r"supervis|监事|auditor", "supervisor"),
    (r"general director|генеральн|chief exec|\bceo\b|managing|manager|经理|总裁|"
     r"president|executive|исполнительн|head\b", "manager"),
    (r"director|board|董事|директор|chair|leader|official|officer|руковод", "director"),
    (r"shareholder|owner|股东|участник|учредител", "shareholder"),
]
_CASE_ROLE: list[tuple[str, str]] = [
    (r"gang\s*leader|ringleader|boss|首要分子|组织者|领导者", "gang_leader"),
    (r"gang|member of|成员", "gang_member"),
    (r"defendant|accused|suspect|respondent|被告|嫌疑|sanctioned", "suspect"),
    (r"victim|被害", "victim"),
    (r"plaintiff|claimant|complainant|petitioner|原告|举报|控告", "complainant"),
    (r"judge|法官|审判", "judge"),
    (r"prosecut|检察", "prosecutor"),
    (r"investigat|police|侦查|公安", "investigator"),
    (r"approv|批准|审批", "approver"),
]
_CASE_KIND: list[tuple[str, str]] = [
    (r"organi[sz]ed|mafia|gang|黑社会|涉黑|涉恶|racketeer", "organized_crime"),
    (r"corrupt|brib|embezzl|贪污|受贿|行贿|腐败", "corruption"),
    (r"disciplin|违纪|纪律", "disciplinary"),
    (r"criminal|crime|刑事", "criminal"),
]
_OUTCOME: list[tuple[str, str]] = [
    (r"acquit|无罪", "acquitted"), (r"convict|guilty|sentenced|有罪|判处", "convicted"),
    (r"dismiss|dropped|withdrawn|撤销|不起诉", "dropped"), (r"sanction|处分", "sanctioned"),
    (r"transfer|移送", "transferred"), (r"pending|open|ongoing|审理中", "pending"),
]


def _first(patterns: list[tuple[str, str]], word: str) -> str:
    low = word.lower()
    for pattern, code in patterns:
        if re.search(pattern, low):
            return code
    return ""


def kin_word(word: str) -> str:
    """The layout relation a family word names; '' when it names no particular tie."""
    return _first(_KIN, word)


def company_role_word(word: str, default: str) -> str:
    """The company role a title names; ``default`` for a blank title, else the word."""
    if not word.strip():
        return default
    return _first(_ROLE, word) or word.strip().lower()


def case_role_word(word: str) -> str:
    """The case role a word names, else the word (set aside as bad vocabulary)."""
    return _first(_CASE_ROLE, word) or word.strip().lower()


def case_kind_word(*words: str) -> str:
    """The case kind the words name; ``other`` when none does."""
    return next((k for k in (_first(_CASE_KIND, w) for w in words) if k), "other")


def outcome_word(*words: str) -> str:
    """The case outcome the words name; '' when none does."""
    return next((k for k in (_first(_OUTCOME, w) for w in words) if k), "")
