"""What a service user is shown of their own record in the portal, and what they may change.

Principle 12: people are fully informed about what is recorded about them, and where an
organisation has statutory grounds for restricting their access, they are told that such
information is held and the grounds on which it is restricted. Principle 8: an item a
professional asked to keep confidential from the service user is kept so, on statutory
grounds, with the reasons recorded. So for each disclosure of their information the person
sees when, from whom to whom, why, on what basis and whether they were told, and the kinds of
information that went; an item kept confidential is not shown at all (not its content, not
even its kind, which could itself tell), and the report says instead how many items are
withheld and under which ground. The reason a professional wrote is for staff, and is not
shown either: it may describe what is withheld.

A disclosure the person was not told of (Principle 5 and the Act's exemptions: the purpose,
such as the prevention of crime or the protection of someone, would be prejudiced by telling
them; ``purposes_not_told`` in ``policy/compile.py``) is not in their report at all, and is
not counted either: a count under "crime prevention" appearing the day the police received
their record would tell them exactly what telling them would, so counting it defeats the
exemption as surely as showing it. Items kept from a disclosure they *were* told of are
counted, because that disclosure is already known to them.

The report lists, too, who at a partner read their record (Procedure B1, Principle 12); but
only reads that reveal nothing withheld: an opened record page, and a read of a disclosure
the person is shown. A read of a referral (even one still pending, which Procedure A5 leaves
to the designated officer whether to tell) or of a disclosure they were not told of is left
out, and so is any read this module does not know (fail closed).

Procedure A3: a person may withdraw a consent they gave. In the portal that is a consent
given by the person themselves and not yet withdrawn; a representative's decision or one made
in the person's best interests (Procedure A2) is changed with the staff who recorded it, who
can check who has the authority to change it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

#: the clause an item is withheld under when the professional named no other ground
DEFAULT_WITHHOLDING_GROUND: Final = "Principle 8"
#: an opened record page (Procedure B1): it names no referral and no disclosure
RECORD_OPEN: Final = "service-users:read"
#: a read of one disclosure; shown only if the person is shown that disclosure
DISCLOSURE_READ: Final = "disclosures:read"
#: the id a disclosure read's ``what`` names, as ``services/disclosures`` writes it
_DISCLOSURE_ID = re.compile(r"^disclosure `([0-9a-f-]{36})`")


@dataclass(frozen=True, slots=True)
class ShownItem:
    """A kind of information that went, as the person sees it."""

    category: str
    #: fact, opinion, or both (Principle 10)
    nature: str


@dataclass(frozen=True, slots=True)
class Withheld:
    """Items kept confidential from the person under one ground: how many, never which."""

    ground: str
    count: int


@dataclass(frozen=True, slots=True)
class SubjectItems:
    shown: tuple[ShownItem, ...]
    withheld: tuple[Withheld, ...]


def items_for_subject(items: Iterable[Mapping[str, object]]) -> SubjectItems:
    """Split a disclosure's stored items into what the person sees and what is withheld.

    Each item is a mapping with ``category``, ``nature``, ``confidential_from_subject`` and
    ``confidential_ground`` (as ``services/disclosures.stored_items`` writes them). Anything
    but an explicit ``False`` for ``confidential_from_subject`` is withheld: when in doubt,
    the item stays with the staff (fail closed).
    """
    shown: dict[tuple[str, str], ShownItem] = {}
    withheld: dict[str, int] = {}
    for item in items:
        if item.get("confidential_from_subject") is not False:
            ground = item.get("confidential_ground")
            name = ground if isinstance(ground, str) and ground else DEFAULT_WITHHOLDING_GROUND
            withheld[name] = withheld.get(name, 0) + 1
            continue
        category, nature = str(item.get("category", "")), str(item.get("nature", "fact"))
        shown.setdefault((category, nature), ShownItem(category, nature))
    return SubjectItems(
        shown=tuple(shown[key] for key in sorted(shown)),
        withheld=tuple(Withheld(g, n) for g, n in sorted(withheld.items())),
    )


def disclosure_shown(subject_informed: object) -> bool:
    """Whether the person sees a disclosure in their report: only if they were told of it.

    Principle 5 and Principle 12: a disclosure recorded as not told (telling would prejudice
    its purpose) is neither shown nor counted. Anything but an explicit ``True`` is not shown
    (fail closed: a damaged record stays with the staff).
    """
    return subject_informed is True


def read_shown(action: str, what: str, shown_disclosures: Collection[str]) -> bool:
    """Whether a staff or system read of the person's record is listed in their report.

    ``action`` and ``what`` are the access-log entry's; ``shown_disclosures`` are the ids
    (as strings) of the disclosures the person is shown. A record page open is listed; a
    disclosure read only if it names a disclosure they are shown; nothing else (referral
    reads could reveal a pending request, Procedure A5).
    """
    if action == RECORD_OPEN:
        return True
    if action == DISCLOSURE_READ:
        named = _DISCLOSURE_ID.match(what)
        return named is not None and named.group(1) in shown_disclosures
    return False


def why_not_withdrawable(decision: str, decided_by: str, withdrawn: bool) -> str | None:
    """Why the person may not withdraw this consent in the portal, or None if they may."""
    if withdrawn:
        return "this consent has already been withdrawn"
    if decision != "given":
        return (
            "this is a refusal, not a consent; to agree to sharing now, tell the organisation "
            "that recorded it"
        )
    if decided_by != "service-user":
        return (
            "this decision was made by a representative or in your best interests; to change "
            "it, contact the organisation that recorded it (Procedure A2)"
        )
    return None
