"""Creating and upgrading the schema with Alembic, and checking that it matches the models.

The migrations live inside the package (``infoshare/store/migrations``), so an installed
infoshare can upgrade its own database; the Alembic configuration is built here in code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from infoshare.store.database import make_engine
from infoshare.store.models import Base

SCRIPT_LOCATION = "infoshare.store:migrations"


def alembic_config() -> Config:
    """The Alembic configuration, without an ini file."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _run(url: str, action: str, revision: str) -> None:
    config = alembic_config()
    with _engine(url) as engine, engine.connect() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
        connection.commit()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (the newest by default)."""
    _run(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` down to ``revision`` (``base`` removes every table)."""
    _run(url, "downgrade", revision)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at; None if it has never been migrated."""
    with _engine(url) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def differences(url: str) -> list[Any]:
    """What Alembic's autogenerate finds between the database and the models; [] if they agree."""
    with _engine(url) as engine, engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True},
        )
        return list(compare_metadata(context, Base.metadata))


def new_revision(url: str, message: str, revision_id: str) -> None:
    """Write a migration that takes the database at ``url`` (at head) to the current models.

    For developers: run it against a scratch database upgraded to head, then read and tidy
    the file Alembic writes to ``infoshare/store/migrations/versions/<id>_<slug>.py``.
    """
    config = alembic_config()
    with _engine(url) as engine, engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True, rev_id=revision_id)
