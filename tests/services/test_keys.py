"""The ledger's signing key on disk (services/keys.py): made once, private, checked when read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from infoshare.errors import ConfigurationError
from infoshare.ledger.keys import parse_verifier_key
from infoshare.services.keys import (
    SIGNING_KEY_FILE,
    VERIFIER_KEY_FILE,
    ensure_signing_key,
    load_signing_key,
    load_verifier_key,
    origin_for,
    published_key,
)

ORIGIN = "infoshare.local/leeds-2002"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_key_is_private_and_its_public_half_is_published(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = ensure_signing_key(keys, ORIGIN)
    assert made.created
    assert _mode(keys) == 0o700
    assert _mode(keys / SIGNING_KEY_FILE) == 0o600
    key = load_signing_key(keys, origin=ORIGIN)
    assert key.name == ORIGIN
    published = parse_verifier_key((keys / VERIFIER_KEY_FILE).read_text())
    assert published == key.verifier == made.verifier == published_key(keys)


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ensure_signing_key(keys, ORIGIN)
    before = (keys / SIGNING_KEY_FILE).read_bytes()
    again = ensure_signing_key(keys, ORIGIN)
    assert not again.created
    assert (keys / SIGNING_KEY_FILE).read_bytes() == before


def test_two_ledgers_get_two_different_keys(tmp_path: Path) -> None:
    first = ensure_signing_key(tmp_path / "a", ORIGIN).verifier
    second = ensure_signing_key(tmp_path / "b", ORIGIN).verifier
    assert first.public_key != second.public_key


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ensure_signing_key(keys, ORIGIN)
    (keys / SIGNING_KEY_FILE).chmod(0o644)
    with pytest.raises(
        ConfigurationError, match="mode 0644, so others can read it; run `chmod 600"
    ):
        load_signing_key(keys)


def test_a_keys_folder_others_can_enter_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ensure_signing_key(keys, ORIGIN)
    keys.chmod(0o755)
    with pytest.raises(ConfigurationError, match="chmod 700"):
        load_signing_key(keys)


def test_a_malformed_key_is_a_precise_configuration_error(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ensure_signing_key(keys, ORIGIN)
    path = keys / SIGNING_KEY_FILE
    path.write_text(path.read_text().replace("+", "-", 3))
    with pytest.raises(ConfigurationError, match="is not a ledger signing key") as caught:
        load_signing_key(keys)
    assert caught.value.field == "INFOSHARE_KEYS_DIR"


def test_a_key_for_another_ledger_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ensure_signing_key(keys, "infoshare.local/uk-2018")
    with pytest.raises(ConfigurationError, match=r"signs for `infoshare\.local/uk-2018`"):
        ensure_signing_key(keys, ORIGIN)


def test_a_missing_key_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="run `infoshare init`"):
        load_signing_key(tmp_path)


def test_a_wrong_verifier_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.pub"
    path.write_text("infoshare.local/x+00000000+AQ==\n")
    with pytest.raises(ConfigurationError, match="is not a verifier key"):
        load_verifier_key(path)


def test_the_origin_comes_from_the_setting_or_the_pack() -> None:
    assert origin_for("leeds-2002") == ORIGIN
    assert origin_for("leeds-2002", "ledger.leeds.example") == "ledger.leeds.example"
    with pytest.raises(ConfigurationError, match="INFOSHARE_LEDGER_ORIGIN"):
        origin_for("leeds-2002", "has space")
