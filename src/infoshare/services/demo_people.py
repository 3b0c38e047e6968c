"""Synthetic people for the demo: names, NHS numbers, postcodes, dates. Never real people.

Everything comes from one ``random.Random(seed)``, so a seed always gives the same people.
NHS numbers are drawn from the 999 range, which the NHS keeps for testing and never issues,
and carry a valid modulus-11 check digit. Names come from short lists of common British
names; postcodes are shaped like Leeds ones (``LS6 2AB``) without being looked up.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

from infoshare.domain.identifiers import nhs_check_digit

GIVEN_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Joshua", "Daniel", "Samuel", "Joseph", "Mohammed", "Adam", "Ryan",
    "Amelia", "Olivia", "Isla", "Emily", "Ava", "Jessica", "Lily", "Sophie", "Grace",
    "Chloe", "Mia", "Ruby", "Ella", "Evie", "Freya", "Charlotte", "Hannah", "Ayesha",
    "Margaret", "Susan", "David", "Peter", "Patricia", "John", "Mary", "Robert",
)  # fmt: skip
FAMILY_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Hussain", "Lewis", "Harris",
    "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore", "Turner", "Shaw", "Holmes",
    "Atkinson", "Barker", "Dawson", "Lister", "Sutcliffe", "Ackroyd",
)  # fmt: skip
# Inward-code letters never include C, I, K, M, O or V.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
#: the NHS's test range: numbers starting 999 are never issued to patients
SYNTHETIC_NHS_PREFIX = "999"
EARLIEST_BIRTH = date(1920, 1, 1)


def synthetic_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``, so ids repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def synthetic_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)


def synthetic_postcode(rng: random.Random) -> str:
    district = rng.randint(1, 29)
    sector = rng.randint(1, 9)
    unit = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
    return f"LS{district} {sector}{unit}"


def synthetic_date_of_birth(rng: random.Random, before: date) -> date:
    span = (before - EARLIEST_BIRTH).days
    return EARLIEST_BIRTH + timedelta(days=rng.randrange(span))


def synthetic_nhs_numbers(rng: random.Random, count: int) -> Iterator[str]:
    """``count`` distinct valid NHS numbers in the test range, in a seed-determined order."""
    space = 10**6
    if count > space * 0.9:
        raise ValueError(f"the test range holds about 900,000 valid numbers; `{count}` is too many")
    made = 0
    # Nine digits in ten have a valid check digit, so a sample a fifth larger is plenty.
    for suffix in rng.sample(range(space), min(space, count + count // 5 + 20)):
        first_nine = f"{SYNTHETIC_NHS_PREFIX}{suffix:06d}"
        check = nhs_check_digit(first_nine)
        if check is None:
            continue
        yield first_nine + str(check)
        made += 1
        if made == count:
            return
    raise AssertionError("sampled too few nine-digit prefixes with a valid check digit")
