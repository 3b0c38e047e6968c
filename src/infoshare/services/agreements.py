"""The register of Information Sharing Agreements: import, export, list, lint, and move them on.

Sections 1.1 and 3.1 (the protocol is activated through ISAs, each consistent with it),
Appendix 2 and Procedure B7 (the need-to-know matrix), Section 4.4 (reviews), Procedure C1
(adoption, read for the lint) and Procedure C3 (confirmations, read for the lint).

The rules live in the core and are only called here: ``parse_agreement`` reads a file,
``isa_lint.lint`` judges it, ``isa_lifecycle`` moves it from one status to the next. This
module stores the result: one row per version (an amendment is a new version; old ones stay
readable), the need-to-know matrix as rows of ``agreement_grants`` for the decision engine,
the signatories, and one status-history row per step. Every function that changes anything
is one transaction; everything is checked before the first write, so bad input changes
nothing.

Each signature, activation and ending (expiry, termination, supersession) is also appended
to the ledger (``services/ledger.py``) in the same transaction: the step and its entry are
written together or not at all. The entry holds identifiers and a digest of the version as
it stood, never its text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infoshare.domain.agreement import InformationSharingAgreement, IsaStatus
from infoshare.domain.agreement_yaml import (
    AgreementFile,
    dump_agreement,
    field_name,
    parse_agreement,
)
from infoshare.errors import (
    AgreementFileError,
    AgreementStateError,
    ConflictError,
    InputError,
    NotFoundError,
    PackProblem,
    PermissionDeniedError,
)
from infoshare.ledger.events import EventKind
from infoshare.policy import isa_lifecycle
from infoshare.policy.access import Permission, Role, authorize
from infoshare.policy.isa_lifecycle import IsaAction
from infoshare.policy.isa_lint import Finding, LintContext, RuleId, lint
from infoshare.protocol.schema import ProtocolPack
from infoshare.services import ledger
from infoshare.services.access_log import Outcome, Requester, RequesterKind, add_entry
from infoshare.services.agreement_ledger import (
    AGREEMENT_RECORD,
    LEDGER_EVENTS,
    record_id,
    step_digest,
)
from infoshare.services.clock import now_or
from infoshare.services.protocol_overview import _stored_pack
from infoshare.store.models import (
    AgreementGrantRecord,
    AgreementPartyRecord,
    AgreementRecord,
    AgreementSignatoryRecord,
    AgreementStatusChangeRecord,
    DataCategoryRecord,
    OrganisationRecord,
    ProcedureConfirmationRecord,
    PurposeRecord,
    RoleRecord,
)
from infoshare.store.unit_of_work import UnitOfWork

#: lint rules whose finding means the file names something the protocol does not define;
#: such an agreement cannot be stored (its rows would point at nothing)
UNKNOWN_REFERENCE_RULES = frozenset(
    {
        RuleId.PROTOCOL_MISMATCH,
        RuleId.UNKNOWN_ORGANISATION,
        RuleId.UNKNOWN_PURPOSE,
        RuleId.UNKNOWN_LEGAL_GROUND,
        RuleId.UNKNOWN_CATEGORY,
        RuleId.UNKNOWN_ROLE,
        RuleId.UNKNOWN_TRANSFER_METHOD,
        RuleId.UNKNOWN_SAFEGUARD,
    }
)
#: statuses an agreement may be imported in; later ones are reached through the lifecycle,
#: so that nobody can import an agreement "active" past the lint
IMPORTABLE = (IsaStatus.DRAFT, IsaStatus.PROPOSED)
#: statuses in which an agreement is in force
IN_FORCE = (IsaStatus.ACTIVE, IsaStatus.REVIEW_DUE)


class _ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class FindingView(_ReadModel):
    """One lint finding (see docs/agreements.md, "The rules")."""

    rule_id: str
    rule: str
    severity: str
    clause: str
    field: str
    message: str
    fix: str

    @classmethod
    def of(cls, finding: Finding) -> FindingView:
        return cls(**finding.as_dict())


class PartyView(_ReadModel):
    organisation: str
    does: str
    signed: bool


class StatusChange(_ReadModel):
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor: str | None
    note: str | None


class AgreementSummary(_ReadModel):
    """A version of an agreement as the register lists it."""

    reference: str
    version: int
    title: str
    service_area: str
    status: IsaStatus
    owner_organisation: str
    parties: list[PartyView]
    start_date: date
    review_date: date
    end_date: date | None
    #: in force and its review date has come, or marked review-due (Section 4.4)
    review_due: bool
    latest_version: int


class AgreementDetail(_ReadModel):
    """One version in full: the agreement, its lint findings as at ``as_at``, its history."""

    summary: AgreementSummary
    agreement: InformationSharingAgreement
    as_at: date
    findings: list[FindingView]
    errors: int
    warnings: int
    versions: list[int]
    history: list[StatusChange]


# ---------------------------------------------------------------------------- reading


def lint_context(session: Session, today: date) -> LintContext:
    """The facts the lint needs from the database: adoption (C1) and confirmations (C3).

    Confirmations are "unknown" (None: not checked) until the first one is recorded; from
    then on a party with none recorded has confirmed none, as the lint's context defines.
    """
    adopted = {
        code: when
        for code, when in session.execute(
            select(OrganisationRecord.code, OrganisationRecord.adopted_on)
        )
        if when is not None
    }
    rows = session.execute(
        select(OrganisationRecord.code, ProcedureConfirmationRecord.procedure_id)
        .join(
            OrganisationRecord, ProcedureConfirmationRecord.organisation_id == OrganisationRecord.id
        )
        .where(ProcedureConfirmationRecord.confirmed_on <= today)
    ).all()
    any_recorded = session.scalar(select(func.count()).select_from(ProcedureConfirmationRecord))
    confirmed: dict[str, frozenset[str]] | None = None
    if any_recorded:
        confirmed = {}
        for code, procedure in rows:
            confirmed[code] = confirmed.get(code, frozenset()) | {procedure}
    return LintContext(today=today, adopted_on=adopted, confirmed_procedures=confirmed)


def _today(today: date | None) -> date:
    return today if today is not None else now_or(None).date()


def _codes(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.execute(select(OrganisationRecord.id, OrganisationRecord.code)).all())


def _latest_versions(session: Session) -> dict[str, int]:
    return dict(
        session.execute(
            select(AgreementRecord.reference, func.max(AgreementRecord.version)).group_by(
                AgreementRecord.reference
            )
        ).all()
    )


def _agreement(record: AgreementRecord) -> InformationSharingAgreement:
    return InformationSharingAgreement.model_validate(record.content)


def _is_review_due(record: AgreementRecord, today: date) -> bool:
    if record.status == IsaStatus.REVIEW_DUE:
        return True
    return record.status == IsaStatus.ACTIVE and record.review_date <= today


def _summary(
    record: AgreementRecord, codes: dict[uuid.UUID, str], latest: int, today: date
) -> AgreementSummary:
    signed = {codes[s.organisation_id] for s in record.signatories if s.signed_on is not None}
    parties = [
        PartyView(
            organisation=codes[p.organisation_id],
            does=p.does,
            signed=codes[p.organisation_id] in signed,
        )
        for p in record.parties
    ]
    return AgreementSummary(
        reference=record.reference,
        version=record.version,
        title=record.title,
        service_area=record.service_area,
        status=IsaStatus(record.status),
        owner_organisation=codes[record.owner_organisation_id],
        parties=parties,
        start_date=record.start_date,
        review_date=record.review_date,
        end_date=record.end_date,
        review_due=_is_review_due(record, today),
        latest_version=latest,
    )


def _find(
    session: Session, reference: str, version: int | None, *, lock: bool = False
) -> AgreementRecord:
    query = select(AgreementRecord).where(AgreementRecord.reference == reference)
    if version is None:
        query = query.order_by(AgreementRecord.version.desc()).limit(1)
    else:
        query = query.where(AgreementRecord.version == version)
    if lock:
        # Two parties signing at once must not overwrite each other's signature: the row is
        # locked until the step commits (PostgreSQL; SQLite writers are serialised anyway).
        query = query.with_for_update()
    record = session.scalars(query).first()
    if record is None:
        what = f"`{reference}`" if version is None else f"`{reference}` version {version}"
        raise NotFoundError(
            f"there is no agreement {what}; `infoshare isa list` shows the register",
            field="reference",
        )
    return record


def list_agreements(
    uow: UnitOfWork,
    *,
    party: str | None = None,
    status: str | None = None,
    review_due: bool | None = None,
    all_versions: bool = False,
    today: date | None = None,
) -> list[AgreementSummary]:
    """The register: the latest version of each agreement (or every version), by reference.

    Filters: ``party`` (an organisation code among the parties), ``status`` (an
    ``IsaStatus``), ``review_due`` (Section 4.4, as at ``today``).
    """
    on = _today(today)
    if status is not None and status not in set(IsaStatus):
        choices = ", ".join(f"`{s}`" for s in IsaStatus)
        raise InputError(f"`{status}` is not a status; use one of {choices}", field="status")
    with uow.reading():
        session = uow.session
        codes = _codes(session)
        if party is not None and party not in codes.values():
            raise InputError(
                f"there is no organisation with code `{party}`; use a code such as `LTHT`",
                field="party",
            )
        latest = _latest_versions(session)
        query = select(AgreementRecord).order_by(AgreementRecord.reference, AgreementRecord.version)
        if status is not None:
            query = query.where(AgreementRecord.status == status)
        if party is not None:
            query = query.where(
                AgreementRecord.id.in_(
                    select(AgreementPartyRecord.agreement_id)
                    .join(
                        OrganisationRecord,
                        AgreementPartyRecord.organisation_id == OrganisationRecord.id,
                    )
                    .where(OrganisationRecord.code == party)
                )
            )
        records = session.scalars(query).all()
        summaries = [
            _summary(r, codes, latest[r.reference], on)
            for r in records
            if all_versions or r.version == latest[r.reference]
        ]
    if review_due is not None:
        summaries = [s for s in summaries if s.review_due is review_due]
    return summaries


def get_agreement(
    uow: UnitOfWork, reference: str, version: int | None = None, *, today: date | None = None
) -> AgreementDetail:
    """One version (the latest if ``version`` is None) with its lint findings as at ``today``."""
    on = _today(today)
    with uow.reading():
        session = uow.session
        record = _find(session, reference, version)
        isa = _agreement(record)
        pack = _stored_pack(session)
        findings = lint(isa, pack, lint_context(session, on))
        versions = list(
            session.scalars(
                select(AgreementRecord.version)
                .where(AgreementRecord.reference == reference)
                .order_by(AgreementRecord.version)
            )
        )
        history = [
            StatusChange(
                at=h.at,
                action=h.action,
                from_status=h.from_status,
                to_status=h.to_status,
                actor=h.actor,
                note=h.note,
            )
            for h in record.history
        ]
        summary = _summary(record, _codes(session), versions[-1], on)
    errors = sum(f.blocks_activation for f in findings)
    return AgreementDetail(
        summary=summary,
        agreement=isa,
        as_at=on,
        findings=[FindingView.of(f) for f in findings],
        errors=errors,
        warnings=len(findings) - errors,
        versions=versions,
        history=history,
    )


def export_agreement(uow: UnitOfWork, reference: str, version: int | None = None) -> str:
    """The version as YAML, as ``infoshare isa import`` reads it (docs/agreements.md)."""
    with uow.reading():
        return dump_agreement(_agreement(_find(uow.session, reference, version)))


def agreements_in_force(uow: UnitOfWork) -> list[InformationSharingAgreement]:
    """Every version in force (active or review due), as the decision engine compiles them
    (``policy.compile.compile_policy``); it checks each one's dates against each request.
    """
    with uow.reading():
        records = uow.session.scalars(
            select(AgreementRecord)
            .where(AgreementRecord.status.in_([s.value for s in IN_FORCE]))
            .order_by(AgreementRecord.reference, AgreementRecord.version)
        ).all()
        return [_agreement(r) for r in records]


def adoption_dates(uow: UnitOfWork) -> dict[str, date]:
    """When each organisation approved the protocol, as stored (Procedure C1)."""
    with uow.reading():
        return {
            code: when
            for code, when in uow.session.execute(
                select(OrganisationRecord.code, OrganisationRecord.adopted_on)
            )
            if when is not None
        }


# ---------------------------------------------------------------------------- who may


def management_refusal(
    requester: Requester, *, organisations: Iterable[str], what: str
) -> tuple[str, str] | None:
    """Why ``requester`` may not make this change to the register, as (message, clause); or
    None if they may.

    Changes need ``agreements:manage`` (lead members, information sharing leads, the
    Information Sharing Manager: Procedures C1, C3, Section 4.1), and staff act for their
    own party: their organisation must be one of ``organisations`` (the agreement's parties,
    or the party concerned). The Information Sharing Manager acts for the whole protocol;
    the operator at the console holds the database anyway.
    """
    if requester.kind is RequesterKind.CONSOLE:
        return None
    decision = authorize(requester.actor, Permission.AGREEMENTS_MANAGE)
    if not decision.allowed:
        return decision.message, decision.clause
    actor = requester.actor
    if actor is None or Role.INFORMATION_SHARING_MANAGER in actor.roles:
        return None
    if actor.organisation_code in set(organisations):
        return None
    return (
        f"you act for `{actor.organisation_code}`, which is not concerned by {what}; ask "
        "someone at one of its parties, or the Information Sharing Manager",
        "Section 4.1",
    )


def check_may_manage(
    uow: UnitOfWork, requester: Requester, *, what: str, now: datetime | None = None
) -> None:
    """Refuse (logged, 403) unless ``requester``'s roles allow ``agreements:manage`` at all.

    Asked before a form is read, so a role that may not change the register is told so, not
    that its form is incomplete (Procedure B1: authorization before input). Whether the
    change concerns the requester's party is checked with the change (``authorise``).
    """
    if requester.kind is RequesterKind.CONSOLE:
        return
    decision = authorize(requester.actor, Permission.AGREEMENTS_MANAGE)
    if decision.allowed:
        return
    with uow:
        add_entry(
            uow.session, requester, outcome=Outcome.DENIED,
            action=Permission.AGREEMENTS_MANAGE.value, what=what, why=decision.message,
            clause=decision.clause, at=now_or(now),
        )  # fmt: skip
        uow.commit()
    raise PermissionDeniedError(f"{decision.message} ({decision.clause})")


def authorise(
    uow: UnitOfWork,
    requester: Requester,
    *,
    organisations: Iterable[str],
    what: str,
    at: datetime,
) -> None:
    """Refuse unless ``requester`` may make this change (see ``management_refusal``).

    Call it in the change's transaction before writing anything: a refusal is written to
    the access log (Procedure B1) and committed, nothing else, then raised as
    PermissionDeniedError.
    """
    refusal = management_refusal(requester, organisations=organisations, what=what)
    if refusal is None:
        return
    message, clause = refusal
    add_entry(
        uow.session, requester, outcome=Outcome.DENIED,
        action=Permission.AGREEMENTS_MANAGE.value, what=what, why=message, clause=clause, at=at,
    )  # fmt: skip
    uow.commit()
    raise PermissionDeniedError(f"{message} ({clause})")


# ---------------------------------------------------------------------------- importing


def import_agreement(
    uow: UnitOfWork,
    text: str,
    source: str,
    *,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Store the agreement written in ``text`` (the YAML of docs/agreements.md).

    - a file that is not an agreement, or names an organisation, purpose, category, role,
      legal ground or transfer method the protocol does not define, is an
      ``AgreementFileError`` listing every problem with its file, line and field;
    - the status must be ``draft`` or ``proposed`` (later statuses are reached by signing
      and activating, so that the lint has its say);
    - a new reference starts the register entry; a known one must be the next version (an
      amendment) or the same version while it is still a draft (which it replaces);
      anything else is a ConflictError.

    Nothing is stored unless everything is right.
    """
    moment = now_or(now)
    parsed = parse_agreement(text, source)
    isa = parsed.agreement
    if isa.status not in IMPORTABLE:
        line = parsed.line_of(("status",))
        raise AgreementFileError(
            [
                PackProblem(
                    source,
                    "status",
                    f"an agreement is imported as `draft` or `proposed`, not `{isa.status}`; "
                    "import it as proposed, then sign and activate it",
                    line,
                )
            ]
        )
    with uow:
        session = uow.session
        pack = _stored_pack(session)
        _refuse_unknown_references(session, parsed, pack, moment.date())
        if isa.status is IsaStatus.PROPOSED and not isa.unsigned_parties:
            # Every party signed before the file came in: it is signed, not proposed.
            isa = isa.model_copy(update={"status": IsaStatus.SIGNED})
        existing = session.scalars(
            select(AgreementRecord)
            .where(AgreementRecord.reference == isa.reference)
            .with_for_update()
        ).all()
        concerned = set(isa.party_codes)
        concerned |= {p for r in existing for p in _agreement(r).party_codes}
        authorise(
            uow, requester, organisations=concerned, what=f"agreement `{isa.reference}`",
            at=moment,
        )  # fmt: skip
        by_version = {r.version: r for r in existing}
        latest = max(by_version, default=0)
        record = by_version.get(isa.version)
        if record is not None:
            if record.status != IsaStatus.DRAFT:
                raise ConflictError(
                    f"`{isa.reference}` version {isa.version} is already stored and is "
                    f"`{record.status}`; only a draft can be replaced. Write the amendment as "
                    f"version {latest + 1}",
                    field="version",
                )
            action, before = "replace", record.status
        else:
            if existing and isa.version != latest + 1:
                raise ConflictError(
                    f"`{isa.reference}` is stored up to version {latest}; an amendment is "
                    f"version {latest + 1}, not {isa.version}",
                    field="version",
                )
            record = AgreementRecord(
                reference=isa.reference, version=isa.version, created_at=moment
            )
            action, before = "import", None
        try:
            _write(session, record, isa, source, moment)
        except IntegrityError as error:  # another import of the same version won the race
            raise _raced(isa.reference, isa.version) from error
        _record_step(record, action, before, isa.status, requester.name, f"from {source}", moment)
        uow.flush()
        summary = _summary(record, _codes(session), max(latest, isa.version), moment.date())
        uow.commit()
    return summary


