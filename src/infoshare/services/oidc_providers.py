"""Organisations' OpenID Connect providers: their configuration, discovery and signing keys.

Procedure B1 lets each partner identify its own staff. A partner that already runs an
identity provider (an NHS trust's Entra ID tenant, a council's) may have its staff sign in
to infoshare through it. Each provider is configured for exactly one organisation, in a TOML
file outside the repository (``INFOSHARE_OIDC_PROVIDERS_FILE``), one table per organisation
code::

    [LTHT]
    issuer = "https://login.example.nhs.uk/ltht/v2.0"
    client_id = "infoshare"
    client_secret_file = "/etc/infoshare/ltht-oidc-secret"   # or client_secret_env = "VAR"
    scopes = ["openid", "email", "profile"]
    claim = "email"              # the ID token claim holding the staff email address
    email_verified_required = true
    mfa_amr = ["mfa", "otp", "hwk", "swk"]   # amr values taken as a second factor done
    mfa_acr = []                 # acr values taken as a second factor done
    algorithms = ["RS256", "ES256"]
    display_name = "LTHT staff sign-in"

The discovery document and the key set (JWKS) are fetched over HTTPS (plain HTTP only to
this machine's loopback, for tests and development) and cached for an hour; an ID token
signed with a key id the cache does not know makes one early refetch (the provider rotated
its keys), at most once a minute.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import stat
import threading
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from infoshare.errors import ConfigurationError

#: asymmetric algorithms only: ``none`` and the HMAC family (keyed by the client secret) never
ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DEFAULT_ALGORITHMS = ("RS256", "ES256")
DEFAULT_SCOPES = ("openid", "email", "profile")
#: RFC 8176 values that say more than one factor was used
DEFAULT_MFA_AMR = ("mfa", "otp", "hwk", "swk", "sms", "face", "fpt", "sc")
CACHE_FOR = timedelta(hours=1)
REFETCH_KEYS_AFTER = timedelta(minutes=1)
FETCH_TIMEOUT_SECONDS = 10
#: larger answers from a provider are refused: no discovery document or key set is this big
RESPONSE_MAX = 1024 * 1024
_KNOWN_FIELDS = frozenset(
    {
        "issuer",
        "client_id",
        "client_secret_file",
        "client_secret_env",
        "scopes",
        "claim",
        "email_verified_required",
        "mfa_amr",
        "mfa_acr",
        "algorithms",
        "display_name",
    }
)


@dataclass(frozen=True)
class OidcProvider:
    """One organisation's provider, as configured."""

    organisation_code: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    display_name: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    #: the ID token claim whose value is matched to the staff directory's email address
    claim: str = "email"
    #: with ``claim = "email"``, refuse a token whose ``email_verified`` is not true
    email_verified_required: bool = True
    mfa_amr: frozenset[str] = frozenset(DEFAULT_MFA_AMR)
    mfa_acr: frozenset[str] = frozenset()
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS


class ProviderFetchError(Exception):
    """A provider's endpoint could not be reached or answered something unusable."""


def _problem(path: Path, where: str, message: str) -> ConfigurationError:
    return ConfigurationError(f"{path}: {where}: {message}", field=f"{path}:{where}")


