"""Demo Information Sharing Agreements, procedure confirmations and contacts.

On top of the demo's partners and staff (services/demo.py), as the protocol's first year
might have looked on 1 September 2003, with the parties' approval as the seed records it
on 1 October 2002 (Procedure C1): seven of the ten parties; Leeds City Council, Education
Leeds and West Yorkshire Police still awaited. The demo does not invent their approval:

- Procedure C3: every party that has approved has its lead member confirm procedures A1–A7
  and B1–B8 in February 2003; LTHT (and LCC, once it has approved) also C1–C5. Supporting
  members, and parties yet to approve, have confirmed none.
- The eight example agreements (``infoshare/agreements/examples``) go through the lifecycle,
  each step through the services, as a user would. Among the parties that have approved:
  community mental health shared care signed by every party and active, the intermediate
  care winter pilot activated and then expired at its end date. Every agreement with LCC,
  EDL or WYP is signed by all its parties but stays ``signed``: activation is refused while
  a party has not approved the protocol, and its page shows the finding that says so
  (``party-not-adopted``, Procedure C1). The housing support agreement is a draft with lint
  warnings.
- Procedure A6: telephone (in Ofcom's drama range, 0113 496 0xxx), secure email and hours
  for everyone holding a directory role.

``record_later_adoptions`` records the three approvals the seed anticipated "shortly"
(illustrative dates and minutes), for a world that needs every example in force (the tests
of the sharing workflow); called before ``add_demo_agreements``, every agreement then
reaches the status ``DEMO_AGREEMENTS`` gives it.

Everything is made by the console requester (``CONSOLE``) and is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
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

#: (approved on, approving body, minute) of the parties awaited in October 2002, as they might
#: have approved; illustrative, so the demo itself does not record them
LATER_ADOPTIONS = {
    "LCC": (date(2002, 11, 27), "Executive Board", "EB/2002/114"),
    "EDL": (date(2002, 12, 11), "Board of Education Leeds", "ELB/02/41"),
    "WYP": (date(2003, 1, 22), "West Yorkshire Police Authority", "PA/2003/07"),
}
CONFIRMED_ON = date(2003, 2, 3)
#: parties that, once they have approved, also confirm the governance procedures C1–C5
GOVERNANCE_CONFIRMED = ("LTHT", "LCC")


@dataclass(frozen=True)
class DemoAgreement:
    file: str
    #: what the demo leaves it as once every party to it has approved the protocol; until
    #: then one signed by every party stays ``signed`` (see ``status_given``)
    status: IsaStatus


DEMO_AGREEMENTS = (
    DemoAgreement("community-mental-health-shared-care.yaml", IsaStatus.ACTIVE),
    DemoAgreement("intermediate-care-pilot-expired.yaml", IsaStatus.EXPIRED),
    DemoAgreement("hospital-discharge.yaml", IsaStatus.ACTIVE),
    DemoAgreement("child-protection.yaml", IsaStatus.ACTIVE),
    DemoAgreement("mental-health-crisis.yaml", IsaStatus.ACTIVE),
    DemoAgreement("planning-statistics.yaml", IsaStatus.ACTIVE),
    DemoAgreement("domestic-violence-pilot-expired.yaml", IsaStatus.EXPIRED),
    DemoAgreement("housing-support-warnings.yaml", IsaStatus.DRAFT),
)


def add_demo_agreements(db: Database, *, now: datetime) -> int:
    """Add the demo's confirmations, agreements and contact details, each agreement taken as
    far as the parties' recorded approval of the protocol allows; the number of agreements
    added (0 if the register already holds any).
    """
    if agreements.list_agreements(db.unit_of_work(), all_versions=True, today=DEMO_AS_AT):
        return 0
    awaiting = awaiting_approval(db)
    _confirm_procedures(db, now, awaiting)
    for demo in DEMO_AGREEMENTS:
        _agreement(db, demo, now, awaiting)
    _contact_details(db, now)
    return len(DEMO_AGREEMENTS)


def awaiting_approval(db: Database) -> frozenset[str]:
    """The parties to the protocol that have not approved it (Procedure C1)."""
    return frozenset(
        row.organisation
        for row in adoption.adoption_table(db.unit_of_work())
        if row.membership == Membership.PARTY and row.approved_on is None
    )


def status_given(demo: DemoAgreement, parties: Iterable[str], awaiting: Set[str]) -> IsaStatus:
    """What ``demo`` becomes while the parties in ``awaiting`` have not approved the protocol:
    its own status, or ``signed`` if one of its ``parties`` is awaited (a draft stays a draft).
    """
    if demo.status is IsaStatus.DRAFT or not set(parties) & awaiting:
        return demo.status
    return IsaStatus.SIGNED


def record_later_adoptions(db: Database) -> None:
    """Record the approvals of LCC, EDL and WYP (``LATER_ADOPTIONS``), those not yet recorded;
    for worlds that need every example agreement in force, not for the demo (Procedure C1).
    """
    adopted = {o.organisation for o in adoption.adoption_table(db.unit_of_work()) if o.approved_on}
    for code, (on, body, minute) in LATER_ADOPTIONS.items():
        if code in adopted:
            continue
        adoption.record_adoption(
            db.unit_of_work(), code, approved_on=on, approving_body=body,
            minute_reference=minute, requester=CONSOLE, today=DEMO_AS_AT,
        )  # fmt: skip


def _confirm_procedures(db: Database, now: datetime, awaiting: Set[str]) -> None:
    table = adoption.procedure_table(db.unit_of_work())
    leads = {
        s.organisation_code: s for s in reversed(list_staff(db.unit_of_work(), role="lead-member"))
    }
    for row in table.rows:
        lead = leads.get(row.organisation)
        # Confirming the procedures follows the board's approval (Section 4.2, Procedure C3).
        if row.membership != Membership.PARTY or row.organisation in awaiting or lead is None:
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


def _agreement(db: Database, demo: DemoAgreement, now: datetime, awaiting: Set[str]) -> None:
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
    if status_given(demo, written.party_codes, awaiting) is IsaStatus.SIGNED:
        return  # activation would be refused: a party has not approved the protocol (C1)
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