def _raced(reference: str, version: int) -> ConflictError:
    return ConflictError(
        f"`{reference}` version {version} was stored by someone else at the same moment; "
        "look at the register and try again",
        field="version",
    )


def _refuse_unknown_references(
    session: Session, parsed: AgreementFile, pack: ProtocolPack, today: date
) -> None:
    isa = parsed.agreement
    problems: dict[str, PackProblem] = {}

    def add(path: tuple[str | int, ...], reason: str) -> None:
        field = field_name(path) or "(agreement)"
        problems.setdefault(field, PackProblem(parsed.source, field, reason, parsed.line_of(path)))

    context = LintContext(today=today)
    for finding in lint(isa, pack, context):
        if finding.rule_id in UNKNOWN_REFERENCE_RULES:
            add(finding.path, f"{finding.message}; {finding.fix}")
    # What the rows point at must exist, wherever the file names it.
    organisations = set(session.scalars(select(OrganisationRecord.code)))
    purposes = set(session.scalars(select(PurposeRecord.id)))
    categories = set(session.scalars(select(DataCategoryRecord.id)))
    roles = set(session.scalars(select(RoleRecord.id)))
    checks: list[tuple[tuple[str | int, ...], str, set[str], str]] = [
        (("owner", "organisation"), isa.owner.organisation, organisations, "organisation")
    ]
    checks += [
        (("parties", i, "organisation"), p.organisation, organisations, "organisation")
        for i, p in enumerate(isa.parties)
    ]
    checks += [
        (("signatories", i, "organisation"), s.organisation, organisations, "organisation")
        for i, s in enumerate(isa.signatories)
    ]
    for i, row in enumerate(isa.need_to_know):
        checks.append(
            (("need_to_know", i, "organisation"), row.organisation, organisations, "organisation")
        )
        checks.append((("need_to_know", i, "role"), row.role, roles, "role"))
        checks += [
            (("need_to_know", i, "categories", j), c, categories, "data category")
            for j, c in enumerate(row.categories)
        ]
        checks += [
            (("need_to_know", i, "purposes", j), p, purposes, "purpose")
            for j, p in enumerate(row.purposes)
        ]
    for path, value, known, noun in checks:
        if value not in known:
            add(
                path,
                f"`{value}` is not a {noun} of the protocol; use an id from `infoshare pack show`",
            )
    if problems:
        ordered = sorted(problems.values(), key=lambda p: (p.line or 0, p.location))
        raise AgreementFileError(ordered)


