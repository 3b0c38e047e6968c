"""Identifiers of people: the NHS number and its modulus-11 check digit.

The NHS number is ten digits; the tenth checks the first nine. Weights 10 down to 2 are
applied to digits one to nine; the check digit is 11 minus the sum modulo 11, where 11
becomes 0 and 10 means no valid number has those nine digits.
"""

from __future__ import annotations

from typing import Final

from infoshare.errors import InvalidNHSNumberError

_WEIGHTS: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid NHS number starts with them."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError(f"expected nine digits, got `{first_nine}`")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def parse_nhs_number(text: str, *, field: str = "nhs_number") -> str:
    """Return the ten-digit NHS number in ``text`` (spaces and dashes allowed), or raise.

    Raises InvalidNHSNumberError saying precisely what is wrong.
    """
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise InvalidNHSNumberError(
            f"`{text}` is not an NHS number: it must be ten digits, e.g. `943 476 5919`",
            field=field,
        )
    expected = nhs_check_digit(digits[:9])
    if expected is None:
        raise InvalidNHSNumberError(
            f"`{text}` is not an NHS number: no valid number starts with `{digits[:9]}` "
            "(its check digit would be 10); check the number was copied correctly",
            field=field,
        )
    if int(digits[9]) != expected:
        raise InvalidNHSNumberError(
            f"`{text}` is not an NHS number: its check digit is {digits[9]} but should be "
            f"{expected}; check the number was copied correctly",
            field=field,
        )
    return digits


def format_nhs_number(digits: str) -> str:
    """Show an NHS number the way staff read it: ``943 476 5919``."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
