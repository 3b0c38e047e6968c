"""The shape of a protocol pack, checked when a pack is loaded.

Every rule elsewhere cites a clause of the pack (``Principle 7``, ``Procedure A5``), so the
pack names its principles and procedures with stable ids. Cross-references (a legal ground
naming a purpose, an organisation naming its type) are checked by ``validate.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from infoshare.errors import UnknownReferenceError

#: lower-case words joined by dashes: the ids a pack gives its entries
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
#: an organisation code: capitals and digits, as ODS-style codes are written
OrgCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,12}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

PRINCIPLE_ID = re.compile(r"^P([1-9][0-9]?)$")
PROCEDURE_ID = re.compile(r"^([A-Z])([1-9][0-9]?)$")

E = TypeVar("E")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationType(StrEnum):
    """What kind of body a partner is; legal grounds name the types that may rely on them."""

    ACUTE_TRUST = "acute-trust"
    MENTAL_HEALTH_TRUST = "mental-health-trust"
    PRIMARY_CARE_TRUST = "primary-care-trust"
    LOCAL_AUTHORITY = "local-authority"
    EDUCATION = "education"
    POLICE = "police"
    PROBATION = "probation"
    AMBULANCE = "ambulance"
    VOLUNTARY = "voluntary"
    COMMUNITY_HEALTH = "community-health"
    GENERAL_PRACTICE = "general-practice"
    INTEGRATED_CARE_BOARD = "integrated-care-board"
    #: a statutory patients' watchdog (Community Health Councils, NHS Act 1977; later
    #: Healthwatch): it represents the public's interest in the NHS, neither provides care
    #: nor is a voluntary body, so no other type lets a ground include or exclude it rightly
    PATIENT_WATCHDOG = "patient-watchdog"


class Membership(StrEnum):
    """1.2: parties to the protocol, or steering-group members who support it."""

    PARTY = "party"
    SUPPORTING_MEMBER = "supporting-member"


class Clause(_Entry):
    """A citable clause of the protocol, e.g. ``Principle 7`` or ``Section 4.4``."""

    id: Text
    title: Text
    summary: Text


class Principle(Clause):
    """One of the principles of section 2.3; cited as ``Principle N``."""

    id: Annotated[str, StringConstraints(pattern=PRINCIPLE_ID.pattern)]

    @property
    def number(self) -> int:
        match = PRINCIPLE_ID.match(self.id)
        assert match is not None
        return int(match.group(1))

    @property
    def citation(self) -> str:
        return f"Principle {self.number}"


class Procedure(Clause):
    """One of the procedures of section 3.2 (A1–A7, B1–B8, C1–C5); cited as ``Procedure A5``."""

    id: Annotated[str, StringConstraints(pattern=PROCEDURE_ID.pattern)]
    section: Text

    @property
    def citation(self) -> str:
        return f"Procedure {self.id}"


class Adoption(_Entry):
    """C1: a party's formal approval of the protocol, where the pack records it."""

    approved_on: date
    approving_body: Text
    minute_reference: str | None = None


class Organisation(_Entry):
    """A partner of the protocol (1.2)."""

    code: OrgCode
    name: Text
    type: OrganisationType
    membership: Membership
    #: departments represented on the steering group, where the protocol names them
    departments: list[Text] = Field(default_factory=list)
    #: the pack's record of approval (C1); None while approval is awaited
    adoption: Adoption | None = None


class Purpose(_Entry):
    """A purpose for which information may be shared (2.1)."""

    id: Slug
    title: Text
    summary: Text
    #: whether the purpose needs identifiable data; if not, only anonymised output (principle 11)
    needs_identifiable_data: bool


class DataCategory(_Entry):
    """A kind of personal information, e.g. ``mental-health``."""

    id: Slug
    title: Text
    summary: Text
    #: sensitive (special category) data under the pack's law, e.g. DPA 1998 s.2
    sensitive: bool
    #: the provision that makes it sensitive, e.g. ``DPA 1998 s.2(e)``
    sensitive_under: str | None = None
    #: a statutory restriction on disclosure that applies whatever the consent, if any
    statutory_restriction: str | None = None
    #: whether it identifies the person (names, numbers, addresses) rather than describing them
    identifying: bool = False


class GroundKind(StrEnum):
    STATUTE = "statute"
    STATUTORY_CONDITION = "statutory-condition"
    COMMON_LAW = "common-law"
    GUIDANCE = "guidance"
    HUMAN_RIGHTS = "human-rights"


class LegalGround(_Entry):
    """A legal basis for processing or sharing (2.2, Appendix 1)."""

    id: Slug
    citation: Text
    title: Text
    summary: Text
    kind: GroundKind
    #: whether this ground can justify sharing without the person's consent (principle 6, A5)
    permits_sharing_without_consent: bool
    #: whether it is a condition for sensitive data (e.g. DPA 1998 Schedule 3)
    covers_sensitive_data: bool = False
    #: the purposes this ground can serve; empty means it is general (e.g. a duty of confidence)
    purposes: list[Slug] = Field(default_factory=list)
    #: the organisation types that may rely on it, or that may receive under it; empty means any
    organisation_types: list[OrganisationType] = Field(default_factory=list)
    #: duty (must share when asked), power (may share), condition (makes processing lawful),
    #: or constraint (limits sharing)
    effect: Literal["duty", "power", "condition", "constraint", "exemption"]
    #: other grounds that must hold as well when this one is relied on, e.g. the DPA 1998
    #: Schedule 2 and 3 conditions a statutory power still needs
    relies_on: list[Slug] = Field(default_factory=list)


