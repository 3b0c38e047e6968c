"""Synthetic people: valid, distinct, test-range NHS numbers; the same seed, the same people."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from infoshare.domain.identifiers import parse_nhs_number
from infoshare.services.demo_people import (
    synthetic_date_of_birth,
    synthetic_nhs_numbers,
    synthetic_postcode,
)
from infoshare.services.service_users import normalise_postcode


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(), count=st.integers(min_value=1, max_value=400))
def test_nhs_numbers_are_valid_distinct_and_in_the_test_range(seed: int, count: int) -> None:
    numbers = list(synthetic_nhs_numbers(random.Random(seed), count))
    assert len(numbers) == count
    assert len(set(numbers)) == count
    assert all(parse_nhs_number(n) == n and n.startswith("999") for n in numbers)
    assert numbers == list(synthetic_nhs_numbers(random.Random(seed), count))


@given(seed=st.integers())
def test_postcodes_look_like_leeds_ones_and_pass_our_own_check(seed: int) -> None:
    postcode = synthetic_postcode(random.Random(seed))
    assert re.fullmatch(r"LS[0-9]{1,2} [0-9][A-Z]{2}", postcode)
    assert normalise_postcode(postcode) == postcode


@given(seed=st.integers())
def test_dates_of_birth_are_in_the_past(seed: int) -> None:
    from datetime import date

    born = synthetic_date_of_birth(random.Random(seed), date(2026, 1, 5))
    assert date(1920, 1, 1) <= born < date(2026, 1, 5)
