"""The compiled policy: the protocol pack, the agreements in force, and staff, indexed once.

``decide()`` answers in microseconds because everything that does not depend on the request
is worked out here, when something changes, not on each request: which agreements in force
(Sections 1.1, 3.1) let which provider share with which recipient for which purpose; the
need-to-know matrix of each (Appendix 2, Principle 7, Procedure B7) as (agreement,
organisation, role, purpose) -> categories; the legal grounds each agreed purpose allows
(Section 2.2, Procedure A5); staff with their organisation, roles, whether active and until
when their training counts (Principle 14); which parties adopted the protocol (Procedure C1);
the designated officers of each organisation (Procedure A6); sensitive and restricted
categories; and which purposes need identifiable data (Principle 11).

The shell rebuilds the Policy whenever the pack, an agreement, a member of staff or a
training record changes. It holds read-only mappings and frozensets only, so one Policy can
serve every request at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Final

from infoshare.domain.agreement import ConsentModel, InformationSharingAgreement, IsaStatus
from infoshare.policy.consent import IsaContext
from infoshare.protocol.schema import LegalGround, Membership, ProtocolPack

#: the statuses in which an agreement is in force; a review falling due does not stop it
IN_FORCE: Final = frozenset({IsaStatus.ACTIVE, IsaStatus.REVIEW_DUE})

DESIGNATED_OFFICER: Final = "designated-officer"


@dataclass(frozen=True, slots=True)
class StaffMember:
    """What the decision needs to know about a member of staff; the shell maps its views."""

    id: str
    organisation: str
    roles: frozenset[str]
    active: bool = True
    #: when they completed protocol training (Principle 14); None if not yet
    trained_on: date | None = None


@dataclass(frozen=True, slots=True)
class PolicyOptions:
    """Choices the protocol leaves to the partners; each default is documented."""

    #: how long protocol training counts before a refresher is due; None: it never lapses.
    #: The protocol sets no period (Principle 14); three years is infoshare's assumption.
    training_valid_for: timedelta | None = timedelta(days=3 * 365)
    #: when the designated officer's review of an emergency disclosure becomes overdue
    review_due_after: timedelta = timedelta(hours=72)
    #: the grounds that allow sharing in the person's vital interests (emergency)
    vital_interests_grounds: tuple[str, ...] = ("dpa-1998-sch2-4", "dpa-1998-sch3-3")
    #: purposes for which telling the subject may prejudice the purpose: record why not
    purposes_not_told: frozenset[str] = frozenset({"crime", "protection"})


@dataclass(frozen=True, slots=True)
class StaffEntry:
    organisation: str
    roles: frozenset[str]
    active: bool
    trained_on: date | None
    #: the last day their training counts; None when not trained, date.max if it never lapses
    trained_until: date | None


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    code: str
    type: str
    party: bool
    adopted_on: date | None


@dataclass(frozen=True, slots=True)
class CategoryEntry:
    sensitive: bool
    identifying: bool
    statutory_restriction: str | None


@dataclass(frozen=True, slots=True)
class GroundEntry:
    """A legal ground, with what decide() asks of it precomputed."""

    id: str
    citation: str
    permits_sharing_without_consent: bool
    covers_sensitive_data: bool
    constraint: bool
    #: empty means any
    purposes: frozenset[str]
    organisation_types: frozenset[str]
    relies_on: tuple[str, ...]

    def serves(self, purpose: str, organisation_types: Iterable[str]) -> bool:
        if self.purposes and purpose not in self.purposes:
            return False
        return not self.organisation_types or any(
            t in self.organisation_types for t in organisation_types
        )


@dataclass(frozen=True, slots=True)
class TransferEntry:
    method: str
    procedure: str
    #: (safeguard id, text), in the pack's order, limited to those the agreement names
    safeguards: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PurposeEntry:
    consent_model: ConsentModel
    legal_grounds: frozenset[str]
    justification: str | None


@dataclass(frozen=True, slots=True)
class CompiledAgreement:
    reference: str
    version: int
    start_date: date
    end_date: date | None
    parties: frozenset[str]
    categories: frozenset[str]
    purposes: Mapping[str, PurposeEntry]
    #: (organisation, role, purpose) -> categories that role there may receive for it
    need_to_know: Mapping[tuple[str, str, str], frozenset[str]]
    transfers: Mapping[str, TransferEntry]
    #: the agreement as the consent check names it ("the parties to ISA X")
    consent_context: IsaContext

    def in_force_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)

    def granted(self, organisation: str, roles: Iterable[str], purpose: str) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for role in roles:
            found |= self.need_to_know.get((organisation, role, purpose), frozenset())
        return found


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything decide() needs apart from the request and the subject's facts."""

    pack_id: str
    options: PolicyOptions
    organisations: Mapping[str, OrganisationEntry]
    purposes: Mapping[str, bool]
    categories: Mapping[str, CategoryEntry]
    grounds: Mapping[str, GroundEntry]
    #: method -> (procedure, all of the pack's safeguards)
    transfer_methods: Mapping[str, TransferEntry]
    staff: Mapping[str, StaffEntry]
    #: organisation -> ids of its active designated officers
    designated_officers: Mapping[str, frozenset[str]]
    agreements: Mapping[str, CompiledAgreement]
    #: (provider, recipient, purpose) -> references of agreements in force, sorted
    routes: Mapping[tuple[str, str, str], tuple[str, ...]]
    #: clause citations the pack defines, for checking conditions' clauses
    clauses: frozenset[str] = field(default=frozenset())
    #: what decide() worked out about each kind of request before looking at the person:
    #: derived from the fields above only, so it never changes an answer, only its speed
    prepared: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)


