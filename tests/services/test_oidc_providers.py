"""The providers file (``INFOSHARE_OIDC_PROVIDERS_FILE``): what it accepts, and what stops the app.

A provider half-configured must never sign anyone in, so every mistake is an error naming
the file and the setting, at start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infoshare.errors import ConfigurationError
from infoshare.services.oidc_providers import (
    DEFAULT_ALGORITHMS,
    check_url,
    load_providers,
)
from tests.support.oidc_provider import CLIENT_SECRET, providers_file

ISSUER = "https://login.example.nhs.uk/ltht/v2.0"


def test_a_complete_file_gives_one_provider_per_organisation(tmp_path: Path) -> None:
    path = providers_file(
        tmp_path, ISSUER + "/", claim="preferred_username", mfa_acr=["urn:example:mfa"]
    )
    providers = load_providers(path)
    assert list(providers) == ["LTHT"]
    ltht = providers["LTHT"]
    assert ltht.issuer == ISSUER  # the trailing slash is dropped, as discovery compares
    assert ltht.client_secret == CLIENT_SECRET
    assert CLIENT_SECRET not in repr(ltht)
    assert ltht.claim == "preferred_username"
    assert ltht.mfa_acr == {"urn:example:mfa"}
    assert "mfa" in ltht.mfa_amr
    assert ltht.algorithms == DEFAULT_ALGORITHMS


def test_no_file_means_no_providers() -> None:
    assert load_providers(None) == {}


def test_the_secret_may_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(
        f'[wyp]\nissuer = "{ISSUER}"\nclient_id = "x"\nclient_secret_env = "WYP_SECRET"\n',
        encoding="utf-8",
    )
    providers = load_providers(path, {"WYP_SECRET": "s3cret"})
    assert providers["WYP"].client_secret == "s3cret"
    with pytest.raises(ConfigurationError, match="`WYP_SECRET` is not set"):
        load_providers(path, {})


@pytest.mark.parametrize(
    ("extra", "where", "says"),
    [
        ({"algorithms": ["none"]}, "LTHT.algorithms", "`none` is not allowed"),
        ({"algorithms": ["HS256"]}, "LTHT.algorithms", "`HS256` is not allowed"),
        ({"scopes": ["email"]}, "LTHT.scopes", "must include `openid`"),
        ({"claims": "email"}, "LTHT.claims", "is not a setting"),
        ({"email_verified_required": "yes"}, "LTHT.email_verified_required", "true or false"),
        ({"mfa_amr": "mfa"}, "LTHT.mfa_amr", "list of strings"),
    ],
)
def test_a_mistake_names_the_file_and_the_setting(
    tmp_path: Path, extra: dict[str, object], where: str, says: str
) -> None:
    path = providers_file(tmp_path, ISSUER, **extra)
    with pytest.raises(ConfigurationError) as wrong:
        load_providers(path)
    assert str(path) in wrong.value.message
    assert where in wrong.value.message
    assert says in wrong.value.message


def test_an_issuer_must_be_reached_over_tls(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"LTHT\.issuer.*https://"):
        load_providers(providers_file(tmp_path, "http://login.example.nhs.uk"))
    # plain HTTP only to this machine, for tests and development
    assert load_providers(providers_file(tmp_path, "http://127.0.0.1:8080"))["LTHT"]
    assert check_url("http://localhost:9000/x") == "http://localhost:9000/x"
    with pytest.raises(ValueError, match="not an https"):
        check_url("file:///etc/passwd")


def test_a_secret_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = providers_file(tmp_path, ISSUER)
    (tmp_path / "oidc-client-secret").chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_providers(path)


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text("[LTHT\nissuer = ", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="is not TOML"):
        load_providers(path)


def test_a_missing_client_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(f'[LTHT]\nissuer = "{ISSUER}"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"LTHT\.client_id: is missing"):
        load_providers(path)
