""" "May I share?": the questions of Procedure A7's guidance for staff, in order, each with the
clause behind it, and the choices the loaded pack offers for each (Procedures A4, A5, A7,
B1–B7; Principles 5–11).

The web walkthrough asks these in order, then answers with the same dry-run decision as
``POST /api/v1/decisions`` (``services/disclosures.ask``), and turns the answer into a
request in one step. Nothing here decides: it explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from infoshare.protocol.schema import Membership
from infoshare.services.policy_cache import current_policy
from infoshare.store.database import Database


@dataclass(frozen=True)
class Step:
    key: str
    question: str
    clause: str
    explanation: str


#: the questions, in the order the guidance asks them
STEPS: Final = (
    Step(
        "who",
        "Who will receive it?",
        "Section 3.1",
        "Only parties to an agreement in force for this purpose may receive personal "
        "information, and only the roles it names.",
    ),
    Step(
        "what",
        "What information?",
        "Principle 7",
        "Share the minimum: only the kinds of information the recipient needs to know.",
    ),
    Step(
        "why",
        "Why is it needed?",
        "Section 2.1",
        "The purpose must be one the protocol lists; purposes that do not need to identify "
        "anyone get anonymised information only (Principle 11).",
    ),
    Step(
        "consent",
        "Has the person consented?",
        "Procedure A4",
        "infoshare looks up the person's consents: they must cover this recipient, this "
        "purpose and each kind of information. A refusal raises the bar (Principle 5).",
    ),
    Step(
        "capacity",
        "Could they decide?",
        "Procedure A2",
        "A consent counts only if the person could give it, or someone with authority gave "
        "it for them; recorded assessments are taken into account.",
    ),
    Step(
        "ground",
        "Without consent: is there a statutory ground?",
        "Procedure A5",
        "Sharing without consent needs a legal ground the agreement allows and a "
        "justification; a designated officer decides (Principle 6). In an emergency, share "
        "at once and an officer reviews it afterwards.",
    ),
    Step(
        "need",
        "Does the recipient need to know?",
        "Principle 7",
        "The agreement's need-to-know table says which roles may receive which information.",
    ),
    Step(
        "how",
        "How will you send it?",
        "Procedure B1",
        "Use a method the agreement names and keep its safeguards (Procedures B2–B5).",
    ),
)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Choices:
    organisations: list[Choice]
    roles: list[Choice]
    purposes: list[Choice]
    categories: list[Choice]
    grounds: list[Choice]
    methods: list[Choice]


def choices(db: Database) -> Choices:
    """What the pack offers at each step."""
    _policy, pack = current_policy(db)
    return Choices(
        organisations=[
            Choice(o.code, f"{o.name} ({o.code})")
            for o in pack.organisations
            if o.membership is Membership.PARTY
        ],
        roles=[Choice(r.id, r.title) for r in pack.roles],
        purposes=[
            Choice(
                p.id,
                p.title,
                "identifiable" if p.needs_identifiable_data else "anonymised only",
            )
            for p in pack.purposes
        ],
        categories=[
            Choice(c.id, c.title, "sensitive" if c.sensitive else "") for c in pack.data_categories
        ],
        grounds=[
            Choice(g.id, g.citation, g.title)
            for g in pack.legal_grounds
            if g.permits_sharing_without_consent
        ],
        methods=[
            Choice(m.id, m.title, "; ".join(s.text for s in m.safeguards))
            for m in pack.transfer_methods
        ],
    )
