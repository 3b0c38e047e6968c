"""An agreement's life: each step allowed only from the right status, activation refused
while the lint finds errors or a party has not signed, and amendments as new versions."""

from __future__ import annotations

from datetime import date

import pytest

from infoshare.domain.agreement import InformationSharingAgreement, IsaStatus
from infoshare.errors import AgreementNotReadyError, AgreementStateError
from infoshare.policy.isa_lifecycle import (
    TRANSITIONS,
    IsaAction,
    activate,
    amend,
    expire,
    mark_review_due,
    next_status,
    propose,
    record_review,
    return_to_draft,
    sign,
    supersede,
    terminate,
)
from infoshare.policy.isa_lint import LintContext
from infoshare.protocol.loader import load_builtin_pack
from infoshare.protocol.schema import ProtocolPack
from tests.policy.isa_cases import base_context, base_isa


@pytest.fixture(scope="module")
def pack() -> ProtocolPack:
    return load_builtin_pack("leeds-2002")


def draft() -> InformationSharingAgreement:
    isa = base_isa()
    unsigned = [s.model_copy(update={"signed_at": None}) for s in isa.signatories]
    return isa.model_copy(update={"status": IsaStatus.DRAFT, "signatories": unsigned})


def signed_by_both() -> InformationSharingAgreement:
    isa = propose(draft())
    isa = sign(isa, "LTHT", "A Whitaker", "Caldicott Guardian", date(2003, 3, 20))
    return sign(isa, "LCC", "P Ackroyd", "Caldicott Guardian", date(2003, 3, 24))


def test_an_agreement_goes_from_draft_to_active(pack: ProtocolPack) -> None:
    isa = propose(draft())
    assert isa.status is IsaStatus.PROPOSED
    isa = sign(isa, "LTHT", "A Whitaker", "Caldicott Guardian", date(2003, 3, 20))
    assert isa.status is IsaStatus.PROPOSED
    assert isa.unsigned_parties == ["LCC"]
    isa = sign(isa, "LCC", "J Smith", "Director of Social Services", date(2003, 3, 24))
    assert isa.status is IsaStatus.SIGNED
    # Whoever signs replaces the signatory named in advance.
    assert isa.signatories_for("LCC")[0].name == "J Smith"
    assert activate(isa, pack, base_context()).status is IsaStatus.ACTIVE


def test_signing_twice_is_refused() -> None:
    isa = sign(propose(draft()), "LTHT", "A Whitaker", "CG", date(2003, 3, 20))
    with pytest.raises(AgreementStateError, match="`LTHT` has already signed"):
        sign(isa, "LTHT", "Someone Else", "CEO", date(2003, 3, 21))


def test_only_a_party_can_sign() -> None:
    with pytest.raises(AgreementStateError, match="`WYP` is not a party"):
        sign(propose(draft()), "WYP", "H Marsden", "Commander", date(2003, 3, 20))


def test_a_draft_cannot_be_signed_or_activated(pack: ProtocolPack) -> None:
    with pytest.raises(AgreementStateError, match="`draft` cannot `sign`"):
        sign(draft(), "LTHT", "A Whitaker", "CG", date(2003, 3, 20))
    with pytest.raises(AgreementStateError, match="`draft` cannot `activate`"):
        activate(draft(), pack, base_context())


def test_activation_refuses_an_agreement_with_lint_errors(pack: ProtocolPack) -> None:
    isa = signed_by_both().model_copy(update={"retention": None})
    with pytest.raises(AgreementNotReadyError) as info:
        activate(isa, pack, base_context())
    assert len(info.value.reasons) == 1
    assert info.value.reasons[0].startswith("ISA035 retention")


def test_activation_is_not_held_up_by_warnings(pack: ProtocolPack) -> None:
    isa = signed_by_both().model_copy(update={"data_quality": None})
    assert activate(isa, pack, base_context()).status is IsaStatus.ACTIVE


def test_activation_refuses_while_a_party_has_not_adopted_the_protocol(
    pack: ProtocolPack,
) -> None:
    pending = LintContext(today=base_context().today)  # the pack alone: LCC has not approved
    with pytest.raises(AgreementNotReadyError) as info:
        activate(signed_by_both(), pack, pending)
    assert any(reason.startswith("ISA004") for reason in info.value.reasons)


def test_review_keeps_the_agreement_in_force(pack: ProtocolPack) -> None:
    active = activate(signed_by_both(), pack, base_context())
    with pytest.raises(AgreementStateError, match="not due for review until 2004-03-31"):
        mark_review_due(active, date(2004, 3, 30))
    due = mark_review_due(active, date(2004, 3, 31))
    assert due.status is IsaStatus.REVIEW_DUE
    reviewed = record_review(due, date(2004, 4, 10), date(2005, 4, 9))
    assert reviewed.status is IsaStatus.ACTIVE
    assert reviewed.reviewed_on == date(2004, 4, 10)
    assert reviewed.review_date == date(2005, 4, 9)
    with pytest.raises(AgreementStateError, match="must come after"):
        record_review(due, date(2004, 4, 10), date(2004, 4, 10))


def test_expiry_needs_the_end_date_to_have_come(pack: ProtocolPack) -> None:
    active = activate(signed_by_both(), pack, base_context())
    with pytest.raises(AgreementStateError, match="has not reached an end date"):
        expire(active, date(2010, 1, 1))
    ending = active.model_copy(update={"end_date": date(2004, 3, 1)})
    with pytest.raises(AgreementStateError):
        expire(ending, date(2004, 2, 29))
    assert expire(ending, date(2004, 3, 1)).status is IsaStatus.EXPIRED


def test_finished_agreements_go_nowhere(pack: ProtocolPack) -> None:
    ended = terminate(activate(signed_by_both(), pack, base_context()))
    assert ended.status is IsaStatus.TERMINATED
    for action in IsaAction:
        with pytest.raises(AgreementStateError, match="it can nothing: it is finished"):
            next_status(ended.status, action)


def test_an_amendment_is_a_new_unsigned_version_and_the_old_one_stays(
    pack: ProtocolPack,
) -> None:
    old = activate(signed_by_both(), pack, base_context())
    new = amend(old, date(2003, 8, 1), "WYP joins")
    assert (new.version, new.status) == (2, IsaStatus.DRAFT)
    assert new.unsigned_parties == ["LTHT", "LCC"]
    assert [h.version for h in new.history] == [1, 2]
    assert old.status is IsaStatus.ACTIVE
    assert old.version == 1
    assert supersede(old).status is IsaStatus.SUPERSEDED
    with pytest.raises(AgreementStateError, match="amend the latest version"):
        amend(supersede(old), date(2003, 9, 1), "again")


def test_returning_to_draft_withdraws_signatures() -> None:
    isa = sign(propose(draft()), "LTHT", "A Whitaker", "CG", date(2003, 3, 20))
    back = return_to_draft(isa)
    assert back.status is IsaStatus.DRAFT
    assert back.unsigned_parties == ["LTHT", "LCC"]


def test_every_status_has_its_transitions_written_down() -> None:
    assert set(TRANSITIONS) == set(IsaStatus)
    finished = {IsaStatus.EXPIRED, IsaStatus.TERMINATED, IsaStatus.SUPERSEDED}
    assert {s for s, moves in TRANSITIONS.items() if not moves} == finished