def compile_policy(
    pack: ProtocolPack,
    agreements: Iterable[InformationSharingAgreement],
    staff: Iterable[StaffMember],
    *,
    adopted_on: Mapping[str, date] | None = None,
    options: PolicyOptions | None = None,
) -> Policy:
    """Index ``pack``, the agreements in force and ``staff`` for decide().

    ``adopted_on`` adds approvals of the protocol (Procedure C1) beyond what the pack
    records. Agreements not in force (draft, expired, terminated, superseded) or made under
    another pack are left out; an agreement's dates are checked against each request.
    """
    options = options or PolicyOptions()
    adopted = dict(adopted_on or {})
    organisations = {
        o.code: OrganisationEntry(
            code=o.code,
            type=o.type.value,
            party=o.membership is Membership.PARTY,
            adopted_on=adopted.get(o.code, o.adoption.approved_on if o.adoption else None),
        )
        for o in pack.organisations
    }
    pack_methods = {
        m.id: TransferEntry(
            m.id, f"Procedure {m.procedure}", tuple((s.id, s.text) for s in m.safeguards)
        )
        for m in pack.transfer_methods
    }
    compiled = {
        isa.reference: _compile_agreement(isa, pack_methods)
        for isa in sorted(agreements, key=lambda a: (a.reference, a.version))
        if isa.status in IN_FORCE and isa.protocol == pack.id
    }
    routes: dict[tuple[str, str, str], list[str]] = {}
    for isa in _in_force(agreements, pack.id):
        providers = [p.organisation for p in isa.parties if p.provides]
        recipients = [p.organisation for p in isa.parties if p.receives]
        for purpose in {p.purpose for p in isa.purposes}:
            for provider in providers:
                for recipient in recipients:
                    if provider != recipient:
                        routes.setdefault((provider, recipient, purpose), []).append(isa.reference)
    staff_entries = {s.id: _staff_entry(s, options) for s in sorted(staff, key=lambda s: s.id)}
    officers: dict[str, set[str]] = {}
    for staff_id, entry in staff_entries.items():
        if entry.active and DESIGNATED_OFFICER in entry.roles:
            officers.setdefault(entry.organisation, set()).add(staff_id)
    return Policy(
        pack_id=pack.id,
        options=options,
        organisations=MappingProxyType(organisations),
        purposes=MappingProxyType({p.id: p.needs_identifiable_data for p in pack.purposes}),
        categories=MappingProxyType(
            {
                c.id: CategoryEntry(c.sensitive, c.identifying, c.statutory_restriction)
                for c in pack.data_categories
            }
        ),
        grounds=MappingProxyType({g.id: _ground_entry(g) for g in pack.legal_grounds}),
        transfer_methods=MappingProxyType(pack_methods),
        staff=MappingProxyType(staff_entries),
        designated_officers=MappingProxyType({k: frozenset(v) for k, v in officers.items()}),
        agreements=MappingProxyType(compiled),
        routes=MappingProxyType({k: tuple(sorted(set(v))) for k, v in routes.items()}),
        clauses=frozenset(
            [p.citation for p in pack.principles]
            + [p.citation for p in pack.procedures]
            + [f"Section {s.id}" for s in pack.sections]
        ),
    )


def _in_force(
    agreements: Iterable[InformationSharingAgreement], pack_id: str
) -> list[InformationSharingAgreement]:
    return [a for a in agreements if a.status in IN_FORCE and a.protocol == pack_id]


def _staff_entry(member: StaffMember, options: PolicyOptions) -> StaffEntry:
    until: date | None = None
    if member.trained_on is not None:
        if options.training_valid_for is None:
            until = date.max
        else:
            until = member.trained_on + options.training_valid_for
    return StaffEntry(
        organisation=member.organisation,
        roles=frozenset(member.roles),
        active=member.active,
        trained_on=member.trained_on,
        trained_until=until,
    )


def _ground_entry(ground: LegalGround) -> GroundEntry:
    return GroundEntry(
        id=ground.id,
        citation=ground.citation,
        permits_sharing_without_consent=ground.permits_sharing_without_consent,
        covers_sensitive_data=ground.covers_sensitive_data,
        constraint=ground.effect == "constraint",
        purposes=frozenset(ground.purposes),
        organisation_types=frozenset(t.value for t in ground.organisation_types),
        relies_on=tuple(ground.relies_on),
    )


def _compile_agreement(
    isa: InformationSharingAgreement, pack_methods: Mapping[str, TransferEntry]
) -> CompiledAgreement:
    purposes = {
        p.purpose: PurposeEntry(p.consent_model, frozenset(p.legal_grounds), p.justification)
        for p in isa.purposes
    }
    grants: dict[tuple[str, str, str], frozenset[str]] = {}
    for row in isa.need_to_know:
        for purpose in row.purposes or list(purposes):
            key = (row.organisation, row.role, purpose)
            grants[key] = grants.get(key, frozenset()) | frozenset(row.categories)
    transfers = {}
    for agreed in isa.transfer_methods:
        known = pack_methods.get(agreed.method)
        if known is None:
            # An agreement naming a method the pack lacks is a lint error; here it simply
            # allows nothing, so a request using it is denied.
            continue
        wanted = set(agreed.safeguards)
        chosen = tuple(s for s in known.safeguards if not wanted or s[0] in wanted)
        transfers[agreed.method] = TransferEntry(agreed.method, known.procedure, chosen)
    return CompiledAgreement(
        reference=isa.reference,
        version=isa.version,
        start_date=isa.start_date,
        end_date=isa.end_date,
        parties=frozenset(isa.party_codes),
        categories=frozenset(isa.data_categories),
        purposes=MappingProxyType(purposes),
        need_to_know=MappingProxyType(grants),
        transfers=MappingProxyType(transfers),
        consent_context=IsaContext(isa.reference, frozenset(isa.party_codes)),
    )
