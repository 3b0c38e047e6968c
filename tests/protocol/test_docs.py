"""docs/protocol-packs.md documents every file, field and organisation type of a pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from infoshare.protocol.layout import PACK_FILES
from infoshare.protocol.schema import (
    Adoption,
    Clause,
    DataCategory,
    LegalGround,
    Organisation,
    OrganisationType,
    PackInfo,
    Procedure,
    Purpose,
    ReviewSchedule,
    Role,
    SuppressionRule,
    TransferMethod,
)

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "protocol-packs.md").read_text()
MODELS: list[type[BaseModel]] = [
    PackInfo, Organisation, Adoption, Purpose, Clause, Procedure, Role, LegalGround,
    DataCategory, TransferMethod, ReviewSchedule, SuppressionRule,
]  # fmt: skip


@pytest.mark.parametrize("name", [f.name for f in PACK_FILES])
def test_every_pack_file_is_documented(name: str) -> None:
    assert f"`{name}`" in DOCS


@pytest.mark.parametrize(
    "field", sorted({field for model in MODELS for field in model.model_fields})
)
def test_every_field_is_documented(field: str) -> None:
    assert f"`{field}`" in DOCS


@pytest.mark.parametrize("kind", list(OrganisationType))
def test_every_organisation_type_is_documented(kind: OrganisationType) -> None:
    assert f"`{kind.value}`" in DOCS


def test_the_docs_say_it_is_not_legal_advice() -> None:
    assert "Not legal advice" in DOCS
