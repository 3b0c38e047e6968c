"""Signing staff in through their organisation's OpenID Connect provider (Procedure B1).

The authorization code flow with PKCE (RFC 7636, ``S256``), ``state`` and ``nonce``
(OpenID Connect Core 1.0, sections 3.1.2-3.1.3):

1. ``begin_sign_in`` keeps a new state (its SHA-256 only), nonce and code verifier for the
   organisation and gives the provider's authorization URL to send the browser to; the
   browser also keeps the state in a cookie, so the answer must come back to the browser
   that asked.
2. ``finish_sign_in`` takes the answer once: the state must be known, unused, under ten
   minutes old, for this organisation, and the browser's own. Then the code is exchanged
   at the token endpoint, and the ID token is checked with joserfc: signature by a key of
   the provider's JWK set, an allowed asymmetric algorithm (never ``none``), ``iss``,
   ``aud`` (and ``azp``), ``exp``, ``iat``, ``nonce``.
3. The configured claim (``email`` by default, which must then be verified) is matched to an
   ACTIVE account of a member of staff of THAT organisation only: one organisation's
   provider can never sign in another's staff, and no account is ever created here.
4. The session is made exactly as after a password (``sessions.start_verified_session``):
   a new session id, the same timeouts and sign-out. If the account has or needs a second
   factor, the TOTP step follows unless the token's ``amr`` or ``acr`` says the provider
   did one (values configured per provider).

Every refusal raises ``OidcSignInError`` with a message for the person and is written to
the access log with its precise reason; apart from using up the state, nothing changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from infoshare.errors import OidcSignInError
from infoshare.services.access_log import Requester, record_denial
from infoshare.services.accounts import account_view
from infoshare.services.clock import now_or
from infoshare.services.database import Database
from infoshare.services.oidc_providers import (
    OidcProvider,
    ProviderDirectory,
    ProviderFetchError,
)
from infoshare.services.sessions import NewSession, SessionPolicy, start_verified_session
from infoshare.store.models import (
    AccountRecord,
    OidcSignInRequestRecord,
    OrganisationRecord,
    StaffRecord,
)

log = logging.getLogger(__name__)

#: how long the provider may take to send the browser back
REQUEST_LIFETIME = timedelta(minutes=10)
#: clocks a little apart; also how old an ID token's ``iat`` may be beyond the request's life
LEEWAY = timedelta(seconds=60)
STATE_MAX = 128
CODE_MAX = 2048

FAILED = (
    "signing in through your organisation's sign-in service did not work, and nothing was "
    "changed; start again from the sign-in page, or sign in with your password"
)
EXPIRED_REQUEST = "this sign-in link has been used or is too old; start again from the sign-in page"
#: the log's reason when the organisation has no provider configured
NO_PROVIDER = "no provider configured"
NO_ACCOUNT = (
    "your organisation's sign-in service named you `{who}`, but `{code}` has no active "
    "infoshare account for that; ask your organisation's administrator"
)


@dataclass(frozen=True)
class SignInRedirect:
    """Where to send the browser; ``state`` goes in its cookie too."""

    url: str
    state: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_sign_in(
    database: Database,
    directory: ProviderDirectory,
    organisation_code: str,
    *,
    redirect_uri: str,
    requester: Requester,
    now: datetime | None = None,
) -> SignInRedirect:
    """Keep a new request for the organisation's provider; the URL to send the browser to."""
    at = now_or(now)
    provider = directory.provider(organisation_code)
    if provider is None:
        raise _refused(
            database,
            requester,
            organisation_code,
            f"`{organisation_code[:12]}` does not sign in through its own sign-in service; "
            "sign in with your email address and password",
            NO_PROVIDER,
            at,
        )
    try:
        metadata = directory.metadata(provider, at)
    except ProviderFetchError as error:
        raise _refused(
            database,
            requester,
            provider.organisation_code,
            f"`{provider.organisation_code}`'s sign-in service cannot be reached just now; "
            "try again in a few minutes, or sign in with your password",
            f"discovery failed: {error}",
            at,
        ) from None
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    with database.unit_of_work() as uow:
        # Requests never answered are of no use after their lifetime; clear them as we go.
        uow.session.execute(
            delete(OidcSignInRequestRecord).where(
                OidcSignInRequestRecord.created_at < at - 6 * REQUEST_LIFETIME
            )
        )
        uow.session.add(
            OidcSignInRequestRecord(
                state_hash=_hash(state),
                organisation_code=provider.organisation_code,
                nonce=nonce,
                code_verifier=verifier,
                created_at=at,
                used_at=None,
            )
        )
        uow.commit()
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(provider.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return SignInRedirect(f"{metadata.authorization_endpoint}{separator}{query}", state)


def _refused(
    database: Database,
    requester: Requester,
    organisation_code: str,
    message: str,
    reason: str,
    at: datetime,
) -> OidcSignInError:
    record_denial(
        database.unit_of_work(),
        requester,
        action="sign-in-oidc",
        what=f"sign-in through `{organisation_code[:12]}`'s OpenID Connect provider",
        why=reason[:500],
        now=at,
    )
    log.warning("OpenID Connect sign-in through %s refused: %s", organisation_code[:12], reason)
    return OidcSignInError(message, reason=reason)


def _take_request(
    session: Session, provider: OidcProvider, state: str, browser_state: str | None, at: datetime
) -> OidcSignInRequestRecord:
    """The request ``state`` names, marked used; OidcSignInError (reason) if it may not be."""
    if not state or len(state) > STATE_MAX:
        raise OidcSignInError(EXPIRED_REQUEST, reason="no state, or an over-long one")
    record = session.scalars(
        select(OidcSignInRequestRecord).where(OidcSignInRequestRecord.state_hash == _hash(state))
    ).one_or_none()
    if record is None:
        raise OidcSignInError(EXPIRED_REQUEST, reason="unknown state")
    if record.used_at is not None:
        raise OidcSignInError(EXPIRED_REQUEST, reason="state already used (a replay)")
    record.used_at = at
    if not browser_state or not hmac.compare_digest(browser_state, state):
        raise OidcSignInError(
            EXPIRED_REQUEST, reason="the state is not the one this browser was given"
        )
    if record.organisation_code != provider.organisation_code:
        raise OidcSignInError(FAILED, reason=f"state was issued for `{record.organisation_code}`")
    if at - record.created_at > REQUEST_LIFETIME:
        raise OidcSignInError(EXPIRED_REQUEST, reason="state older than ten minutes")
    return record


def _decode(id_token: str, provider: OidcProvider, keys: KeySet) -> jwt.Token:
    return jwt.decode(id_token, keys, algorithms=list(provider.algorithms))


def validate_id_token(
    id_token: str,
    *,
    provider: OidcProvider,
    directory: ProviderDirectory,
    nonce: str,
    now: datetime,
) -> dict[str, Any]:
    """The ID token's claims if it is genuine and meant for this sign-in; else OidcSignInError.

    OpenID Connect Core 1.0 section 3.1.3.7: signature, ``iss``, ``aud``, ``azp``, ``exp``,
    ``iat`` and ``nonce``. Unknown key ids make one refetch of the key set (key rotation).
    """
    try:
        try:
            token = _decode(id_token, provider, directory.key_set(provider, now))
        except InvalidKeyIdError:
            token = _decode(id_token, provider, directory.key_set(provider, now, refresh=True))
    except ProviderFetchError as error:
        raise OidcSignInError(FAILED, reason=f"key set unavailable: {error}") from None
    except BadSignatureError:
        raise OidcSignInError(FAILED, reason="ID token signature does not verify") from None
    except JoseError as error:
        raise OidcSignInError(
            FAILED, reason=f"ID token refused: {type(error).__name__}: {error}"
        ) from None
    if token.header.get("alg") not in provider.algorithms:
        raise OidcSignInError(FAILED, reason=f"algorithm `{token.header.get('alg')}` not allowed")
    stamp = int(now.timestamp())
    registry = jwt.JWTClaimsRegistry(
        now=stamp,
        leeway=int(LEEWAY.total_seconds()),
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    claims = token.claims
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise OidcSignInError(FAILED, reason="ID token expired") from None
    except ClaimError as error:
        raise OidcSignInError(FAILED, reason=f"ID token claim refused: {error}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise OidcSignInError(FAILED, reason="ID token for several audiences, azp is not ours")
    oldest = stamp - int((REQUEST_LIFETIME + LEEWAY).total_seconds())
    if not isinstance(claims["iat"], int | float) or claims["iat"] < oldest:
        raise OidcSignInError(FAILED, reason="ID token issued before this sign-in began")
    return claims


def second_factor_asserted(provider: OidcProvider, claims: dict[str, Any]) -> bool:
    """Whether the provider says it checked a second factor (``amr`` or ``acr``, as configured)."""
    amr = claims.get("amr")
    methods = {m for m in amr if isinstance(m, str)} if isinstance(amr, list) else set()
    acr = claims.get("acr")
    return bool(methods & provider.mfa_amr) or (isinstance(acr, str) and acr in provider.mfa_acr)


def _identity(provider: OidcProvider, claims: dict[str, Any]) -> str:
    value = claims.get(provider.claim)
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        raise OidcSignInError(FAILED, reason=f"ID token has no usable `{provider.claim}` claim")
    needs_verified = provider.claim == "email" and provider.email_verified_required
    if needs_verified and claims.get("email_verified") is not True:
        raise OidcSignInError(
            FAILED, reason="the provider does not say the email address is verified"
        )
    return value.strip().lower()


def _account_of(session: Session, provider: OidcProvider, who: str) -> AccountRecord:
    """The active account of ``who`` among THIS organisation's staff; OidcSignInError if none."""
    row = session.execute(
        select(AccountRecord, StaffRecord, OrganisationRecord.code)
        .join(StaffRecord, AccountRecord.staff_id == StaffRecord.id)
        .join(OrganisationRecord, StaffRecord.organisation_id == OrganisationRecord.id)
        .where(StaffRecord.email == who)
    ).one_or_none()
    message = NO_ACCOUNT.format(who=who, code=provider.organisation_code)
    if row is None:
        raise OidcSignInError(message, reason=f"no account for `{who}`")
    account, _staff, code = row
    if code != provider.organisation_code:
        # Principle 7 / Procedure B1: a provider vouches for its own organisation's staff only
        raise OidcSignInError(message, reason=f"`{who}` is staff of `{code}`, not of this provider")
    if account_view(session, account).disabled:
        raise OidcSignInError(message, reason=f"the account of `{who}` is disabled")
    return account


def finish_sign_in(
    database: Database,
    directory: ProviderDirectory,
    organisation_code: str,
    *,
    state: str,
    browser_state: str | None,
    code: str,
    provider_error: str | None,
    redirect_uri: str,
    requester: Requester,
    policy: SessionPolicy,
    previous_token: str | None = None,
    now: datetime | None = None,
) -> NewSession:
    """Take the provider's answer once and, if it names an active account here, start a session.

    OidcSignInError (logged, nothing changed but the state used up) whenever it does not.
    """
    at = now_or(now)
    org = organisation_code[:12]
    provider = directory.provider(org)
    if provider is None:
        raise _refused(database, requester, org, FAILED, NO_PROVIDER, at)
    refused: OidcSignInError | None = None
    with database.unit_of_work() as uow:
        # The state is used up whatever follows, even when this browser did not start it.
        try:
            request = _take_request(uow.session, provider, state, browser_state, at)
            nonce, verifier = request.nonce, request.code_verifier
        except OidcSignInError as error:
            refused = error
        uow.commit()
    if refused is not None:
        raise _refused(database, requester, org, refused.message, refused.reason, at)
    try:
        if provider_error:
            raise OidcSignInError(FAILED, reason=f"the provider answered `{provider_error[:100]}`")
        if not code or len(code) > CODE_MAX:
            raise OidcSignInError(FAILED, reason="no authorization code in the answer")
        claims = _exchange(directory, provider, code, verifier, redirect_uri, nonce, at)
        who = _identity(provider, claims)
        with database.unit_of_work() as uow:
            account = _account_of(uow.session, provider, who)
            new = start_verified_session(
                uow.session,
                account,
                second_factor_done=second_factor_asserted(provider, claims),
                requester=requester,
                policy=policy,
                previous_token=previous_token,
                at=at,
            )
            uow.commit()
            return new
    except OidcSignInError as error:
        raise _refused(database, requester, org, error.message, error.reason, at) from None


def _exchange(
    directory: ProviderDirectory,
    provider: OidcProvider,
    code: str,
    verifier: str,
    redirect_uri: str,
    nonce: str,
    at: datetime,
) -> dict[str, Any]:
    """Exchange the code at the token endpoint; the checked ID token's claims."""
    try:
        metadata = directory.metadata(provider, at)
        answer = directory.fetcher.post_form(
            metadata.token_endpoint,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            (provider.client_id, provider.client_secret),
        )
    except ProviderFetchError as error:
        raise OidcSignInError(FAILED, reason=f"token request failed: {error}") from None
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OidcSignInError(FAILED, reason="the token endpoint gave no ID token")
    return validate_id_token(id_token, provider=provider, directory=directory, nonce=nonce, now=at)
