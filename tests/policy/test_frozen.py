"""quick_init builds the same frozen records as dataclass's own constructor, or refuses."""

import dataclasses
from datetime import UTC, datetime

import pytest

from infoshare.policy.consent_index import QuickAnswers
from infoshare.policy.decision import (
    Basis,
    BasisKind,
    Condition,
    ConditionKind,
    Decision,
    Outcome,
    WithheldCategory,
)
from infoshare.policy.frozen import quick_init
from infoshare.policy.reasons import Reason, ReasonCode, reason


@dataclasses.dataclass(frozen=True, slots=True)
class Plain:
    name: str
    refs: tuple[str, ...] = ()
    note: str | None = None


@quick_init
@dataclasses.dataclass(frozen=True, slots=True)
class Quick:
    name: str
    refs: tuple[str, ...] = ()
    note: str | None = None


def test_a_quick_record_is_the_record_dataclass_would_make() -> None:
    for args, kwargs in [(("a",), {}), (("a", ("x",)), {}), (("a",), {"note": "n"})]:
        quick, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)  # type: ignore[arg-type]
        assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
        assert repr(quick).removeprefix("Quick") == repr(plain).removeprefix("Plain")
    assert Quick("a") == Quick("a", ())
    assert hash(Quick("a")) == hash(Quick("a", (), None))
    assert Quick("a") != Quick("b")


def test_a_quick_record_stays_frozen_and_checks_its_arguments() -> None:
    record = Quick("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", (), None, "too many")  # type: ignore[call-arg]


def test_the_decisions_records_are_built_with_every_field() -> None:
    at = datetime(2003, 6, 2, tzinfo=UTC)
    why = reason(ReasonCode.CONSENT_COVERS, "consent covers it", "c1")
    assert (why.code, why.clause, why.message, why.refs) == (
        ReasonCode.CONSENT_COVERS,
        "Procedure A4",
        "consent covers it",
        ("c1",),
    )
    condition = Condition(ConditionKind.CREATE_REVIEW_TASK, "Procedure A5", "t", due_at=at)
    assert (condition.refs, condition.due_at, condition.organisation) == ((), at, None)
    decision = Decision(
        Outcome.PERMIT, ("a",), (WithheldCategory("b", (why,)),), (), Basis(BasisKind.CONSENT), ()
    )
    assert (decision.referred, decision.isa_reference) == ((), None)
    assert decision.basis == Basis(BasisKind.CONSENT, (), (), "", False, None, "")
    assert QuickAnswers({}, {}, {}, ()).unsettled == ()
    assert Reason(ReasonCode.NO_CONSENT, "Procedure A4", "m") == Reason(
        ReasonCode.NO_CONSENT, "Procedure A4", "m", ()
    )


def test_quick_init_refuses_what_it_cannot_build_faithfully() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        name: str

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        name: str

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        names: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        name: str

    for cls in (NoSlots, NotFrozen, Checked, Factory, KeywordOnly, str):
        with pytest.raises(TypeError):
            quick_init(cls)
