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

Procedure A3: a person may withdraw a consent they gave. In the portal that is a consent
given by the person themselves and not yet withdrawn; a representative's decision or one made
in the person's best interests (Procedure A2) is changed with the staff who recorded it, who
can check who has the authority to change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

#: the clause an item is withheld under when the professional named no other ground
DEFAULT_WITHHOLDING_GROUND: Final = "Principle 8"


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
