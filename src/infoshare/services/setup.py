"""Setting up a database: create or upgrade its schema, load a protocol pack into it.

Loading a pack (sections 1.2, 2.1, 2.3, 3.2, 4.1 and Appendix 1 of the protocol, as the pack
writes them) is idempotent:

- a database holds one protocol pack. Loading the same pack again changes nothing; loading
  a new version of it updates the catalogues in place (items it dropped are removed, unless
  stored rows still refer to them, which is a ConflictError); loading a different pack is a
  ConflictError: use a new database for another protocol.
- the pack's organisations are added when their code is missing. Organisations already
  stored keep their stored state: after the first load the database, not the pack, is the
  record of adoption (Procedure C1).
- loading or updating a pack, and each adoption it brings, is appended to the ledger in the
  same transaction (``services/ledger.py``; Procedure C1).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from infoshare.errors import ConfigurationError, ConflictError
from infoshare.protocol.loader import load_pack_reference
from infoshare.protocol.schema import ProtocolPack
from infoshare.services import ledger
from infoshare.services.clock import now_or
from infoshare.services.database import redacted_url
from infoshare.store import schema
from infoshare.store.database import Database
from infoshare.store.models import (
    Base,
    ClauseKind,
    ClauseRecord,
    DataCategoryRecord,
    LegalGroundRecord,
    OrganisationRecord,
    ProtocolPackRecord,
    PurposeRecord,
    RoleRecord,
    TransferMethodRecord,
)


@dataclass(frozen=True)
class SchemaUpgrade:
    """What ``upgrade_schema`` did: the revision before (None: an empty database) and after."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class SetupReport:
    """What ``initialise`` did, for the CLI to print."""

    schema: SchemaUpgrade
    pack_id: str
    pack_version: str
    #: ``loaded`` (first time), ``updated`` (a new version), ``unchanged``
    pack_action: str
    #: how many items each catalogue holds now, by table name
    catalogue_counts: Mapping[str, int]
    organisations_added: tuple[str, ...] = field(default=())


def pack_content(pack: ProtocolPack) -> dict[str, Any]:
    """The pack as plain JSON-ready data, as stored in ``protocol_packs.content``."""
    return pack.model_dump(mode="json")


def pack_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 of the pack's canonical JSON (sorted keys, no spaces), hex."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upgrade_schema(url: str) -> SchemaUpgrade:
    """Create the schema in an empty database, or bring it up to the newest revision.

    A database that cannot be reached is a ConfigurationError naming INFOSHARE_DATABASE_URL.
    """
    try:
        before = schema.current_revision(url)
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise ConfigurationError(
            f"INFOSHARE_DATABASE_URL: cannot open the database `{redacted_url(url)}`: {reason}; "
            "check the URL, that the server is running, and that the folder exists",
            field="INFOSHARE_DATABASE_URL",
        ) from exc
    schema.upgrade(url)
    return SchemaUpgrade(before=before, after=schema.head_revision())


def initialise(url: str, pack_name: str, *, now: datetime | None = None) -> SetupReport:
    """Create or upgrade the schema at ``url`` and load the pack ``pack_name`` (a name or path)."""
    pack = load_pack_reference(pack_name)
    upgraded = upgrade_schema(url)
    db = Database.open(url)
    try:
        return load_pack(db, pack, schema_upgrade=upgraded, now=now)
    finally:
        db.dispose()


def load_pack(
    db: Database,
    pack: ProtocolPack,
    *,
    schema_upgrade: SchemaUpgrade | None = None,
    now: datetime | None = None,
) -> SetupReport:
    """Load ``pack`` into a migrated database, as described in the module docstring."""
    moment = now_or(now)
    content = pack_content(pack)
    digest = pack_digest(content)
    with db.unit_of_work() as uow:
        session = uow.session
        stored = session.scalars(select(ProtocolPackRecord)).all()
        others = [p.id for p in stored if p.id != pack.id]
        if others:
            raise ConflictError(
                f"this database already holds protocol pack `{others[0]}`, so it cannot also "
                f"hold `{pack.id}`; use a new database (INFOSHARE_DATABASE_URL) for another "
                "protocol",
                field="pack",
            )
        record = stored[0] if stored else None
        if record is not None and record.digest == digest:
            action = "unchanged"
        else:
            action = "loaded" if record is None else "updated"
            if record is None:
                record = ProtocolPackRecord(id=pack.id)
                session.add(record)
            record.version = pack.pack.version
            record.title = pack.pack.title
            record.loaded_at = moment
            record.content = content
            record.digest = digest
            session.flush()
            _sync_catalogues(session, pack)
            ledger.record(uow, ledger.pack_loaded_event(pack.id, pack.pack.version, digest, moment))
        added = _add_missing_organisations(session, pack, moment)
        for code in added:
            organisation = next(o for o in pack.organisations if o.code == code)
            if organisation.adoption is not None:
                ledger.record(
                    uow,
                    ledger.adoption_event(
                        code,
                        organisation.adoption.approved_on,
                        organisation.adoption.approving_body,
                        organisation.adoption.minute_reference,
                        at=moment,
                    ),
                )
        counts = {
            model.__tablename__: len(session.scalars(select(model.id)).all())
            for model in _CATALOGUE_MODELS
        }
        uow.commit()
    return SetupReport(
        schema=schema_upgrade or _unchanged_schema(db.url),
        pack_id=pack.id,
        pack_version=pack.pack.version,
        pack_action=action,
        catalogue_counts=counts,
        organisations_added=tuple(added),
    )


