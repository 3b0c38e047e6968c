"""The packs infoshare ships load, and say what the protocol says."""

from __future__ import annotations

import pytest

from infoshare.errors import UnknownReferenceError
from infoshare.protocol import builtin_pack_names, builtin_pack_path, load_builtin_pack
from infoshare.protocol.schema import Membership


@pytest.mark.parametrize("name", builtin_pack_names())
def test_builtin_pack_loads_and_names_itself(name: str) -> None:
    pack = load_builtin_pack(name)
    assert pack.id == name
    assert builtin_pack_path(name).name == name


def test_leeds_2002_is_shipped() -> None:
    assert "leeds-2002" in builtin_pack_names()


def test_unknown_builtin_pack_lists_the_known_ones() -> None:
    with pytest.raises(UnknownReferenceError, match="`leeds-2002`") as caught:
        load_builtin_pack("leeds-2020")
    assert "`leeds-2020`" in caught.value.message


def test_builtin_pack_is_loaded_once() -> None:
    assert load_builtin_pack("leeds-2002") is load_builtin_pack("leeds-2002")


def test_leeds_has_ten_parties_and_six_supporting_members() -> None:
    pack = load_builtin_pack("leeds-2002")
    parties = [o.code for o in pack.organisations if o.membership is Membership.PARTY]
    supporters = [o.code for o in pack.organisations if o.membership is not Membership.PARTY]
    assert parties == [
        "LTHT", "LMHST", "WLPCT", "NWLPCT", "NELPCT", "ELPCT", "SLPCT", "LCC", "EDL", "WYP",
    ]  # fmt: skip
    assert supporters == ["WYPROB", "WYMAS", "LCHC", "VOICE", "SUCA", "ANL"]
