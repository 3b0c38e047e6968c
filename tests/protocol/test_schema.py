"""Looking things up in a pack: unknown ids are precise errors, not StopIteration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infoshare.errors import UnknownReferenceError
from infoshare.protocol import ProtocolPack, load_builtin_pack


def test_lookups_find_entries_by_their_ids() -> None:
    pack = load_builtin_pack("leeds-2002")
    assert pack.purpose("crime").needs_identifiable_data
    assert pack.organisation("WYP").name == "West Yorkshire Police"
    assert pack.category("mental-health").sensitive
    assert pack.legal_ground("dpa-1998-s29").citation == "DPA 1998 s.29"
    assert pack.principle(11).citation == "Principle 11"
    assert pack.procedure("C5").citation == "Procedure C5"
    assert pack.role("designated-officer").may_approve_disclosure_without_consent
    assert pack.section("4.4").title == "Review arrangements"


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (lambda p: p.purpose("gossip"), "no purpose `gossip`; use one of `care`"),
        (lambda p: p.organisation("NHSX"), "no organisation `NHSX`; use one of `LTHT`"),
        (lambda p: p.category("shoe-size"), "no data category `shoe-size`"),
        (lambda p: p.legal_ground("magna-carta"), "no legal ground `magna-carta`"),
        (lambda p: p.principle(16), "no principle `P16`"),
        (lambda p: p.procedure("D1"), "no procedure `D1`"),
        (lambda p: p.role("king"), "no role `king`"),
        (lambda p: p.transfer_method("pigeon"), "no transfer method `pigeon`"),
        (lambda p: p.section("9"), "no section `9`"),
    ],
)
def test_unknown_ids_raise_unknown_reference_error(
    lookup: Callable[[ProtocolPack], object], message: str
) -> None:
    pack = load_builtin_pack("leeds-2002")
    with pytest.raises(UnknownReferenceError, match=message):
        lookup(pack)
