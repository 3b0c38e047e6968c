"""``infoshare isa import|list|export|propose|sign|activate|amend`` on a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infoshare.cli.main import app
from infoshare.domain.agreement_yaml import parse_agreement
from infoshare.services.setup import initialise
from tests.services.agreement_files import example_text, signatures, unsigned
from tests.support.databases import DatabaseTemplates, row_counts

runner = CliRunner()
REFERENCE = "LEEDS-ISA-2003-001"
DISCHARGE = "hospital-discharge.yaml"


@pytest.fixture(autouse=True)
def _development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_ENVIRONMENT", "development")
    monkeypatch.delenv("INFOSHARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INFOSHARE_PACK", raising=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, database_templates: DatabaseTemplates) -> Iterator[str]:
    yield from database_templates.copy(
        request, request.param, "leeds-2002", lambda u: initialise(u, "leeds-2002")
    )


def isa(url: str, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["isa", *(str(a) for a in args), "--db", url])
    return result.exit_code, result.stdout, result.stderr


def _file(tmp_path: Path, text: str, name: str = DISCHARGE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_sign_activate_list_export(url: str, tmp_path: Path) -> None:
    path = _file(tmp_path, unsigned(example_text(DISCHARGE)))
    code, out, err = isa(url, "import", path)
    assert code == 0, err
    assert out.startswith(f"imported {REFERENCE} v1  proposed")

    for organisation, name, post, on in signatures(DISCHARGE):
        code, out, err = isa(
            url, "sign", REFERENCE, "--organisation", organisation, "--name", name,
            "--post", post, "--on", on.isoformat(),
        )  # fmt: skip
        assert code == 0, err

    # LCC had not approved the protocol in October 2002 (Procedure C1): refused, with why.
    code, _, err = isa(url, "activate", REFERENCE, "--today", "2003-04-01")
    assert code == 1
    assert "cannot be activated" in err
    assert "ISA004" in err
    assert "`LCC` has not approved the protocol" in err

    code, out, _ = isa(url, "list", "--status", "signed")
    assert code == 0
    assert f"{REFERENCE} v1  signed" in out
    assert out.strip().endswith("1 agreement")

    code, out, _ = isa(url, "export", REFERENCE)
    assert code == 0
    exported = parse_agreement(out, "exported.yaml").agreement
    assert exported.status == "signed"
    assert exported.unsigned_parties == []


def test_a_bad_file_exits_1_and_stores_nothing(url: str, tmp_path: Path) -> None:
    text = unsigned(example_text(DISCHARGE)).replace("organisation: LCC", "organisation: LGI")
    path = _file(tmp_path, text)
    before = row_counts(url)
    code, _, err = isa(url, "import", path)
    assert code == 1
    assert f"{path}:" in err
    assert "`LGI`" in err
    assert row_counts(url) == before


def test_signing_twice_exits_1(url: str, tmp_path: Path) -> None:
    isa(url, "import", _file(tmp_path, unsigned(example_text(DISCHARGE))))
    args = ["sign", REFERENCE, "--organisation", "LTHT", "--name", "A W", "--post", "CG"]
    args += ["--on", "2003-03-18"]
    assert isa(url, *args)[0] == 0
    code, _, err = isa(url, *args)
    assert code == 1
    assert "already signed" in err


def test_amend_then_list_every_version(url: str, tmp_path: Path) -> None:
    isa(url, "import", _file(tmp_path, unsigned(example_text(DISCHARGE))))
    code, out, err = isa(
        url, "amend", REFERENCE, "--summary", "Add housing", "--dated", "2003-06-01"
    )
    assert code == 0, err
    assert "v2  draft" in out
    code, out, _ = isa(url, "list", "--all-versions", "--format", "json")
    assert code == 0
    assert '"version": 2' in out
    assert '"version": 1' in out


def test_an_unknown_reference_exits_1(url: str) -> None:
    code, _, err = isa(url, "export", "LEEDS-ISA-1999-001")
    assert code == 1
    assert "`LEEDS-ISA-1999-001`" in err


def test_show_review_expire_terminate(url: str, tmp_path: Path) -> None:
    isa(url, "import", _file(tmp_path, unsigned(example_text(DISCHARGE))))
    code, out, _ = isa(url, "show", REFERENCE, "--today", "2003-09-01")
    assert code == 0
    assert "ISA004 party-not-adopted (Procedure C1)" in out
    assert "1 error(s), 0 warning(s); versions 1" in out

    code, _, err = isa(
        url, "review", REFERENCE, "--reviewed-on", "2003-09-01", "--next-review", "2004-08-31"
    )
    assert code == 1
    assert "`proposed` cannot `record-review`" in err
    code, _, err = isa(url, "expire", REFERENCE)
    assert code == 1

    code, out, _ = isa(url, "terminate", REFERENCE, "--reason", "Replaced by a city-wide agreement")
    assert code == 0
    assert "terminated" in out
    code, out, _ = isa(url, "show", REFERENCE, "--format", "json")
    assert '"status": "terminated"' in out
