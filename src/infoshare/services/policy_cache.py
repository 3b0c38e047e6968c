"""The compiled Policy of a database, compiled once and kept until something it rests on
changes (Principles 7, 14; Sections 1.1, 3.1; Procedures A6, C1).

``decide()`` needs the pack, the agreements in force with their need-to-know rows, staff
with roles and training, and who adopted the protocol. Compiling all that takes
milliseconds; a decision takes microseconds. So ``current_policy(db)`` keeps the compiled
Policy per database and recompiles only when the *change stamp* moves: one cheap query of
counts and latest times over the tables the policy is made from (agreements and their status
history, staff and their roles and training, adoption dates, the pack's digest). Every
process computes the same stamp from the same rows, so several web workers agree without
talking to each other. The stamp is looked at no more often than ``CHECK_EVERY`` seconds per
process: a change reaches decisions within that time.

Staff are known to the policy by their email address (unique, lower-case), which is what
sign-in and the API name them by.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from infoshare.domain.agreement import InformationSharingAgreement
from infoshare.errors import NotReadyError
from infoshare.policy.compile import IN_FORCE, Policy, PolicyOptions, StaffMember, compile_policy
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack
from infoshare.store.database import Database
from infoshare.store.models import (
    AgreementRecord,
    AgreementStatusChangeRecord,
    OrganisationRecord,
    ProtocolPackRecord,
    StaffRecord,
    StaffRoleRecord,
)

#: seconds between looks at the change stamp, per process
CHECK_EVERY: Final = 0.5


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[Any, ...]
    policy: Policy
    pack: ProtocolPack
    checked_at: float


_cache: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def change_stamp(session: Session) -> tuple[Any, ...]:
    """What changes whenever anything the policy is compiled from changes."""
    parts = (
        select(func.max(ProtocolPackRecord.digest)).scalar_subquery(),
        select(func.count(AgreementRecord.id)).scalar_subquery(),
        select(func.max(AgreementRecord.updated_at)).scalar_subquery(),
        select(func.count(AgreementStatusChangeRecord.id)).scalar_subquery(),
        select(func.count(StaffRecord.id)).scalar_subquery(),
        select(func.count(StaffRecord.training_completed_on)).scalar_subquery(),
        select(func.max(StaffRecord.training_completed_on)).scalar_subquery(),
        select(func.count(StaffRecord.id)).where(StaffRecord.active).scalar_subquery(),
        select(func.count(StaffRoleRecord.staff_id)).scalar_subquery(),
        select(func.count(OrganisationRecord.adopted_on)).scalar_subquery(),
        select(func.max(OrganisationRecord.adopted_on)).scalar_subquery(),
    )
    row = session.execute(select(*parts)).one()
    return tuple(row)


def compile_from(session: Session, options: PolicyOptions) -> tuple[Policy, ProtocolPack]:
    """The Policy of what ``session`` sees now."""
    pack_id = session.scalars(select(ProtocolPackRecord.id)).first()
    if pack_id is None:
        raise NotReadyError("no protocol pack is loaded; run `infoshare init` first")
    pack = load_pack_reference(pack_id)
    records = session.scalars(
        select(AgreementRecord)
        .where(AgreementRecord.status.in_([s.value for s in IN_FORCE]))
        .order_by(AgreementRecord.reference, AgreementRecord.version)
    ).all()
    organisations = session.execute(
        select(OrganisationRecord.id, OrganisationRecord.code, OrganisationRecord.adopted_on)
    ).all()
    codes = {organisation_id: code for organisation_id, code, _ in organisations}
    adopted = {code: on for _, code, on in organisations if on is not None}
    staff = [
        StaffMember(
            id=record.email,
            organisation=codes[record.organisation_id],
            roles=frozenset(r.role_id for r in record.roles),
            active=record.active,
            trained_on=record.training_completed_on,
        )
        for record in session.scalars(select(StaffRecord))
    ]
    policy = compile_policy(
        pack,
        [InformationSharingAgreement.model_validate(r.content) for r in records],
        staff,
        adopted_on=adopted,
        options=options,
    )
    return policy, pack


def current_policy(
    db: Database, *, review_hours: int = 72, now: float | None = None
) -> tuple[Policy, ProtocolPack]:
    """The compiled Policy of ``db`` and its pack, recompiled if anything changed."""
    moment = time.monotonic() if now is None else now
    review_due_after = timedelta(hours=review_hours)
    cached = _cache.get(db.engine)
    if cached is not None and cached.policy.options.review_due_after != review_due_after:
        cached = None
    if cached is not None and moment - cached.checked_at < CHECK_EVERY:
        return cached.policy, cached.pack
    with db.unit_of_work().reading() as uow:
        stamp = change_stamp(uow.session)
        if cached is not None and cached.stamp == stamp:
            policy, pack = cached.policy, cached.pack
        else:
            options = PolicyOptions(review_due_after=review_due_after)
            policy, pack = compile_from(uow.session, options)
    with _lock:
        _cache[db.engine] = _Cached(stamp, policy, pack, moment)
    return policy, pack


def forget(db: Database) -> None:
    """Drop ``db``'s compiled policy, so the next decision compiles afresh."""
    with _lock:
        _cache.pop(db.engine, None)