def is_loopback_url(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """``url`` if it may be fetched: HTTPS, or HTTP to this machine only; ValueError otherwise."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "https" or (scheme == "http" and is_loopback_url(url)):
        return url
    raise ValueError(f"`{url}` is not an https:// address; a provider must be reached over TLS")


def _strings(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise _problem(path, where, 'must be a list of strings, e.g. `["openid", "email"]`')
    return tuple(value)


def _secret(path: Path, code: str, table: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    if "client_secret_file" in table:
        secret_path = Path(str(table["client_secret_file"]))
        try:
            mode = secret_path.stat().st_mode
            text = secret_path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise _problem(
                path, f"{code}.client_secret_file", f"cannot read `{secret_path}`: {error.strerror}"
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise _problem(
                path,
                f"{code}.client_secret_file",
                f"`{secret_path}` may be read by others; `chmod 600 {secret_path}`",
            )
    elif "client_secret_env" in table:
        name = str(table["client_secret_env"])
        text = environ.get(name, "").strip()
        if not text:
            raise _problem(
                path, f"{code}.client_secret_env", f"the variable `{name}` is not set or empty"
            )
    else:
        raise _problem(
            path,
            code,
            "give `client_secret_file` (a file outside the repository) or "
            "`client_secret_env` (an environment variable's name)",
        )
    if not text:
        raise _problem(path, f"{code}.client_secret_file", "the secret file is empty")
    return text


def _provider(
    path: Path, code: str, table: Mapping[str, Any], environ: Mapping[str, str]
) -> OidcProvider:
    unknown = sorted(set(table) - _KNOWN_FIELDS)
    if unknown:
        raise _problem(path, f"{code}.{unknown[0]}", "is not a setting; see docs/security.md")
    for required in ("issuer", "client_id"):
        if not isinstance(table.get(required), str) or not table[required]:
            raise _problem(path, f"{code}.{required}", "is missing; it is required")
    issuer = str(table["issuer"]).rstrip("/")
    try:
        check_url(issuer)
    except ValueError as error:
        raise _problem(path, f"{code}.issuer", str(error)) from None
    algorithms = _strings(path, f"{code}.algorithms", table.get("algorithms", DEFAULT_ALGORITHMS))
    refused = sorted(set(algorithms) - ALLOWED_ALGORITHMS)
    if refused:
        allowed = ", ".join(f"`{a}`" for a in sorted(ALLOWED_ALGORITHMS))
        raise _problem(
            path, f"{code}.algorithms", f"`{refused[0]}` is not allowed; use some of {allowed}"
        )
    scopes = _strings(path, f"{code}.scopes", table.get("scopes", DEFAULT_SCOPES))
    if "openid" not in scopes:
        raise _problem(path, f"{code}.scopes", "must include `openid`")
    claim = table.get("claim", "email")
    if not isinstance(claim, str) or not claim:
        raise _problem(path, f"{code}.claim", "must name an ID token claim, e.g. `email`")
    verified = table.get("email_verified_required", True)
    if not isinstance(verified, bool):
        raise _problem(path, f"{code}.email_verified_required", "must be true or false")
    return OidcProvider(
        organisation_code=code,
        issuer=issuer,
        client_id=str(table["client_id"]),
        client_secret=_secret(path, code, table, environ),
        display_name=str(table.get("display_name") or f"{code} sign-in"),
        scopes=scopes,
        claim=claim,
        email_verified_required=verified,
        mfa_amr=frozenset(_strings(path, f"{code}.mfa_amr", table.get("mfa_amr", DEFAULT_MFA_AMR))),
        mfa_acr=frozenset(_strings(path, f"{code}.mfa_acr", table.get("mfa_acr", []))),
        algorithms=algorithms,
    )


def load_providers(
    path: Path | None, environ: Mapping[str, str] | None = None
) -> dict[str, OidcProvider]:
    """The providers configured in ``path`` by organisation code; none if ``path`` is None.

    ConfigurationError naming the file and the setting if anything is wrong, so the app
    refuses to start rather than sign people in through a half-configured provider.
    """
    if path is None:
        return {}
    env = os.environ if environ is None else environ
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise _problem(path, "file", f"cannot read it: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise _problem(path, "file", f"is not TOML: {error}") from None
    providers = {}
    for code, table in document.items():
        if not isinstance(table, dict):
            raise _problem(path, code, "must be a table, `[CODE]`, with the provider's settings")
        providers[code.upper()] = _provider(path, code.upper(), table, env)
    return providers


class Fetcher(Protocol):
    """How the provider's endpoints are reached; tests may pass their own."""

    def get_json(self, url: str) -> dict[str, Any]: ...

    def post_form(
        self, url: str, form: Mapping[str, str], basic_auth: tuple[str, str]
    ) -> dict[str, Any]: ...


def _read_json(request: urllib.request.Request) -> dict[str, Any]:
    try:
        check_url(request.full_url)
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310 - https, or loopback only (check_url)
            body = answer.read(RESPONSE_MAX + 1)
    except urllib.error.HTTPError as error:
        detail = error.read(2048).decode("utf-8", "replace")
        raise ProviderFetchError(f"`{request.full_url}` answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ProviderFetchError(f"`{request.full_url}` could not be reached: {error}") from None
    if len(body) > RESPONSE_MAX:
        raise ProviderFetchError(f"`{request.full_url}` answered more than {RESPONSE_MAX} bytes")
    try:
        value = json.loads(body)
    except ValueError:
        raise ProviderFetchError(f"`{request.full_url}` did not answer JSON") from None
    if not isinstance(value, dict):
        raise ProviderFetchError(f"`{request.full_url}` did not answer a JSON object")
    return value


class UrlFetcher:
    """Fetches with the standard library: a small, fixed set of calls, with a timeout each."""

    def get_json(self, url: str) -> dict[str, Any]:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - checked in _read_json
        return _read_json(request)

    def post_form(
        self, url: str, form: Mapping[str, str], basic_auth: tuple[str, str]
    ) -> dict[str, Any]:
        # RFC 6749 section 2.3.1: client id and secret form-encoded, then HTTP Basic
        user, password = (urllib.parse.quote_plus(part) for part in basic_auth)
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request = urllib.request.Request(  # noqa: S310 - checked in _read_json
            url,
            data=urllib.parse.urlencode(form).encode("ascii"),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Basic {credentials}",
            },
            method="POST",
        )
        return _read_json(request)


@dataclass(frozen=True)
class ProviderMetadata:
    """What discovery says about a provider, and when it was fetched."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    fetched_at: datetime


@dataclass
class _Keys:
    #: imported once per fetch: parsing the keys costs more than checking a signature
    key_set: KeySet
    fetched_at: datetime


class ProviderDirectory:
    """Discovery documents and key sets of the configured providers, fetched and cached.

    One per process (the app keeps it); thread-safe, as pages run in a thread pool.
    """

    def __init__(self, providers: Mapping[str, OidcProvider], fetcher: Fetcher | None = None):
        self.providers = dict(providers)
        self.fetcher: Fetcher = fetcher if fetcher is not None else UrlFetcher()
        self._metadata: dict[str, ProviderMetadata] = {}
        self._keys: dict[str, _Keys] = {}
        self._lock = threading.Lock()

    def provider(self, organisation_code: str) -> OidcProvider | None:
        return self.providers.get(organisation_code.upper())

    def choices(self) -> list[tuple[str, str]]:
        """(organisation code, the provider's name) of each provider, for the sign-in page."""
        return sorted((code, p.display_name) for code, p in self.providers.items())

    def metadata(self, provider: OidcProvider, now: datetime) -> ProviderMetadata:
        with self._lock:
            cached = self._metadata.get(provider.issuer)
        if cached is not None and now - cached.fetched_at < CACHE_FOR:
            return cached
        document = self.fetcher.get_json(f"{provider.issuer}/.well-known/openid-configuration")
        # OpenID Connect Discovery section 4.3: the document must name the issuer asked for
        if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
            raise ProviderFetchError(
                f"the discovery document names issuer `{document.get('issuer')}`, "
                f"not `{provider.issuer}`"
            )
        try:
            fresh = ProviderMetadata(
                authorization_endpoint=check_url(str(document["authorization_endpoint"])),
                token_endpoint=check_url(str(document["token_endpoint"])),
                jwks_uri=check_url(str(document["jwks_uri"])),
                fetched_at=now,
            )
        except (KeyError, ValueError) as error:
            raise ProviderFetchError(f"the discovery document is unusable: {error}") from None
        with self._lock:
            self._metadata[provider.issuer] = fresh
        return fresh

    def key_set(self, provider: OidcProvider, now: datetime, *, refresh: bool = False) -> KeySet:
        """The provider's JWK set; ``refresh`` refetches unless it was fetched a minute ago."""
        with self._lock:
            cached = self._keys.get(provider.issuer)
        if cached is not None:
            age = now - cached.fetched_at
            if age < CACHE_FOR and (not refresh or age < REFETCH_KEYS_AFTER):
                return cached.key_set
        metadata = self.metadata(provider, now)
        document = self.fetcher.get_json(metadata.jwks_uri)
        if not isinstance(document.get("keys"), list):
            raise ProviderFetchError(f"`{metadata.jwks_uri}` is not a JWK set")
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as error:
            raise ProviderFetchError(
                f"`{metadata.jwks_uri}` holds an unusable key: {error}"
            ) from None
        with self._lock:
            self._keys[provider.issuer] = _Keys(keys, now)
        return keys
