"""The protocol as the public sees it: a read model for the home page and ``/api/v1/protocol``.

Section 4.2 asks every partner to make the protocol available to service users, carers and
the public, so this overview holds nothing personal and needs no sign-in. It gathers the
parties and supporting members of section 1.2 with their adoption state (Procedure C1:
approved on a date by a body, or still awaited), the purposes of section 2.1 with whether
each needs identifiable data (Principle 11), the principles of section 2.3 and the
procedures of section 3.2 grouped by their section.

Adoption changes after a pack is loaded, so it is read from the database; the catalogues
(purposes, principles, procedures) are read from the pack the database was set up with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from infoshare.errors import NotReadyError
from infoshare.protocol.schema import Membership, ProtocolPack
from infoshare.store.models import OrganisationRecord, ProtocolPackRecord
from infoshare.store.unit_of_work import UnitOfWork


class _ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class AdoptionState(StrEnum):
    """Procedure C1: where a party stands in formally approving the protocol."""

    APPROVED = "approved"
    AWAITING_APPROVAL = "awaiting-approval"
    #: a supporting member supports the protocol's aims; formal adoption is for parties (1.2)
    SUPPORTING = "supporting"


class AdoptionSummary(_ReadModel):
    """Procedure C1: a party's formal approval of the protocol."""

    approved_on: date
    approving_body: str = Field(description="the board (or delegate) that approved it")
    minute_reference: str | None = None


class OrganisationSummary(_ReadModel):
    """A partner of the protocol (section 1.2) and its adoption state (Procedure C1)."""

    code: str = Field(description="the organisation's code, e.g. `LTHT`")
    name: str
    type: str = Field(description="what kind of body it is, e.g. `acute-trust`")
    membership: Membership = Field(
        description="`party` to the protocol, or `supporting-member` of the steering group"
    )
    departments: list[str] = Field(
        default_factory=list, description="departments on the steering group, where named"
    )
    adoption_state: AdoptionState
    adoption: AdoptionSummary | None = Field(
        default=None, description="the approval, once given; absent while awaited"
    )


class ApprovalCount(_ReadModel):
    """How many parties have approved the protocol (Procedure C1)."""

    approved: int
    parties: int

    @property
    def sentence(self) -> str:
        verb = "has" if self.approved == 1 else "have"
        noun = "party" if self.parties == 1 else "parties"
        return f"{self.approved} of {self.parties} {noun} {verb} approved"


class PurposeSummary(_ReadModel):
    """A purpose for which information may be shared (section 2.1)."""

    id: str
    title: str
    summary: str
    needs_identifiable_data: bool = Field(
        description="if false, only anonymised information is shared for it (Principle 11)"
    )


class ClauseSummary(_ReadModel):
    """A citable clause: a principle or a procedure."""

    id: str = Field(description="`P7`, `A5` …")
    citation: str = Field(description="how rules cite it: `Principle 7`, `Procedure A5` …")
    title: str
    summary: str


class ProcedureSection(_ReadModel):
    """One of the three sections of procedures in section 3.2."""

    letter: str = Field(description="`A`, `B` or `C`")
    title: str
    procedures: list[ClauseSummary]


class PackSummary(_ReadModel):
    """Which protocol this is, and as of when."""

    id: str
    version: str
    title: str
    jurisdiction: str
    as_of: date
    source: str
    disclaimer: str
    assumptions: list[str]


class ProtocolOverview(_ReadModel):
    """Everything the public home page shows about the protocol."""

    pack: PackSummary
    parties: list[OrganisationSummary]
    supporting_members: list[OrganisationSummary]
    approvals: ApprovalCount
    purposes: list[PurposeSummary]
    principles: list[ClauseSummary]
    procedure_sections: list[ProcedureSection]


def _adoption_state(membership: Membership, *, approved: bool) -> AdoptionState:
    if approved:
        return AdoptionState.APPROVED
    if membership is Membership.PARTY:
        return AdoptionState.AWAITING_APPROVAL
    return AdoptionState.SUPPORTING


def organisations_from_pack(pack: ProtocolPack) -> list[OrganisationSummary]:
    """The partners as the pack records them, adoption included (before any change is stored)."""
    return [
        OrganisationSummary(
            code=organisation.code,
            name=organisation.name,
            type=organisation.type.value,
            membership=organisation.membership,
            departments=list(organisation.departments),
            adoption_state=_adoption_state(
                organisation.membership, approved=organisation.adoption is not None
            ),
            adoption=(
                AdoptionSummary(
                    approved_on=organisation.adoption.approved_on,
                    approving_body=organisation.adoption.approving_body,
                    minute_reference=organisation.adoption.minute_reference,
                )
                if organisation.adoption
                else None
            ),
        )
        for organisation in pack.organisations
    ]


