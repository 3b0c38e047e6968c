"""The one place infoshare's configuration is read from the environment.

Built by ``create_app()`` and by the CLI, never at import time. Every variable is listed
here with its name, so ``docs/operations.md`` can say exactly what can be set.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infoshare.errors import ConfigurationError

#: secret keys that are public knowledge and so refused outside development
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105 - the point is that it is public
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """infoshare's settings; each field is read from the ``INFOSHARE_`` variable named beside it."""

    model_config = SettingsConfigDict(env_prefix="INFOSHARE_", extra="ignore", frozen=True)

    #: INFOSHARE_ENVIRONMENT: development relaxes nothing but the secret-key check
    environment: Environment = Environment.PRODUCTION
    #: INFOSHARE_DATABASE_URL: sqlite:///path or postgresql+psycopg://user:pass@host/db
    database_url: str = "sqlite:///./infoshare.db"
    #: INFOSHARE_SECRET_KEY: signs sessions and CSRF tokens; at least 32 characters
    secret_key: str = DEVELOPMENT_SECRET_KEY
    #: INFOSHARE_HOST and INFOSHARE_PORT: where ``infoshare serve`` listens
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    #: INFOSHARE_KEYS_DIR: the ledger's signing key lives here, outside the database, mode 0600
    keys_dir: Path = Path("./keys")
    #: INFOSHARE_LEDGER_ORIGIN: the ledger's name on its checkpoints and key; empty means
    #: ``infoshare.local/<pack id>``
    ledger_origin: str = ""
    #: INFOSHARE_LEDGER_CHECKPOINT_EVERY: sign a checkpoint each time the ledger passes a
    #: multiple of this many entries (the web app's writer); ``infoshare ledger checkpoint``
    #: signs one on demand
    ledger_checkpoint_every: Annotated[int, Field(ge=1)] = 1000
    #: INFOSHARE_PACK: the protocol pack ``infoshare init`` loads when none is named
    pack: str = "leeds-2002"
    #: INFOSHARE_SESSION_IDLE_MINUTES: a session unused this long has ended (Procedure B1)
    session_idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    #: INFOSHARE_SESSION_ABSOLUTE_HOURS: a session this old has ended, however busy
    session_absolute_hours: Annotated[int, Field(ge=1, le=7 * 24)] = 12
    #: INFOSHARE_SIGN_IN_MAX_FAILURES: failed sign-ins for one account, per window, before a wait
    sign_in_max_failures: Annotated[int, Field(ge=1)] = 5
    #: INFOSHARE_SIGN_IN_MAX_FAILURES_PER_ADDRESS: failed sign-ins from one client address
    sign_in_max_failures_per_address: Annotated[int, Field(ge=1)] = 20
    #: INFOSHARE_SIGN_IN_WINDOW_MINUTES: the window failed sign-ins are counted over
    sign_in_window_minutes: Annotated[int, Field(ge=1)] = 15
    #: INFOSHARE_EMERGENCY_REVIEW_HOURS: a designated officer's review of an emergency
    #: disclosure is overdue this long after it (Procedure A5)
    emergency_review_hours: Annotated[int, Field(ge=1, le=24 * 365)] = 72
    #: INFOSHARE_REVIEW_SWEEP_MINUTES: how often the server moves agreements whose review date
    #: has come to review-due (Section 4.4); 0 leaves it to ``infoshare isa review-due``
    review_sweep_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60
    #: INFOSHARE_OIDC_PROVIDERS_FILE: a TOML file, outside the repository, naming each
    #: organisation's OpenID Connect provider (docs/security.md); unset means password only
    oidc_providers_file: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in SUPPORTED_DATABASE_SCHEMES:
            known = ", ".join(f"`{s}`" for s in SUPPORTED_DATABASE_SCHEMES)
            raise ValueError(
                f"unknown database URL scheme `{scheme or value}`; use one of {known}, "
                "e.g. `sqlite:///./infoshare.db` or `postgresql+psycopg://user@host/infoshare`"
            )
        return value

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT or self.environment is Environment.TEST:
            return self
        if self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError(
                "INFOSHARE_SECRET_KEY is left at its public development default; set it to a "
                'random value (e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`)'
                " or set INFOSHARE_ENVIRONMENT=development"
            )
        if len(self.secret_key) < 32:
            raise ValueError("INFOSHARE_SECRET_KEY must be at least 32 characters long")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the driver SQLAlchemy needs (psycopg 3 for PostgreSQL)."""
        if self.database_url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self.database_url


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment and ``overrides``; raise ConfigurationError if wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"]) or "settings"
        env = f"INFOSHARE_{field.upper()}" if problem["loc"] else "settings"
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{env}: {message}", field=env) from exc
