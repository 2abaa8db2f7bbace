from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from graph import ids
from graph.normalize import credit_codes_valid, id_numbers_valid


def _random_id(rng: random.Random) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
    return ids.make_id_number(f"{rng.randrange(110000, 659999)}", birth, rng.randrange(1000))


def test_made_numbers_are_valid_and_every_other_check_char_is_not() -> None:
    rng = random.Random(1)
    for _ in range(300):
        v = _random_id(rng)
        assert ids.is_valid_id_number(v)
        for c in "0123456789X":
            if c != v[-1]:
                assert not ids.is_valid_id_number(v[:-1] + c)


def test_single_digit_errors_are_caught() -> None:
    v = "11010519491231002X"
    for i in range(17):
        for d in "0123456789":
            if d != v[i]:
                changed = v[:i] + d + v[i + 1:]
                # a changed birth-date digit may make an impossible date; either way invalid
                assert not ids.is_valid_id_number(changed), changed


def test_impossible_birth_date_is_named() -> None:
    first17 = "11010519490231002"
    v = first17 + ids.id_number_check_char(first17)
    assert ids.id_number_problem(v) == "embeds an impossible birth date 19490231"


@pytest.mark.parametrize("value", ["91350100M000100Y43"])
def test_known_credit_codes(value: str) -> None:
    assert ids.is_valid_credit_code(value)


def test_credit_code_rejects_letters_outside_alphabet() -> None:
    assert "alphabet" in (ids.credit_code_problem("91350100M000100I43") or "")


def test_vectorised_checks_agree_with_scalar_ones() -> None:
    rng = random.Random(5)
    values = [_random_id(rng) for _ in range(200)]
    values += [v[:-1] + rng.choice("0123456789X") for v in values[:100]]
    values += ["", "123", "11010519491331002X"]
    got = id_numbers_valid(pd.Series(values)).tolist()
    assert got == [ids.is_valid_id_number(v) for v in values]
    codes = [ids.make_credit_code("350100", "".join(rng.choice(ids.USCC_ALPHABET)
                                                    for _ in range(9))) for _ in range(100)]
    codes += [c[:-1] + rng.choice(ids.USCC_ALPHABET) for c in codes[:60]]
    got = credit_codes_valid(pd.Series(codes)).tolist()
    assert got == [ids.is_valid_credit_code(c) for c in codes]


def test_mask_keeps_region_and_last_character() -> None:
    assert ids.mask_id_number("11010519491231002X") == "110105***********X"