def _unchanged_schema(url: str) -> SchemaUpgrade:
    revision = schema.current_revision(url) or schema.head_revision()
    return SchemaUpgrade(before=revision, after=revision)


_CATALOGUE_MODELS: tuple[type[Any], ...] = (
    PurposeRecord,
    DataCategoryRecord,
    LegalGroundRecord,
    RoleRecord,
    ClauseRecord,
    TransferMethodRecord,
)


def _catalogue_rows(pack: ProtocolPack) -> list[tuple[type[Any], list[dict[str, Any]]]]:
    """Each catalogue table with the rows the pack wants in it; referenced tables first."""
    clauses: list[dict[str, Any]] = [
        {"id": p.id, "kind": ClauseKind.PRINCIPLE, "citation": p.citation, "title": p.title,
         "summary": p.summary, "section": None}
        for p in pack.principles
    ]  # fmt: skip
    clauses += [
        {"id": p.id, "kind": ClauseKind.PROCEDURE, "citation": p.citation, "title": p.title,
         "summary": p.summary, "section": p.section}
        for p in pack.procedures
    ]  # fmt: skip
    clauses += [
        {"id": s.id, "kind": ClauseKind.SECTION, "citation": f"Section {s.id}", "title": s.title,
         "summary": s.summary, "section": None}
        for s in pack.sections
    ]  # fmt: skip
    return [
        (PurposeRecord, [_fields(PurposeRecord, p) for p in pack.purposes]),
        (DataCategoryRecord, [_fields(DataCategoryRecord, c) for c in pack.data_categories]),
        (LegalGroundRecord, [_fields(LegalGroundRecord, g) for g in pack.legal_grounds]),
        (RoleRecord, [_fields(RoleRecord, r) for r in pack.roles]),
        (ClauseRecord, clauses),
        (TransferMethodRecord, [
            {"id": m.id, "title": m.title, "procedure_id": m.procedure,
             "safeguards": [s.model_dump(mode="json") for s in m.safeguards]}
            for m in pack.transfer_methods
        ]),
    ]  # fmt: skip


def _fields(model: type[Base], entry: BaseModel) -> dict[str, Any]:
    """The entry's values for the columns ``model`` has (the pack may say more than we store)."""
    columns = {c.key for c in model.__table__.columns} - {"pack_id"}
    return entry.model_dump(mode="json", include=columns)


def _sync_catalogues(session: Session, pack: ProtocolPack) -> None:
    tables = _catalogue_rows(pack)
    for model, rows in tables:
        existing = {item.id: item for item in session.scalars(select(model))}
        for row in rows:
            item = existing.get(row["id"])
            if item is None:
                session.add(model(pack_id=pack.id, **row))
                continue
            for name, value in row.items():
                setattr(item, name, value)
    session.flush()
    # Removals run last and in reverse order, so that a method goes before its procedure.
    for model, rows in reversed(tables):
        wanted = {row["id"] for row in rows}
        for item in session.scalars(select(model)):
            if item.id not in wanted:
                _delete_or_conflict(session, item, model.__tablename__)


def _delete_or_conflict(session: Session, item: Any, table: str) -> None:
    try:
        with session.begin_nested():
            session.delete(item)
    except IntegrityError as exc:
        raise ConflictError(
            f"the new pack drops `{item.id}` from {table.replace('_', ' ')}, but stored records "
            "still refer to it; keep it in the pack, or change those records first",
            field=table,
        ) from exc


def _add_missing_organisations(session: Session, pack: ProtocolPack, moment: datetime) -> list[str]:
    stored = set(session.scalars(select(OrganisationRecord.code)))
    added: list[str] = []
    for organisation in pack.organisations:
        if organisation.code in stored:
            continue
        adoption = organisation.adoption
        session.add(
            OrganisationRecord(
                code=organisation.code,
                name=organisation.name,
                type=str(organisation.type),
                membership=str(organisation.membership),
                departments=list(organisation.departments),
                adopted_on=adoption.approved_on if adoption else None,
                approving_body=adoption.approving_body if adoption else None,
                minute_reference=adoption.minute_reference if adoption else None,
                created_at=moment,
            )
        )
        added.append(organisation.code)
    session.flush()
    return added
