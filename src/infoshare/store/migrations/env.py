"""How Alembic runs infoshare's migrations: on a connection handed over by ``store/schema.py``.

No ``alembic.ini`` is needed at run time; ``schema.py`` builds the Config in code and passes
an open connection (or a URL) in ``config.attributes``. SQLite gets batch mode, since it
alters a table by copying it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from infoshare.store.database import make_engine
from infoshare.store.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection or sqlalchemy.url given to the migrations")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("infoshare's migrations run online only; use `infoshare db upgrade`")
run_migrations_online()
