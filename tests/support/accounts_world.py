"""A small world for the accounts tests: staff of every role at LTHT, others at LCC and WYP,
service users held by each, and sign-in accounts, built once per session and copied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from infoshare.domain import totp
from infoshare.services.accounts import create_account
from infoshare.services.database import open_database
from infoshare.services.service_users import add_local_identifier, register_service_user
from infoshare.services.setup import initialise
from infoshare.services.staff import create_staff

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
TEMPLATE = "leeds-2002-accounts"
#: RFC 6238's own test seed, so tests can compute codes
TOTP_SECRET = totp.encode_secret(b"12345678901234567890")


@dataclass(frozen=True)
class Person:
    email: str
    organisation: str
    roles: tuple[str, ...]
    administrator: bool = False
    second_factor: bool = False


#: one person per role at LTHT, and a practitioner at LCC and at WYP
PEOPLE: dict[str, Person] = {
    "practitioner": Person("pat.practitioner@ltht.example", "LTHT", ("practitioner",)),
    "designated-officer": Person(
        "dora.officer@ltht.example", "LTHT", ("designated-officer",), second_factor=True
    ),
    "lead-member": Person("len.lead@ltht.example", "LTHT", ("lead-member",)),
    "information-sharing-manager": Person(
        "isla.manager@ltht.example", "LTHT", ("information-sharing-manager",)
    ),
    "steering-group": Person("sam.steering@ltht.example", "LTHT", ("steering-group",)),
    "administrator": Person(
        "ada.admin@ltht.example", "LTHT", (), administrator=True, second_factor=True
    ),
    "data-protection-officer": Person("dee.dpo@ltht.example", "LTHT", ("data-protection-officer",)),
    "information-sharing-lead": Person(
        "lee.sharing@ltht.example", "LTHT", ("information-sharing-lead",)
    ),
    "lcc-practitioner": Person("cal.social@lcc.example", "LCC", ("practitioner",)),
    "wyp-practitioner": Person("wes.police@wyp.example", "WYP", ("practitioner",)),
}


def nhs_number(stem: str) -> str:
    """``stem`` (nine digits) with its modulus-11 check digit; the stem must allow one."""
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, stem
    return stem + str(check)


#: (NHS number, given, family, the organisations holding them)
SERVICE_USERS = [
    (nhs_number("943476591"), "Amara", "Okafor", ("LTHT",)),
    (nhs_number("401023213"), "Brian", "Holt", ("LTHT",)),
    (nhs_number("485777345"), "Chloe", "Adeyemi", ("LTHT", "WYP")),
    (nhs_number("987654321"), "Dylan", "Marsh", ("WYP",)),
    (nhs_number("123456782"), "Esme", "Norris", ("LCC",)),
]


def build_world(url: str) -> None:
    initialise(url, "leeds-2002", now=NOW)
    database = open_database(url)
    try:
        for key, person in PEOPLE.items():
            create_staff(
                database.unit_of_work(),
                organisation_code=person.organisation,
                name=key.replace("-", " ").title(),
                email=person.email,
                job_title="Test " + key,
                roles=person.roles,
                training_completed_on=date(2025, 6, 1),
                now=NOW,
            )
            create_account(
                database.unit_of_work(),
                email=person.email,
                password=PASSWORD,
                administrator=person.administrator,
                totp_secret=TOTP_SECRET if person.second_factor else None,
                now=NOW,
            )
        for index, (number, given, family, holders) in enumerate(SERVICE_USERS):
            register_service_user(
                database.unit_of_work(),
                nhs_number=number,
                given_name=given,
                family_name=family,
                date_of_birth=date(1980 + index, 3, 1 + index),
                postcode="LS6 2AB",
                now=NOW,
            )
            for code in holders:
                add_local_identifier(
                    database.unit_of_work(),
                    nhs_number=number,
                    organisation_code=code,
                    identifier=f"{code}-{index:04d}",
                    now=NOW,
                )
    finally:
        database.dispose()


def code_at(moment: datetime) -> str:
    """The TOTP code the world's authenticator shows at ``moment``."""
    return totp.totp_at(b"12345678901234567890", int(moment.timestamp()))
