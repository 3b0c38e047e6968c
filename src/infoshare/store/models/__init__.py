"""Every table of infoshare, on one metadata (``Base.metadata``), split by aggregate.

Importing this package registers all models, which is what Alembic and the services need.
"""

from infoshare.store.models.accounts import (
    AccessLogRecord,
    AccountRecord,
    ApiTokenRecord,
    SignInAttemptRecord,
    WebSessionRecord,
)
from infoshare.store.models.adoption import ProcedureConfirmationRecord
from infoshare.store.models.agreements import (
    AgreementGrantRecord,
    AgreementPartyRecord,
    AgreementRecord,
    AgreementSignatoryRecord,
    AgreementStatusChangeRecord,
)
from infoshare.store.models.base import Base, UTCDateTime
from infoshare.store.models.catalogue import (
    ClauseKind,
    ClauseRecord,
    DataCategoryRecord,
    LegalGroundRecord,
    ProtocolPackRecord,
    PurposeRecord,
    RoleRecord,
    TransferMethodRecord,
)
from infoshare.store.models.consent import (
    CapacityAssessmentRecord,
    CapacityAssessmentTermRecord,
    ConsentRecord,
    ConsentTermRecord,
    ConsentWithdrawalRecord,
)
from infoshare.store.models.contacts import ContactDetailsRecord
from infoshare.store.models.decision_request import DecisionRequestRecord
from infoshare.store.models.demo import DemoDatasetRecord
from infoshare.store.models.disclosures import DisclosureRecord, ReferralRecord, ReviewTaskRecord
from infoshare.store.models.ledger import (
    LedgerCheckpointRecord,
    LedgerEntryRecord,
    LedgerHeadRecord,
    LedgerNodeRecord,
)
from infoshare.store.models.objections import ObjectionEndRecord, ObjectionRecord
from infoshare.store.models.organisations import OrganisationRecord
from infoshare.store.models.portal import (
    PortalAccountRecord,
    PortalInvitationRecord,
    PortalSessionRecord,
)
from infoshare.store.models.service_users import LocalIdentifierRecord, ServiceUserRecord
from infoshare.store.models.sign_in_links import AccountLinkRecord, OidcSignInRequestRecord
from infoshare.store.models.staff import StaffRecord, StaffRoleRecord

__all__ = [
    "AccessLogRecord",
    "AccountLinkRecord",
    "AccountRecord",
    "AgreementGrantRecord",
    "AgreementPartyRecord",
    "AgreementRecord",
    "AgreementSignatoryRecord",
    "AgreementStatusChangeRecord",
    "ApiTokenRecord",
    "Base",
    "CapacityAssessmentRecord",
    "CapacityAssessmentTermRecord",
    "ClauseKind",
    "ClauseRecord",
    "ConsentRecord",
    "ConsentTermRecord",
    "ConsentWithdrawalRecord",
    "ContactDetailsRecord",
    "DataCategoryRecord",
    "DecisionRequestRecord",
    "DemoDatasetRecord",
    "DisclosureRecord",
    "LedgerCheckpointRecord",
    "LedgerEntryRecord",
    "LedgerHeadRecord",
    "LedgerNodeRecord",
    "LegalGroundRecord",
    "LocalIdentifierRecord",
    "ObjectionEndRecord",
    "ObjectionRecord",
    "OidcSignInRequestRecord",
    "OrganisationRecord",
    "PortalAccountRecord",
    "PortalInvitationRecord",
    "PortalSessionRecord",
    "ProcedureConfirmationRecord",
    "ProtocolPackRecord",
    "PurposeRecord",
    "ReferralRecord",
    "ReviewTaskRecord",
    "RoleRecord",
    "ServiceUserRecord",
    "SignInAttemptRecord",
    "StaffRecord",
    "StaffRoleRecord",
    "TransferMethodRecord",
    "UTCDateTime",
    "WebSessionRecord",
]
