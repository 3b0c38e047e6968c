"""Demo Information Sharing Agreements, adoption records, procedure confirmations, contacts.

On top of the demo's partners and staff (services/demo.py), as the protocol's first year
might have looked on 1 September 2003:

- Procedure C1: the three parties awaiting approval on 1 October 2002 (LCC, EDL, WYP)
  approve it (illustrative dates and minutes; the seed says only "anticipated shortly").
- Procedure C3: every party's lead member confirms procedures A1–A7 and B1–B8 in February
  2003; only LTHT and LCC have yet confirmed C1–C5. Supporting members have confirmed none.
- The six example agreements (``infoshare/agreements/examples``) go through the lifecycle,
  each step through the services, as a user would: four signed by every party and active,
  the domestic violence pilot activated and then expired at its end date, and the housing
  support agreement a draft with lint warnings.
- Procedure A6: telephone (in Ofcom's drama range, 0113 496 0xxx), secure email and hours
  for everyone holding a directory role.

Everything is made by the console requester (``CONSOLE``) and is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select

from infoshare.agreements import EXAMPLES_DIR
from infoshare.domain.agreement import IsaStatus
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.protocol.schema import Membership
from infoshare.services import adoption, agreements
from infoshare.services.access_log import CONSOLE
from infoshare.services.contacts import DESIGNATED_OFFICER, DIRECTORY_ROLES
from infoshare.services.staff import list_staff
from infoshare.store.database import Database
from infoshare.store.models import ContactDetailsRecord

#: when the register is shown as at, in the demo's story
DEMO_AS_AT = date(2003, 9, 1)

#: (approved on, approving body, minute) of the parties that approved after October 2002
LATER_ADOPTIONS = {
    "LCC": (date(2002, 11, 27), "Executive Board", "EB/2002/114"),
    "EDL": (date(2002, 12, 11), "Board of Education Leeds", "ELB/02/41"),
    "WYP": (date(2003, 1, 22), "West Yorkshire Police Authority", "PA/2003/07"),
}
CONFIRMED_ON = date(2003, 2, 3)
#: parties that have also confirmed the governance procedures C1–C5
GOVERNANCE_CONFIRMED = ("LTHT", "LCC")


@dataclass(frozen=True)
class DemoAgreement:
    file: str
    #: what the demo leaves it as
    status: IsaStatus


DEMO_AGREEMENTS = (
    DemoAgreement("hospital-discharge.yaml", IsaStatus.ACTIVE),
    DemoAgreement("child-protection.yaml", IsaStatus.ACTIVE),
    DemoAgreement("mental-health-crisis.yaml", IsaStatus.ACTIVE),
    DemoAgreement("planning-statistics.yaml", IsaStatus.ACTIVE),
    DemoAgreement("domestic-violence-pilot-expired.yaml", IsaStatus.EXPIRED),
    DemoAgreement("housing-support-warnings.yaml", IsaStatus.DRAFT),
)


def add_demo_agreements(db: Database, *, now: datetime) -> int:
    """Add the demo's adoption, confirmations, agreements and contact details; the number
    of agreements added (0 if the register already holds any).
    """
    if agreements.list_agreements(db.unit_of_work(), all_versions=True, today=DEMO_AS_AT):
        return 0
    _adopt(db)
    _confirm_procedures(db, now)
    for demo in DEMO_AGREEMENTS:
        _agreement(db, demo, now)
    _contact_details(db, now)
    return len(DEMO_AGREEMENTS)


def _adopt(db: Database) -> None:
    adopted = {o.organisation for o in adoption.adoption_table(db.unit_of_work()) if o.approved_on}
    for code, (on, body, minute) in LATER_ADOPTIONS.items():
        if code in adopted:
            continue
        adoption.record_adoption(
            db.unit_of_work(), code, approved_on=on, approving_body=body,
            minute_reference=minute, requester=CONSOLE, today=DEMO_AS_AT,
        )  # fmt: skip


def _confirm_procedures(db: Database, now: datetime) -> None:
    table = adoption.procedure_table(db.unit_of_work())
    leads = {
        s.organisation_code: s for s in reversed(list_staff(db.unit_of_work(), role="lead-member"))
    }
    for row in table.rows:
        lead = leads.get(row.organisation)
        if row.membership != Membership.PARTY or lead is None:
            continue
        for procedure in table.procedures:
            governance = procedure.startswith("C")
            if governance and row.organisation not in GOVERNANCE_CONFIRMED:
                continue
            adoption.confirm_procedure(
                db.unit_of_work(), organisation=row.organisation, procedure=procedure,
                confirmed_by=lead.email, confirmed_on=CONFIRMED_ON,
                evidence=f"{row.name} policy IG-{procedure}, issued to all staff and on the "
                "intranet; compliance checked by internal audit",
                requester=CONSOLE, now=now,
            )  # fmt: skip


def _agreement(db: Database, demo: DemoAgreement, now: datetime) -> None:
    text = (EXAMPLES_DIR / demo.file).read_text(encoding="utf-8")
    written = parse_agreement(text, demo.file).agreement
    start = "draft" if demo.status is IsaStatus.DRAFT else "proposed"
    # The files record signatures given in 2003; the demo gives them again, through the
    # lifecycle, so that the register's history is the story of each agreement.
    text = re.sub(r"^status: .*$", f"status: {start}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"\n\s+signed_at: [0-9-]+", "", text)
    reference = written.reference
    agreements.import_agreement(db.unit_of_work(), text, demo.file, requester=CONSOLE, now=now)
    if demo.status is IsaStatus.DRAFT:
        return
    for signatory in written.signatories:
        if signatory.signed_at is None:
            continue
        agreements.sign(
            db.unit_of_work(), reference, organisation=signatory.organisation,
            name=signatory.name, post=signatory.post, signed_on=signatory.signed_at,
            requester=CONSOLE, now=now,
        )  # fmt: skip
    agreements.activate(
        db.unit_of_work(), reference, today=written.start_date, requester=CONSOLE, now=now
    )
    if demo.status is IsaStatus.EXPIRED:
        agreements.expire(
            db.unit_of_work(), reference, today=DEMO_AS_AT, requester=CONSOLE, now=now
        )


def _contact_details(db: Database, now: datetime) -> None:
    people = [s for s in list_staff(db.unit_of_work()) if set(s.roles) & set(DIRECTORY_ROLES)]
    rows = []
    for number, person in enumerate(people):
        local, _, domain = person.email.partition("@")
        hours = "Monday to Friday, 9am to 5pm"
        if DESIGNATED_OFFICER in person.roles:
            hours += "; out of hours through the duty manager on the switchboard"
        rows.append(
            {
                "staff_id": person.id,
                "telephone": f"0113 496 {number % 1000:04d}",
                "secure_email": f"{local}@secure.{domain}",
                "hours": hours,
                "updated_at": now,
            }
        )
    with db.unit_of_work() as uow:
        known = set(uow.session.scalars(select(ContactDetailsRecord.staff_id)))
        fresh = [r for r in rows if r["staff_id"] not in known]
        if fresh:
            uow.session.execute(insert(ContactDetailsRecord), fresh)
        uow.commit()