def _write(
    session: Session,
    record: AgreementRecord,
    isa: InformationSharingAgreement,
    source: str | None,
    moment: datetime,
) -> None:
    """Make ``record`` and its child rows say what ``isa`` says."""
    ids = dict(session.execute(select(OrganisationRecord.code, OrganisationRecord.id)).all())
    record.title = isa.title
    record.service_area = isa.service_area
    record.status = isa.status.value
    record.owner_organisation_id = ids[isa.owner.organisation]
    record.owner_post = isa.owner.post
    record.start_date = isa.start_date
    record.review_date = isa.review_date
    record.end_date = isa.end_date
    record.reviewed_on = isa.reviewed_on
    record.content = isa.model_dump(mode="json")
    if source is not None:
        record.source = source
    record.updated_at = moment
    session.add(record)
    session.flush()
    # Child rows are rewritten whole: a version's parties, signatories and grants are what
    # its content says, nothing older.
    for child in (AgreementPartyRecord, AgreementSignatoryRecord, AgreementGrantRecord):
        session.execute(delete(child).where(child.agreement_id == record.id))
    session.add_all(
        AgreementPartyRecord(
            agreement_id=record.id,
            organisation_id=ids[p.organisation],
            does=p.does.value,
            position=i,
        )
        for i, p in enumerate(isa.parties)
    )
    session.add_all(
        AgreementSignatoryRecord(
            agreement_id=record.id,
            organisation_id=ids[s.organisation],
            name=s.name,
            post=s.post,
            signed_on=s.signed_at,
            position=i,
        )
        for i, s in enumerate(isa.signatories)
    )
    all_purposes = [p.purpose for p in isa.purposes]
    cells = {
        (ids[row.organisation], row.role, category, purpose)
        for row in isa.need_to_know
        for category in row.categories
        for purpose in (row.purposes or all_purposes)
    }
    session.add_all(
        AgreementGrantRecord(
            agreement_id=record.id,
            organisation_id=organisation,
            role_id=role,
            category_id=category,
            purpose_id=purpose,
        )
        for organisation, role, category, purpose in cells
    )
    session.flush()
    session.expire(record, ["parties", "signatories", "grants"])


