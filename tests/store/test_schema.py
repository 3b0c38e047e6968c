"""The migrations: they build exactly the models' schema, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from infoshare.store import schema
from infoshare.store.database import make_engine
from infoshare.store.models import ServiceUserRecord
from tests.support.databases import row_counts


def test_an_empty_database_has_no_revision_until_upgraded(database_url: str) -> None:
    assert schema.current_revision(database_url) is None
    schema.upgrade(database_url)
    assert schema.current_revision(database_url) == schema.head_revision()


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    schema.upgrade(database_url)
    assert schema.differences(database_url) == []


def test_downgrade_to_base_then_upgrade_again(database_url: str) -> None:
    schema.upgrade(database_url)
    schema.downgrade(database_url, "base")
    assert schema.current_revision(database_url) is None
    schema.upgrade(database_url)
    assert schema.differences(database_url) == []
    assert set(row_counts(database_url).values()) == {0}


def test_upgrading_twice_changes_nothing(migrated_database_url: str) -> None:
    schema.upgrade(migrated_database_url)
    assert schema.current_revision(migrated_database_url) == schema.head_revision()


@pytest.mark.parametrize("number", ["94347659", "943476591X", "94347659 1", "abcdefghij"])
def test_the_database_itself_refuses_an_nhs_number_that_is_not_ten_digits(
    migrated_database_url: str, number: str
) -> None:
    engine = make_engine(migrated_database_url)
    row = {
        "id": uuid.uuid4(), "nhs_number": number, "given_name": "Test",
        "family_name": "Person", "created_at": datetime(2026, 1, 5, tzinfo=UTC),
    }  # fmt: skip
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(ServiceUserRecord), [row])
    finally:
        engine.dispose()
    assert row_counts(migrated_database_url)["service_users"] == 0
