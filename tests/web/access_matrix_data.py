"""The route matrix as data: for every route of the app, what each principal gets.

Procedure B1 (access controlled by role and organisation) and Principles 7 and 12 as a
table. Principals (``tests/web/matrix_runner.py``): the eight staff roles signed in at LTHT,
``portal`` (Amara Okafor signed in to the portal), ``api-token`` (an LTHT token holding every
permission a token may hold) and ``anonymous``. A row is keyed ``"METHOD /path variant"``:
``own`` fills the path with records LTHT holds (Amara, the portal user, and her consent;
an LTHT staff email; the agreement LEEDS-ISA-2003-007), ``other`` with records only WYP
holds. Ids of referrals, review tasks, tokens and FHIR audit events are of nothing, so those
rows show how a missing record is answered.

What a form POST or an API POST carries is nothing but the principal's own anti-forgery
token (or an empty JSON body): an allowed principal therefore gets 422 (the form is
incomplete) or whatever the route says of an empty request, and a refused one its refusal.
The helpers below build the common shapes; a row says in words why it is what it is where
that is not plain from the helper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ANONYMOUS = "anonymous"
PORTAL = "portal"
TOKEN = "api-token"
PRACTITIONER = "practitioner"
DESIGNATED_OFFICER = "designated-officer"
LEAD_MEMBER = "lead-member"
MANAGER = "information-sharing-manager"
STEERING_GROUP = "steering-group"
ADMINISTRATOR = "administrator"
DPO = "data-protection-officer"
SHARING_LEAD = "information-sharing-lead"
STAFF = (
    PRACTITIONER,
    DESIGNATED_OFFICER,
    LEAD_MEMBER,
    MANAGER,
    STEERING_GROUP,
    ADMINISTRATOR,
    DPO,
    SHARING_LEAD,
)
PRINCIPALS = (*STAFF, PORTAL, TOKEN, ANONYMOUS)
#: service-users:read (and disclosures:read): practitioners, designated officers, DPOs
READERS = frozenset({PRACTITIONER, DESIGNATED_OFFICER, DPO})
#: service-users:write, consent:record, disclosures:make
WRITERS = frozenset({PRACTITIONER, DESIGNATED_OFFICER})
#: agreements:manage: changes to the agreement register and adoption (Section 4.1, C1, C3)
MANAGERS = frozenset({LEAD_MEMBER, MANAGER, SHARING_LEAD})
#: access-log:read
AUDITORS = frozenset({DESIGNATED_OFFICER, STEERING_GROUP, ADMINISTRATOR, DPO})

Row = dict[str, int]


def everyone(status: int) -> Row:
    """A public route: the same answer whoever asks."""
    return dict.fromkeys(PRINCIPALS, status)


def staff_page(allowed: Iterable[str], ok: int, *, refused: int = 403, **others: int) -> Row:
    """A staff page: ``ok`` for the roles allowed, ``refused`` for other staff, 401 for the
    rest (a portal session or an API token is no staff session). ``others`` overrides."""
    granted = frozenset(allowed)
    row = {p: (ok if p in granted else refused) for p in STAFF}
    row |= {PORTAL: 401, TOKEN: 401, ANONYMOUS: 401}
    return row | _named(others)


def any_staff(ok: int, **others: int) -> Row:
    return staff_page(STAFF, ok, **others)


def other_partys(allowed: Iterable[str], **others: int) -> Row:
    """A staff page about another party's record: 404 (not acknowledged to exist, logged) for
    the roles that may read their own party's, 403 for other staff, 401 for the rest."""
    return staff_page(allowed, 404, **others)


def api(token: int, **others: int) -> Row:
    """An API route behind a token: a session cookie is no token, so 401 for all but it."""
    row = dict.fromkeys(PRINCIPALS, 401) | {TOKEN: token}
    return row | _named(others)


def portal(ok: int) -> Row:
    """A portal page: only a portal session reaches it; staff sessions are 401 too."""
    return dict.fromkeys(PRINCIPALS, 401) | {PORTAL: ok}


def _named(values: Mapping[str, int]) -> Row:
    # keyword arguments cannot hold dashes: data_protection_officer names data-protection-officer
    return {name.replace("_", "-"): status for name, status in values.items()}