def _record_step(
    record: AgreementRecord,
    action: str,
    before: str | None,
    after: str,
    actor: str | None,
    note: str | None,
    moment: datetime,
) -> AgreementStatusChangeRecord:
    step = AgreementStatusChangeRecord(
        at=moment, action=action, from_status=before, to_status=after, actor=actor, note=note
    )
    record.history.append(step)
    return step


def _governance_event(
    session: Session,
    step: AgreementStatusChangeRecord,
    isa: InformationSharingAgreement,
    requester: Requester,
    moment: datetime,
    organisation: str | None = None,
) -> None:
    """Append the ledger entry for ``action`` (Section 1.1), if the step is one it records."""
    kind = LEDGER_EVENTS.get(step.action)
    if kind is None:
        return
    actor = requester.actor
    staff = actor.reference if actor is not None and actor.reference else requester.name
    acting_for = organisation or (actor.organisation_code if actor else isa.owner.organisation)
    ledger.record(
        session,
        ledger.LedgerEvent(
            time=moment,
            kind=kind,
            actor_staff=staff,
            actor_organisation=acting_for,
            record_digest=step_digest(
                isa.reference, isa.version, step, isa.model_dump(mode="json")
            ),
            reason=None if kind is not EventKind.ISA_ENDED else str(step.action),
            record_type=AGREEMENT_RECORD,
            record_id=record_id(isa.reference, isa.version),
        ),
    )


