"""The example agreements as tests import them: proposed, unsigned, ready to go through the
lifecycle (import refuses the statuses that only signing and activating may reach).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import infoshare.agreements
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.services import adoption
from infoshare.services.access_log import CONSOLE
from infoshare.services.database import Database

EXAMPLES = Path(infoshare.agreements.__file__).parent / "examples"
HOSPITAL_DISCHARGE = "LEEDS-ISA-2003-001"
#: when the three parties awaiting approval in October 2002 approved (illustrative dates,
#: as docs/agreements.md gives them)
LATER_ADOPTIONS = {
    "LCC": date(2002, 11, 27),
    "EDL": date(2002, 12, 11),
    "WYP": date(2003, 1, 22),
}


def example_text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def unsigned(text: str, status: str = "proposed") -> str:
    """The agreement with its status set to ``status`` and no signature given."""
    text = re.sub(r"^status: .*$", f"status: {status}", text, count=1, flags=re.MULTILINE)
    return re.sub(r"\n\s+signed_at: [0-9-]+", "", text)


def signatures(name: str) -> list[tuple[str, str, str, date]]:
    """(organisation, name, post, signed on) of every signatory of an example, in order."""
    isa = parse_agreement(example_text(name), name).agreement
    return [
        (s.organisation, s.name, s.post, s.signed_at)
        for s in isa.signatories
        if s.signed_at is not None
    ]


def adopt_all(db: Database) -> None:
    for code, when in LATER_ADOPTIONS.items():
        adoption.record_adoption(
            db.unit_of_work(),
            code,
            approved_on=when,
            approving_body="Executive Board",
            requester=CONSOLE,
        )
