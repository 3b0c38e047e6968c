"""Demo consents (issue 3): a share of the demo's people with histories the rules accept."""

from __future__ import annotations

from collections import Counter

from infoshare.policy.consent import ConsentStatus
from infoshare.services.consent import CoverageQuery, check_coverage, consent_history
from infoshare.services.database import Database
from infoshare.services.demo import DemoSize, build_demo
from tests.services.conftest import NOW
from tests.support.databases import row_counts

SOME = DemoSize("some", staff=120, service_users=1_200)


def test_the_demo_records_given_refused_withdrawn_and_represented_consents(
    db: Database, initialised_url: str
) -> None:
    build_demo(db, SOME, seed=11, now=NOW)
    counts = row_counts(initialised_url)
    assert 60 <= counts["consents"] <= 120
    assert counts["consent_withdrawals"] >= 1
    assert counts["capacity_assessments"] >= 1

    people = _people_with_consents(db)
    histories = [consent_history(db.unit_of_work(), n, at=NOW) for n in people]
    consents = [c for h in histories for c in h.consents]
    statuses = Counter(c.status for c in consents)
    assert statuses[ConsentStatus.ACTIVE] > 0
    assert statuses[ConsentStatus.REFUSED] > 0
    assert statuses[ConsentStatus.WITHDRAWN] > 0
    assert any(c.decided_by == "representative" for c in consents)
    assert any(c.exclusions for c in consents)
    kinds = {a.kind for h in histories for a in h.assessments}
    assert kinds <= {"capacity", "competence"}
    assert kinds

    # Every history can be checked: the consent core accepts every record as it stands.
    for number in people[:20]:
        coverage = check_coverage(
            db.unit_of_work(),
            CoverageQuery(nhs_number=number, recipient="WYP", purpose="care",
                          data_categories=["physical-health"], at=NOW),
        )  # fmt: skip
        reasons = coverage.categories[0].reasons
        assert reasons
        assert all(r.clause.startswith(("Principle", "Procedure")) for r in reasons)


def _people_with_consents(db: Database) -> list[str]:
    from sqlalchemy import select

    from infoshare.store.models import ConsentRecord, ServiceUserRecord

    with db.unit_of_work().reading() as uow:
        return sorted(
            set(
                uow.session.scalars(
                    select(ServiceUserRecord.nhs_number).join(
                        ConsentRecord, ConsentRecord.service_user_id == ServiceUserRecord.id
                    )
                )
            )
        )