MATRIX: dict[str, Row] = {
    # --- public: the protocol, agreements, the ledger's public face (section 4.2) -------------
    "GET / own": everyone(200),
    "GET /health own": everyone(200),
    "GET /openapi.json own": everyone(200),
    "GET /adoption own": everyone(200),
    "GET /agreements own": everyone(200),
    "GET /agreements/{reference} own": everyone(200),
    "GET /agreements/{reference}/document own": everyone(200),
    "GET /agreements/{reference}/document.pdf own": everyone(200),
    "GET /agreement-document.css own": everyone(200),
    "GET /api/v1/protocol own": everyone(200),
    "GET /api/v1/procedures own": everyone(200),
    "GET /api/v1/organisations own": everyone(200),
    "GET /api/v1/adoption own": everyone(200),
    "GET /api/v1/agreements own": everyone(200),
    "GET /api/v1/agreements/{reference} own": everyone(200),
    "GET /api/v1/agreements/{reference}/yaml own": everyone(200),
    "GET /api/v1/agreements/{reference}/document.pdf own": everyone(200),
    "GET /api/v1/cds-services own": everyone(200),
    "GET /api/v1/ledger/checkpoints own": everyone(200),
    # no checkpoint has been signed in this world, and no key made: not found, not ready
    "GET /api/v1/ledger/checkpoints/latest own": everyone(404),
    "GET /api/v1/ledger/checkpoints/{size} own": everyone(404),
    "GET /api/v1/ledger/public-key own": everyone(503),
    # --- signing in (Procedure B1) -------------------------------------------------------------
    # a signed-in person is sent on from the sign-in pages
    "GET /sign-in own": any_staff(303, portal=200, api_token=200, anonymous=200),
    # a portal form's token is no staff form's token: refused as forged (logged)
    "POST /sign-in own": everyone(422) | {PORTAL: 403},
    "GET /sign-in/second-factor own": everyone(303),
    # no session at the second-factor step: "sign in again"; failed codes are counted in
    # sign_in_attempts (throttling), not the access log
    "POST /sign-in/second-factor own": everyone(401) | {PORTAL: 403},
    # the designated officer's session has its factor already: sent to the account page
    "GET /account/second-factor own": any_staff(200, designated_officer=303, administrator=303),
    "POST /account/second-factor own": any_staff(
        401, designated_officer=422, administrator=422, portal=403
    ),
    "GET /account own": any_staff(200),
    # OpenID Connect: no provider is configured in this world (refused, logged)
    "GET /sign-in/oidc/{organisation_code} own": everyone(404),
    "GET /sign-in/oidc/{organisation_code}/callback own": everyone(401),
    # a password link nobody was given: not found; a portal form's token is refused first
    "GET /account/set-password/{token} own": everyone(404),
    "POST /account/set-password/{token} own": everyone(404) | {PORTAL: 403},
    # --- administrators: accounts of their own organisation -----------------------------------
    "GET /accounts own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts own": staff_page({ADMINISTRATOR}, 422),
    "GET /accounts/{account_id} own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts/{account_id}/disable own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts/{account_id}/enable own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts/{account_id}/password-link own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts/{account_id}/reset-second-factor own": staff_page({ADMINISTRATOR}, 200),
    "POST /accounts/{account_id}/roles own": staff_page({ADMINISTRATOR}, 200),
    # another party's account (WYP's practitioner): not acknowledged to exist, logged
    "GET /accounts/{account_id} other": other_partys({ADMINISTRATOR}),
    "POST /accounts/{account_id}/disable other": other_partys({ADMINISTRATOR}),
    "POST /accounts/{account_id}/enable other": other_partys({ADMINISTRATOR}),
    "POST /accounts/{account_id}/password-link other": other_partys({ADMINISTRATOR}),
    "POST /accounts/{account_id}/reset-second-factor other": other_partys({ADMINISTRATOR}),
    "POST /accounts/{account_id}/roles other": other_partys({ADMINISTRATOR}),
    # --- administrators: API tokens of their own organisation ---------------------------------
    "GET /account/api-tokens own": staff_page({ADMINISTRATOR}, 200),
    "POST /account/api-tokens own": staff_page({ADMINISTRATOR}, 422),
    # no such token: not found, before any question of who may revoke it
    "POST /account/api-tokens/{token_id}/revoke own": any_staff(404),
    # --- the access log (Procedure B1, section 4.4) ---------------------------------------------
    "GET /access-log own": staff_page(AUDITORS, 200),
    # --- service users of the party, and consent (Principles 5, 7; Procedures A1-A4) ---------
    "GET /service-users own": staff_page(READERS, 200),
    "GET /service-users/{service_user_id} own": staff_page(READERS, 200),
    "GET /service-users/{service_user_id} other": other_partys(READERS),
    "GET /service-users/{service_user_id}/consents own": staff_page(READERS, 200),
    "GET /service-users/{service_user_id}/consents other": other_partys(READERS),
    "GET /service-users/{service_user_id}/capacity-assessments/new own": staff_page(READERS, 200),
    "GET /service-users/{service_user_id}/capacity-assessments/new other": other_partys(READERS),
    # recording needs consent:record (WRITERS), asked before the form is read: others 403
    "POST /service-users/{service_user_id}/capacity-assessments/new own": staff_page(WRITERS, 422),
    "POST /service-users/{service_user_id}/capacity-assessments/new other": other_partys(WRITERS),
    # the blank Appendix 4 form carries no personal data: any member of staff may print it
    "GET /consents/new own": any_staff(200),
    "GET /consents/form own": any_staff(200),
    "GET /consents/form.pdf own": any_staff(200),
    "POST /consents/new own": staff_page(WRITERS, 422),
    "GET /consents/{consent_id}/form own": staff_page(READERS, 200),
    "GET /consents/{consent_id}/form other": other_partys(READERS),
    "GET /consents/{consent_id}/form.pdf own": staff_page(READERS, 200),
    "GET /consents/{consent_id}/form.pdf other": other_partys(READERS),
    "GET /consents/{consent_id}/receipt own": staff_page(READERS, 200),
    "GET /consents/{consent_id}/receipt other": other_partys(READERS),
    "GET /consents/{consent_id}/withdraw own": staff_page(READERS, 200),
    "GET /consents/{consent_id}/withdraw other": other_partys(READERS),
    "POST /consents/{consent_id}/withdraw own": staff_page(WRITERS, 422),
    "POST /consents/{consent_id}/withdraw other": other_partys(WRITERS),
    # objections and restrictions on a record (Principle 12; Procedures A3, A5)
    "GET /service-users/{service_user_id}/objections own": staff_page(READERS, 200),
    "GET /service-users/{service_user_id}/objections other": other_partys(READERS),
    # recording or ending one needs consent:record (WRITERS), asked before the form is read
    "POST /service-users/{service_user_id}/objections own": staff_page(WRITERS, 422),
    "POST /service-users/{service_user_id}/objections other": other_partys(WRITERS),
    "POST /objections/{objection_id}/end own": staff_page(WRITERS, 422),
    # --- sharing: may I share?, disclosures, referrals, emergencies (A4-A7, B6, B7) -----------
    "GET /share own": any_staff(200),
    # asking and sharing need disclosures:make (WRITERS), asked before the form is read
    "POST /share own": staff_page(WRITERS, 422),
    "POST /share/disclose own": staff_page(WRITERS, 422),
    "GET /disclosures own": staff_page(READERS, 200),
    "GET /disclosures/{disclosure_id} own": staff_page(READERS, 200),
    "GET /referrals own": staff_page({DESIGNATED_OFFICER}, 200),
    # no such referral: not found for everyone signed in, and logged
    "GET /referrals/{referral_id} own": any_staff(404),
    "POST /referrals/{referral_id} own": any_staff(404),
    # reviewing needs referrals:approve, asked before the review's fields are read
    "POST /emergency-reviews/{task_id} own": staff_page({DESIGNATED_OFFICER}, 422),
    # --- agreements and adoption (sections 1.1, 3.1; Procedures C1, C3) -----------------------
    "GET /agreements/new own": any_staff(200),
    # changes need agreements:manage, asked before the form is read: others 403
    "POST /agreements/new own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/activate own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/amend own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/expire own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/propose own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/review own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/sign own": staff_page(MANAGERS, 422),
    "POST /agreements/{reference}/terminate own": staff_page(MANAGERS, 422),
    "POST /adoption/approval own": staff_page(MANAGERS, 422),
    "POST /adoption/confirmations own": staff_page(MANAGERS, 422),
    "GET /contacts own": any_staff(200),
    # administrators and agreements:manage set their party's details; others 403 first
    "POST /contacts/details own": staff_page(MANAGERS | {ADMINISTRATOR}, 422),
    # --- the portal (Principle 12) ---------------------------------------------------------------
    "GET /portal own": portal(200),
    "GET /portal/report.pdf own": portal(200),
    "GET /portal/consents/{consent_id}/receipt own": portal(200),
    # someone else's consent: not found, logged
    "GET /portal/consents/{consent_id}/receipt other": portal(404),
    "GET /portal/consents/{consent_id}/withdraw own": portal(200),
    "GET /portal/consents/{consent_id}/withdraw other": portal(404),
    # not confirmed: the form again
    "POST /portal/consents/{consent_id}/withdraw own": portal(422),
    "POST /portal/consents/{consent_id}/withdraw other": portal(404),
    "GET /portal/redeem own": everyone(200),
    "POST /portal/redeem own": everyone(422),
    "GET /portal/sign-in own": everyone(200) | {PORTAL: 303},
    "POST /portal/sign-in own": everyone(422),
    "POST /service-users/{service_user_id}/portal-invitation own": staff_page(WRITERS, 200),
    "POST /service-users/{service_user_id}/portal-invitation other": other_partys(WRITERS),
    # --- the API: other systems with a token (Procedure B1) -------------------------------------
    "GET /api/v1/service-users own": api(200),
    "GET /api/v1/service-users/{service_user_id} own": api(200),
    "GET /api/v1/service-users/{service_user_id} other": api(404),
    "GET /api/v1/consents own": api(422),
    "POST /api/v1/consents own": api(422),
    "POST /api/v1/consents/coverage own": api(422),
    "GET /api/v1/consents/{consent_id} own": api(200),
    "GET /api/v1/consents/{consent_id} other": api(404),
    "GET /api/v1/consents/{consent_id}/receipt own": api(200),
    "GET /api/v1/consents/{consent_id}/receipt other": api(404),
    "POST /api/v1/consents/{consent_id}/withdrawal own": api(422),
    "POST /api/v1/consents/{consent_id}/withdrawal other": api(422),
    "POST /api/v1/capacity-assessments own": api(422),
    "GET /api/v1/fhir/Consent own": api(422),
    "POST /api/v1/fhir/Consent own": api(422),
    "GET /api/v1/fhir/Consent/{consent_id} own": api(200),
    "GET /api/v1/fhir/Consent/{consent_id} other": api(404),
    # the party's own audit events (what was disclosed, by and to it)
    "GET /api/v1/fhir/AuditEvent own": api(200),
    "GET /api/v1/fhir/AuditEvent/{resource_id} own": api(404),
    "POST /api/v1/decisions own": api(422),
    "GET /api/v1/disclosures own": api(200),
    "POST /api/v1/disclosures own": api(422),
    "GET /api/v1/disclosures/{disclosure_id} own": api(200),
    # the party's referrals, to follow what it asked; approving needs a designated officer
    "GET /api/v1/referrals own": api(200),
    "GET /api/v1/referrals/{referral_id} own": api(404),
    "POST /api/v1/referrals/{referral_id}/approve own": api(422),
    "POST /api/v1/referrals/{referral_id}/refuse own": api(422),
    "GET /api/v1/emergency-reviews own": api(200),
    "POST /api/v1/emergency-reviews/{task_id} own": api(422),
    "POST /api/v1/cds-services/patient-consent-consult own": api(422),
    "GET /api/v1/organisations/{code}/designated-officers own": api(200),
    "GET /api/v1/contacts own": api(200),
    "PUT /api/v1/contacts/{email} own": api(422),
    "POST /api/v1/adoption/{code} own": api(422),
    "POST /api/v1/procedures/confirmations own": api(422),
    "POST /api/v1/agreements own": api(422),
    # LEEDS-ISA-2003-007 is in force: it cannot be activated, proposed or expired again
    "POST /api/v1/agreements/{reference}/activate own": api(409),
    "POST /api/v1/agreements/{reference}/amend own": api(422),
    "POST /api/v1/agreements/{reference}/expire own": api(409),
    "POST /api/v1/agreements/{reference}/propose own": api(409),
    "POST /api/v1/agreements/{reference}/review own": api(422),
    # an empty body asks for the review with no notes: done
    "POST /api/v1/agreements/{reference}/review-due own": api(200),
    "POST /api/v1/agreements/{reference}/sign own": api(422),
    "POST /api/v1/agreements/{reference}/terminate own": api(422),
    # version 1 is the version in force: nothing to compare it with
    "GET /api/v1/agreements/{reference}/versions/{version}/what-if own": api(409),
    "GET /api/v1/objections own": api(422),
    "POST /api/v1/objections own": api(422),
    "POST /api/v1/objections/{objection_id}/end own": api(422),
    "GET /api/v1/ledger/proofs/consistency own": api(422),
    "GET /api/v1/ledger/proofs/inclusion own": api(422),
}

#: routes not asked, and why: signing out ends the session the rest of the row needs
NOT_ASKED = {
    "POST /sign-out": "ends the staff session; tested in tests/web/test_account_pages.py",
    "POST /portal/sign-out": "ends the portal session; tested in tests/web/test_portal_pages.py",
}
#: refusals that are counted in ``sign_in_attempts`` for throttling, not in the access log;
#: every other refusal is in the access log, with no exemption
SIGN_IN_STEPS = frozenset({"POST /sign-in/second-factor own", "POST /account/second-factor own"})