def _procedure_sections(pack: ProtocolPack) -> list[ProcedureSection]:
    # Sections keep the order the pack gives them; procedures are numbered within each.
    grouped: dict[str, list[ClauseSummary]] = {}
    letters: dict[str, str] = {}
    for procedure in pack.procedures:
        letters.setdefault(procedure.section, procedure.id[0])
        grouped.setdefault(procedure.section, []).append(
            ClauseSummary(
                id=procedure.id,
                citation=procedure.citation,
                title=procedure.title,
                summary=procedure.summary,
            )
        )
    return [
        ProcedureSection(
            letter=letters[section],
            title=section,
            procedures=sorted(procedures, key=lambda p: int(p.id[1:])),
        )
        for section, procedures in grouped.items()
    ]


def build_protocol_overview(
    pack: ProtocolPack, organisations: Iterable[OrganisationSummary]
) -> ProtocolOverview:
    """The overview of ``pack`` with ``organisations`` as they stand now."""
    everyone: Sequence[OrganisationSummary] = list(organisations)
    parties = [o for o in everyone if o.membership is Membership.PARTY]
    supporting = [o for o in everyone if o.membership is Membership.SUPPORTING_MEMBER]
    info = pack.pack
    return ProtocolOverview(
        pack=PackSummary(
            id=info.id,
            version=info.version,
            title=info.title,
            jurisdiction=info.jurisdiction,
            as_of=info.as_of,
            source=info.source,
            disclaimer=info.disclaimer,
            assumptions=list(info.assumptions),
        ),
        parties=parties,
        supporting_members=supporting,
        approvals=ApprovalCount(
            approved=sum(o.adoption_state is AdoptionState.APPROVED for o in parties),
            parties=len(parties),
        ),
        purposes=[
            PurposeSummary(
                id=p.id,
                title=p.title,
                summary=p.summary,
                needs_identifiable_data=p.needs_identifiable_data,
            )
            for p in pack.purposes
        ],
        principles=[
            ClauseSummary(id=p.id, citation=p.citation, title=p.title, summary=p.summary)
            for p in sorted(pack.principles, key=lambda p: p.number)
        ],
        procedure_sections=_procedure_sections(pack),
    )


def organisation_summary(record: OrganisationRecord) -> OrganisationSummary:
    """A stored organisation as the public sees it."""
    adoption = None
    if record.adopted_on is not None and record.approving_body is not None:
        adoption = AdoptionSummary(
            approved_on=record.adopted_on,
            approving_body=record.approving_body,
            minute_reference=record.minute_reference,
        )
    membership = Membership(record.membership)
    return OrganisationSummary(
        code=record.code,
        name=record.name,
        type=record.type,
        membership=membership,
        departments=list(record.departments),
        adoption_state=_adoption_state(membership, approved=adoption is not None),
        adoption=adoption,
    )


#: packs already validated, by digest: a stored pack never changes under the same digest
_packs: dict[str, ProtocolPack] = {}


def _stored_pack(session: Session) -> ProtocolPack:
    stored = session.execute(select(ProtocolPackRecord.id, ProtocolPackRecord.digest)).first()
    if stored is None:
        raise NotReadyError(
            "no protocol pack has been loaded into this database; run `infoshare init` to load one",
            field="pack",
        )
    pack = _packs.get(stored.digest)
    if pack is None:
        # Only a pack not seen before is read in full and validated again.
        content = session.scalars(
            select(ProtocolPackRecord.content).where(ProtocolPackRecord.id == stored.id)
        ).one()
        pack = ProtocolPack.model_validate(content)
        _packs.clear()  # a database holds one pack; keep only the newest version
        _packs[stored.digest] = pack
    return pack


def _in_protocol_order(
    records: Sequence[OrganisationRecord], pack: ProtocolPack
) -> list[OrganisationRecord]:
    # The order section 1.2 lists them in; organisations registered since follow, by code.
    position = {o.code: index for index, o in enumerate(pack.organisations)}
    last = len(position)

    def key(record: OrganisationRecord) -> tuple[int, int, str]:
        party_rank = 0 if record.membership == Membership.PARTY else 1
        return (party_rank, position.get(record.code, last), record.code)

    return sorted(records, key=key)


def _organisations(session: Session, pack: ProtocolPack) -> list[OrganisationSummary]:
    records = session.scalars(select(OrganisationRecord)).all()
    return [organisation_summary(r) for r in _in_protocol_order(records, pack)]


def protocol_overview(uow: UnitOfWork) -> ProtocolOverview:
    """The protocol loaded into the database, with each partner's adoption as stored now.

    NotReadyError if no pack has been loaded (the database was never initialised).
    """
    with uow.reading():
        pack = _stored_pack(uow.session)
        return build_protocol_overview(pack, _organisations(uow.session, pack))


def public_organisations(uow: UnitOfWork) -> list[OrganisationSummary]:
    """Every partner, parties first, in the protocol's order, with its adoption state."""
    with uow.reading():
        pack = _stored_pack(uow.session)
        return _organisations(uow.session, pack)