# ---------------------------------------------------------------------------- the lifecycle

Step = Callable[[InformationSharingAgreement, ProtocolPack, Session], InformationSharingAgreement]


def _move(
    uow: UnitOfWork,
    reference: str,
    version: int | None,
    action: str,
    step: Step,
    *,
    requester: Requester,
    note: str | None,
    now: datetime | None,
    after: Callable[[Session, AgreementRecord], None] | None = None,
    in_force: bool = False,
    acting_for: str | None = None,
) -> AgreementSummary:
    moment = now_or(now)
    with uow:
        session = uow.session
        if version is None and in_force:
            # Review and expiry concern the version in force, which may sit under a draft.
            version = session.scalar(
                select(func.max(AgreementRecord.version)).where(
                    AgreementRecord.reference == reference,
                    AgreementRecord.status.in_([s.value for s in IN_FORCE]),
                )
            )
        record = _find(session, reference, version, lock=True)
        before = _agreement(record)
        authorise(
            uow,
            requester,
            organisations=[acting_for] if acting_for is not None else before.party_codes,
            what=f"agreement `{reference}` version {record.version}",
            at=moment,
        )
        moved = step(before, _stored_pack(session), session)
        _write(session, record, moved, None, moment)
        change = _record_step(
            record, action, before.status, moved.status, requester.name, note, moment
        )
        _governance_event(session, change, moved, requester, moment, acting_for)
        if after is not None:
            after(session, record)
        uow.flush()
        latest = _latest_versions(session)[reference]
        summary = _summary(record, _codes(session), latest, moment.date())
        uow.commit()
    return summary


