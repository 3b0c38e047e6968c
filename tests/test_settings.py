"""Settings refuse what would be unsafe or meaningless, naming the variable to fix."""

import pytest

from infoshare.errors import ConfigurationError
from infoshare.settings import DEVELOPMENT_SECRET_KEY, Environment, load_settings


def test_default_secret_refused_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFOSHARE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="public development default") as info:
        load_settings(environment=Environment.PRODUCTION)
    assert "INFOSHARE_SECRET_KEY" in info.value.message


def test_default_secret_allowed_in_development() -> None:
    settings = load_settings(environment=Environment.DEVELOPMENT)
    assert settings.secret_key == DEVELOPMENT_SECRET_KEY


def test_short_secret_refused_in_production() -> None:
    with pytest.raises(ConfigurationError, match="at least 32"):
        load_settings(environment=Environment.PRODUCTION, secret_key="short")


def test_unknown_database_scheme_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", "mysql://db/infoshare")
    with pytest.raises(ConfigurationError, match="unknown database URL scheme `mysql`") as info:
        load_settings(environment=Environment.DEVELOPMENT)
    assert info.value.field == "INFOSHARE_DATABASE_URL"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_PORT", "8123")
    monkeypatch.setenv("INFOSHARE_DATABASE_URL", "postgresql://u@h/db")
    settings = load_settings(environment=Environment.DEVELOPMENT)
    assert settings.port == 8123
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"


def test_port_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_PORT", "70000")
    with pytest.raises(ConfigurationError, match="INFOSHARE_PORT"):
        load_settings(environment=Environment.DEVELOPMENT)
