"""NHS numbers: the modulus-11 check digit decides what is accepted."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.domain.identifiers import format_nhs_number, nhs_check_digit, parse_nhs_number
from infoshare.errors import InvalidNHSNumberError

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_known_valid_numbers_are_accepted(text: str) -> None:
    assert parse_nhs_number(text) == text.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9434765918", "check digit is 8 but should be 9"),
        ("943476591", "must be ten digits"),
        ("94347659199", "must be ten digits"),
        ("94347659l9", "must be ten digits"),
        ("", "must be ten digits"),
        ("١٢٣٤٥٦٧٨٩٠", "must be ten digits"),  # Arabic-Indic digits are not NHS digits
    ],
)
def test_invalid_numbers_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidNHSNumberError, match=reason) as info:
        parse_nhs_number(text)
    assert info.value.field == "nhs_number"


def test_nine_digits_whose_check_would_be_ten_make_no_number() -> None:
    prefix = next(f"{n:09d}" for n in range(10**6) if nhs_check_digit(f"{n:09d}") is None)
    for last in "0123456789":
        with pytest.raises(InvalidNHSNumberError, match="check digit would be 10"):
            parse_nhs_number(prefix + last)


@given(nine_digits)
def test_exactly_one_completion_is_valid_unless_none_is(first_nine: str) -> None:
    valid = []
    for last in "0123456789":
        with contextlib.suppress(InvalidNHSNumberError):
            valid.append(parse_nhs_number(first_nine + last))
    check = nhs_check_digit(first_nine)
    assert valid == ([] if check is None else [first_nine + str(check)])


@given(nine_digits, st.integers(0, 9), st.integers(1, 9))
def test_changing_any_single_digit_is_detected(first_nine: str, position: int, delta: int) -> None:
    check = nhs_check_digit(first_nine)
    if check is None:
        return
    number = first_nine + str(check)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(InvalidNHSNumberError):
        parse_nhs_number(changed)


def test_format_groups_three_three_four() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
