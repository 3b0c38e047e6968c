"""A world for the portal: the sharing world, one disclosure of Amara Okafor's information
from LTHT to LCC with one item kept confidential from her (Principle 8), and a portal
account for her, built once per session and copied."""

from __future__ import annotations

from infoshare.services import disclosures
from infoshare.services.database import open_database
from infoshare.services.portal_accounts import create_portal_account
from infoshare.services.service_users import find_by_nhs_number
from tests.support.accounts_world import NOW, PASSWORD
from tests.support.sharing_world import AMARA, PRACTITIONER, build_sharing_world, staff

TEMPLATE = "leeds-2002-portal"
PORTAL_EMAIL = "amara.okafor@home.example"
#: the item kept from her: its category must not appear in her report
CONFIDENTIAL_CATEGORY = "physical-health"
CONFIDENTIAL_CONTENT = "Her son says she is often confused (told in confidence)"
CONFIDENTIAL_GROUND = "dpa-1998-s7"


def build_portal_world(url: str) -> None:
    build_sharing_world(url)
    database = open_database(url)
    try:
        draft = disclosures.RequestDraft.model_validate(
            {
                "provider": "LTHT",
                "recipient": "LCC",
                "recipient_role": "practitioner",
                "nhs_number": AMARA,
                "purpose": "care",
                "transfer_method": "email",
                "items": [
                    {"category": "identity", "content": "Amara Okafor, 2 Hyde Park Road"},
                    {
                        "category": "social-care-needs",
                        "content": "Will need help dressing for six weeks",
                        "nature": "opinion",
                    },
                    {
                        "category": CONFIDENTIAL_CATEGORY,
                        "content": CONFIDENTIAL_CONTENT,
                        "nature": "opinion",
                        "confidential_from_subject": True,
                        "confidential_reason": "third-party information given in confidence",
                        "confidential_ground": CONFIDENTIAL_GROUND,
                    },
                ],
            }
        )
        done = disclosures.disclose(database, staff(PRACTITIONER), draft, now=NOW)
        assert done.disclosure_id is not None, done.decision
        person = find_by_nhs_number(database.unit_of_work(), AMARA)
        create_portal_account(
            database.unit_of_work(),
            service_user_id=person.id,
            email=PORTAL_EMAIL,
            password=PASSWORD,
            now=NOW,
        )
    finally:
        database.dispose()