def propose(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Send a draft to the parties for signature."""
    return _move(
        uow, reference, version, IsaAction.PROPOSE, lambda isa, _p, _s: isa_lifecycle.propose(isa),
        requester=requester, note=None, now=now,
    )  # fmt: skip


def return_to_draft(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Take a proposed agreement back for changes; signatures given are withdrawn."""
    return _move(
        uow, reference, version, IsaAction.RETURN_TO_DRAFT,
        lambda isa, _p, _s: isa_lifecycle.return_to_draft(isa),
        requester=requester, note=None, now=now,
    )  # fmt: skip


def sign(
    uow: UnitOfWork,
    reference: str,
    *,
    organisation: str,
    name: str,
    post: str,
    signed_on: date,
    requester: Requester,
    version: int | None = None,
    now: datetime | None = None,
) -> AgreementSummary:
    """Record ``name``'s signature for ``organisation``; ``signed`` once every party has.

    Signing twice for a party is an ``AgreementStateError``; a signature dated after today
    is an ``InputError``.
    """
    moment = now_or(now)
    name, post = name.strip(), post.strip()
    if not name or not post:
        raise InputError(
            "the signatory's name and post are both needed; give who signs and their post",
            field="name" if not name else "post",
        )
    if signed_on > moment.date():
        raise InputError(
            f"the signature is dated `{signed_on}`, after today ({moment.date()}); date it "
            "when it is given",
            field="signed_on",
        )
    return _move(
        uow, reference, version, IsaAction.SIGN,
        lambda isa, _p, _s: isa_lifecycle.sign(isa, organisation, name, post, signed_on),
        requester=requester, note=f"signed by {name}, {post}, for {organisation}", now=moment,
        acting_for=organisation,
    )  # fmt: skip


def activate(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    today: date | None = None,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Put a signed version in force; refused (``AgreementNotReadyError``) while the lint,
    as at ``today``, finds errors. The version it amends, if in force, is superseded.
    """
    moment = now_or(now)
    on = today if today is not None else moment.date()

    def step(
        isa: InformationSharingAgreement, pack: ProtocolPack, session: Session
    ) -> InformationSharingAgreement:
        return isa_lifecycle.activate(isa, pack, lint_context(session, on))

    def supersede_older(session: Session, record: AgreementRecord) -> None:
        older = session.scalars(
            select(AgreementRecord).where(
                AgreementRecord.reference == record.reference,
                AgreementRecord.version < record.version,
                AgreementRecord.status.in_([s.value for s in IN_FORCE]),
            )
        ).all()
        for old in older:
            before = _agreement(old)
            retired = isa_lifecycle.supersede(before)
            _write(session, old, retired, None, moment)
            step = _record_step(
                old, IsaAction.SUPERSEDE, before.status, retired.status, requester.name,
                f"by version {record.version}", moment,
            )  # fmt: skip
            _governance_event(session, step, retired, requester, moment)

    return _move(
        uow, reference, version, IsaAction.ACTIVATE, step,
        requester=requester, note=f"lint as at {on}", now=moment, after=supersede_older,
    )  # fmt: skip


def mark_review_due(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    today: date | None = None,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Flag an agreement in force whose review date has come (Section 4.4)."""
    moment = now_or(now)
    on = today if today is not None else moment.date()
    return _move(
        uow, reference, version, IsaAction.MARK_REVIEW_DUE,
        lambda isa, _p, _s: isa_lifecycle.mark_review_due(isa, on),
        requester=requester, note=None, now=moment, in_force=True,
    )  # fmt: skip


def record_review(
    uow: UnitOfWork,
    reference: str,
    *,
    reviewed_on: date,
    next_review: date,
    version: int | None = None,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Record a review that changed nothing, and when the next one is (Section 4.4)."""
    return _move(
        uow, reference, version, IsaAction.RECORD_REVIEW,
        lambda isa, _p, _s: isa_lifecycle.record_review(isa, reviewed_on, next_review),
        requester=requester, note=f"next review {next_review}", now=now, in_force=True,
    )  # fmt: skip


def expire(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    today: date | None = None,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """End an agreement in force whose end date has passed."""
    moment = now_or(now)
    on = today if today is not None else moment.date()
    return _move(
        uow, reference, version, IsaAction.EXPIRE,
        lambda isa, _p, _s: isa_lifecycle.expire(isa, on),
        requester=requester, note=None, now=moment, in_force=True,
    )  # fmt: skip


def terminate(
    uow: UnitOfWork,
    reference: str,
    version: int | None = None,
    *,
    reason: str,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """End a version before its time, or abandon one never in force; the reason is kept."""
    reason = reason.strip()
    if not reason:
        raise InputError(
            "give the reason the agreement is terminated; it is kept in its history",
            field="reason",
        )
    return _move(
        uow, reference, version, IsaAction.TERMINATE,
        lambda isa, _p, _s: isa_lifecycle.terminate(isa),
        requester=requester, note=reason, now=now,
    )  # fmt: skip


def amend(
    uow: UnitOfWork,
    reference: str,
    *,
    dated: date,
    summary: str,
    requester: Requester,
    now: datetime | None = None,
) -> AgreementSummary:
    """Start the next version of the latest one as an unsigned draft (the old stays as it is).

    Change the draft by exporting it, editing the file and importing it again.
    """
    summary = summary.strip()
    if not summary:
        raise InputError("say in a sentence what the amendment changes", field="summary")
    moment = now_or(now)
    with uow:
        session = uow.session
        latest = _find(session, reference, None, lock=True)
        authorise(
            uow, requester, organisations=_agreement(latest).party_codes,
            what=f"agreement `{reference}`", at=moment,
        )  # fmt: skip
        if latest.status == IsaStatus.DRAFT:
            raise AgreementStateError(
                f"`{reference}` version {latest.version} is already a draft; change it and "
                "import it again instead of amending",
                field="status",
            )
        if dated < latest.start_date:
            raise InputError(
                f"the amendment is dated `{dated}`, before version {latest.version} started "
                f"({latest.start_date})",
                field="dated",
            )
        amended = isa_lifecycle.amend(_agreement(latest), dated, summary)
        record = AgreementRecord(
            reference=reference, version=amended.version, created_at=moment, source=latest.source
        )
        try:
            _write(session, record, amended, None, moment)
        except IntegrityError as error:  # another amendment won the race
            raise _raced(reference, amended.version) from error
        _record_step(record, "amend", None, amended.status, requester.name, summary, moment)
        uow.flush()
        view = _summary(record, _codes(session), amended.version, moment.date())
        uow.commit()
    return view


# ---------------------------------------------------------------------------- the review sweep

#: who moves agreements to review-due on a schedule: the server, or cron through the CLI
REVIEW_SWEEP = Requester(RequesterKind.CONSOLE, "review-sweep", "local")


def mark_reviews_due(
    uow: UnitOfWork,
    *,
    today: date | None = None,
    requester: Requester = REVIEW_SWEEP,
    now: datetime | None = None,
) -> list[AgreementSummary]:
    """Move every active version whose review date has come to ``review-due`` (Section 4.4);
    what it moved, by reference. One transaction; running it again changes nothing.

    An agreement due for review stays in force (``IN_FORCE``): sharing under it goes on, and
    the register, its page and the lint's ``review-overdue`` say it is due, until a review is
    recorded (``record_review``) or a new version is activated. The step is kept in each
    version's history, as ``mark_review_due`` keeps it; it is not a ledger event (the review
    date it follows from is in the version the ledger's signing and activation entries cover).
    """
    moment = now_or(now)
    on = today if today is not None else moment.date()
    with uow:
        session = uow.session
        records = session.scalars(
            select(AgreementRecord)
            .where(AgreementRecord.status == IsaStatus.ACTIVE, AgreementRecord.review_date <= on)
            .order_by(AgreementRecord.reference, AgreementRecord.version)
            .with_for_update()
        ).all()
        if not records:
            return []
        for record in records:
            before = _agreement(record)
            authorise(
                uow, requester, organisations=before.party_codes,
                what=f"agreement `{record.reference}` version {record.version}", at=moment,
            )  # fmt: skip
            moved = isa_lifecycle.mark_review_due(before, on)
            _write(session, record, moved, None, moment)
            _record_step(
                record, IsaAction.MARK_REVIEW_DUE, before.status, moved.status, requester.name,
                f"review date {record.review_date} reached", moment,
            )  # fmt: skip
        uow.flush()
        codes, latest = _codes(session), _latest_versions(session)
        summaries = [_summary(r, codes, latest[r.reference], on) for r in records]
        uow.commit()
    return summaries
