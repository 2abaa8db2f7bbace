"""Kin words by the direction of the tie and the gender on record, in both languages."""

from __future__ import annotations

import pytest

from graph.schema import KIN
from lang.kinship import INVERSE, gender_code, kin_words, reverse
from lang.message import Msg, kin, render
from queries.rules.cases import TEXT as CASE_TEXT


@pytest.mark.parametrize(("relation", "gender", "en", "zh"), [
    ("parent", "m", "father", "父亲"), ("parent", "f", "mother", "母亲"),
    ("parent", None, "parent", "父母"),
    ("child", "m", "son", "儿子"), ("child", "f", "daughter", "女儿"),
    ("child", None, "child", "子女"),
    ("spouse", "m", "husband", "丈夫"), ("spouse", "f", "wife", "妻子"),
    ("spouse", None, "spouse", "配偶"),
    ("sibling", "m", "brother", "兄弟"), ("sibling", "f", "sister", "姐妹"),
    ("sibling", None, "sibling", "兄弟姐妹"),
    ("grandparent", None, "grandparent", "祖父母或外祖父母"),
    ("grandchild", "f", "granddaughter", "孙女或外孙女"),
    ("in_law", "m", "in-law", "姻亲"),
])
def test_one_tie_by_gender(relation: str, gender: str | None, en: str, zh: str) -> None:
    assert kin_words([relation], [gender], None, "en") == en
    assert kin_words([relation], [gender], None, "zh") == zh


@pytest.mark.parametrize(("chain", "genders", "en", "zh"), [
    (["spouse", "parent"], ["f", "m"], "father-in-law", "岳父"),
    (["spouse", "parent"], ["f", "f"], "mother-in-law", "岳母"),
    (["spouse", "parent"], ["m", "m"], "father-in-law", "公公"),
    (["spouse", "parent"], ["m", "f"], "mother-in-law", "婆婆"),
    (["child", "spouse"], ["m", "f"], "daughter-in-law", "儿媳"),
    (["child", "spouse"], ["f", "m"], "son-in-law", "女婿"),
    (["parent", "parent"], ["m", "m"], "grandfather", "祖父"),
    (["parent", "parent"], ["f", "m"], "grandfather", "外祖父"),
    (["child", "child"], ["f", "f"], "granddaughter", "外孙女"),
    (["sibling", "spouse"], ["f", "m"], "brother-in-law", "姐夫或妹夫"),
    (["spouse", "sibling"], ["f", "m"], "brother-in-law", "妻子的兄弟"),
    (["sibling", "child"], ["m", "f"], "niece", "侄女"),
    (["parent", "sibling"], ["f", "m"], "uncle", "舅父"),
])
def test_two_ties_that_have_a_word_of_their_own(chain: list[str], genders: list[str],
                                               en: str, zh: str) -> None:
    assert kin_words(chain, genders, None, "en") == en
    assert kin_words(chain, genders, None, "zh") == zh


def test_a_gender_not_on_record_keeps_the_neutral_word() -> None:
    assert kin_words(["spouse", "parent"], [None, None], None, "zh") == "配偶的父母"
    assert kin_words(["spouse", "parent"], [None, None], None, "en") == "parent-in-law"
    assert kin_words(["spouse", "parent"], [None, "m"], None, "zh") == "配偶的父亲"
    assert kin_words(["child", "spouse"], [None, "f"], None, "en") == "daughter-in-law"
    assert kin_words(["sibling", "child"], [None, None], None, "en") == "sibling's child"
    assert kin_words(["parent"], None, None, "zh") == "父母"  # no genders at all


def test_reverse_reads_the_chain_from_the_relative() -> None:
    # the official (a man) has a father on record: the official is the father's son
    assert kin_words(*reverse(["parent"], ["m"], "m"), lang="en") == "son"
    assert kin_words(*reverse(["parent"], ["m"], "f"), lang="zh") == "女儿"
    # the official (a woman) is her husband's brother's sister-in-law; gender unknown: neutral
    chain, genders, ego = reverse(["spouse", "sibling"], ["m", "m"], "f")
    assert (chain, genders, ego) == (["sibling", "spouse"], ["m", "f"], "m")
    assert kin_words(chain, genders, ego, "zh") == "嫂子或弟媳"
    assert kin_words(*reverse(["child"], ["f"], None), lang="en") == "parent"
    assert reverse(*reverse(["spouse", "parent"], ["f", "m"], "m")) == (
        ["spouse", "parent"], ["f", "m"], "m")


def test_inverse_is_the_schemas() -> None:
    assert {code: k.inverse for code, k in KIN.items()} == INVERSE


def test_father_of_and_son_of_in_a_sentence() -> None:
    fields = {"official": "张伟 (P1)", "party": "张强 (P2)", "party_role": "suspect",
              "tie_period": "since 2019-01-01"}
    # the party is the official's father: the official is the son of the party
    line = Msg(CASE_TEXT["tie_kin1"], {**fields, "kin": kin(*reverse(["parent"], ["m"], "m"))})
    assert render(line, "en").startswith("张伟 (P1) is the son of 张强 (P2)")
    assert render(line, "zh").startswith("张伟 (P1)是本案suspect张强 (P2)的儿子")
    line = Msg(CASE_TEXT["tie_kin1"], {**fields, "kin": kin(*reverse(["child"], ["m"], "m"))})
    assert render(line, "en").startswith("张伟 (P1) is the father of 张强 (P2)")


def test_gender_codes_as_records_write_them() -> None:
    assert [gender_code(v) for v in ("男", "女", "M", "female", "", None, "未知")] == [
        "m", "f", "m", "f", None, None, None]
