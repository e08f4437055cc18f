"""The unified social credit code's check (GB 32100-2015)."""

from __future__ import annotations

import pytest

from app.orgs import credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "52320114MJ00000016"])
def test_real_codes_pass(code):
    assert credit_code.problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y431", "length"),
        ("91350100M000100Y44", "check"),  # one character off
        ("91110000600037341M", "check"),
        ("9135010OM000100Y43", "characters"),  # a letter O where the area code has digits
        ("91350100M000100I43", "characters"),  # I is never used
        ("52320114MJ0000001X", "check"),
    ],
)
def test_wrong_codes_say_what_is_wrong(code, problem):
    assert credit_code.problem(code) == problem


def test_normalise_takes_spaces_dashes_and_lower_case():
    assert credit_code.normalise(" 9135-0100 m000100y43 ") == "91350100M000100Y43"


def test_the_check_character_is_computed_from_the_first_17():
    assert credit_code.check_character("91350100M000100Y4") == "3"
    assert credit_code.check_character("52320114MJ0000001") == "6"


def test_the_demo_organisations_numbers_are_valid():
    from app.demo.orgs import LULIN, YUHUA_MULIN

    assert credit_code.problem(YUHUA_MULIN) is None and credit_code.problem(LULIN) is None