class Safeguard(_Entry):
    id: Slug
    text: Text


class TransferMethod(_Entry):
    """A way of sending information (B2–B5), with the safeguards it needs."""

    id: Slug
    title: Text
    procedure: Annotated[str, StringConstraints(pattern=PROCEDURE_ID.pattern)]
    safeguards: list[Safeguard] = Field(min_length=1)


class RoleScope(StrEnum):
    PROTOCOL = "protocol"
    ORGANISATION = "organisation"


class Role(_Entry):
    """A role with responsibilities under the protocol (4.1, A6)."""

    id: Slug
    title: Text
    scope: RoleScope
    responsibilities: list[Text] = Field(min_length=1)
    #: clauses that define the role, e.g. ``Section 4.1``, ``Procedure A5``
    clauses: list[Text] = Field(default_factory=list)
    #: whether the role may approve sharing without consent (A5)
    may_approve_disclosure_without_consent: bool = False


class ReviewSchedule(_Entry):
    """4.4: when the protocol is monitored and reviewed."""

    initial_monitoring_months: int = Field(ge=0)
    first_review_after_months: tuple[int, int]
    then_every_months: int = Field(ge=1)
    feedback_requested_days_before: int = Field(ge=0)
    #: the longest an ISA may go between reviews
    isa_review_max_months: int = Field(ge=1)


class SuppressionRule(_Entry):
    """B8: small-number suppression for statistics."""

    procedure: Annotated[str, StringConstraints(pattern=PROCEDURE_ID.pattern)]
    #: counts n with 1 <= n < suppress_below are suppressed; zero is shown (it identifies no one)
    suppress_below: int = Field(ge=1)
    #: other counts are rounded to the nearest multiple of this (1 means not rounded)
    round_to: int = Field(ge=1)
    #: whether further cells are suppressed so a suppressed one cannot be recovered from totals
    secondary_suppression: bool = True
    source: Text


class PackInfo(_Entry):
    id: Slug
    version: Text
    title: Text
    jurisdiction: Text
    #: when the protocol took effect, or the date of the state the pack describes
    as_of: date
    source: Text
    disclaimer: Text
    #: what the pack assumes where its source is silent
    assumptions: list[Text] = Field(default_factory=list)


class ProtocolPack(_Entry):
    """A whole protocol, as loaded from a pack and checked."""

    pack: PackInfo
    organisations: list[Organisation] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    principles: list[Principle] = Field(min_length=1)
    procedures: list[Procedure] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    legal_grounds: list[LegalGround] = Field(min_length=1)
    data_categories: list[DataCategory] = Field(min_length=1)
    transfer_methods: list[TransferMethod] = Field(min_length=1)
    review: ReviewSchedule
    suppression: SuppressionRule
    #: other clauses rules may cite (sections 1.1–5), keyed by their number, e.g. ``4.4``
    sections: list[Clause] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.pack.id

    def principle(self, number: int) -> Principle:
        return _find(self.principles, "principle", f"P{number}", lambda p: p.id)

    def procedure(self, procedure_id: str) -> Procedure:
        return _find(self.procedures, "procedure", procedure_id, lambda p: p.id)

    def purpose(self, purpose_id: str) -> Purpose:
        return _find(self.purposes, "purpose", purpose_id, lambda p: p.id)

    def organisation(self, code: str) -> Organisation:
        return _find(self.organisations, "organisation", code, lambda o: o.code)

    def category(self, category_id: str) -> DataCategory:
        return _find(self.data_categories, "data category", category_id, lambda c: c.id)

    def legal_ground(self, ground_id: str) -> LegalGround:
        return _find(self.legal_grounds, "legal ground", ground_id, lambda g: g.id)

    def role(self, role_id: str) -> Role:
        return _find(self.roles, "role", role_id, lambda r: r.id)

    def transfer_method(self, method_id: str) -> TransferMethod:
        return _find(self.transfer_methods, "transfer method", method_id, lambda m: m.id)

    def section(self, number: str) -> Clause:
        return _find(self.sections, "section", number, lambda s: s.id)

    def cites(self, clause: str) -> bool:
        """Whether ``clause`` (``Principle 7``, ``Procedure A5``, ``Section 4.4``) exists here."""
        known = {p.citation for p in self.principles} | {p.citation for p in self.procedures}
        known |= {f"Section {s.id}" for s in self.sections}
        return clause in known


def _find(items: Sequence[E], what: str, wanted: str, key: Callable[[E], str]) -> E:
    for item in items:
        if key(item) == wanted:
            return item
    known = ", ".join(f"`{key(item)}`" for item in items)
    raise UnknownReferenceError(
        f"the protocol pack has no {what} `{wanted}`; use one of {known}", field=what
    )
