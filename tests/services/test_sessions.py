"""Signing in and out (Procedure B1): passwords, second factor, rotation, timeouts, throttling.

Run on SQLite and PostgreSQL, on a copy of a small world of staff with accounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from infoshare.errors import AuthenticationError, InputError, SignInThrottledError
from infoshare.services.access_log import Outcome, anonymous, recent_entries
from infoshare.services.accounts import disable_account, get_account, reset_password
from infoshare.services.database import Database, open_database
from infoshare.services.sessions import (
    WRONG_CREDENTIALS,
    SessionPolicy,
    Stage,
    begin_enrolment,
    confirm_enrolment,
    current_session,
    hash_token,
    keep_alive,
    pass_second_factor,
    sign_in,
    sign_out,
)
from infoshare.store.models import SignInAttemptRecord, WebSessionRecord
from tests.support.accounts_world import NOW, PASSWORD, PEOPLE, TEMPLATE, build_world, code_at
from tests.support.databases import DatabaseTemplates, row_counts

POLICY = SessionPolicy()
HERE = anonymous("192.0.2.10")
PRACTITIONER = PEOPLE["practitioner"].email
OFFICER = PEOPLE["designated-officer"].email


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(
    request: pytest.FixtureRequest, database_templates: DatabaseTemplates
) -> Iterator[Database]:
    for url in database_templates.copy(request, request.param, TEMPLATE, build_world):
        database = open_database(url)
        yield database
        database.dispose()


def _sign_in(db: Database, email: str = PRACTITIONER, password: str = PASSWORD, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("now", NOW)
    kw.setdefault("requester", HERE)
    return sign_in(db.unit_of_work(), email=email, password=password, policy=POLICY, **kw)  # type: ignore[arg-type]


def test_a_practitioner_signs_in_and_the_session_is_stored_only_as_a_hash(world: Database) -> None:
    new = _sign_in(world, email="  Pat.Practitioner@LTHT.example ")
    assert new.signed_in.stage is Stage.SIGNED_IN
    assert new.signed_in.account.organisation_code == "LTHT"
    with world.unit_of_work().reading() as uow:
        hashes = [r.token_hash for r in uow.session.query(WebSessionRecord)]
    assert hashes == [hash_token(new.token)]
    assert new.token not in hashes
    again = current_session(world.unit_of_work(), new.token, policy=POLICY, now=NOW)
    assert again.account.email == PRACTITIONER


def test_unknown_address_and_wrong_password_get_the_same_answer(world: Database) -> None:
    with pytest.raises(AuthenticationError) as unknown:
        _sign_in(world, email="nobody@ltht.example")
    with pytest.raises(AuthenticationError) as wrong:
        _sign_in(world, password="not the password at all")
    assert unknown.value.message == wrong.value.message == WRONG_CREDENTIALS
    assert row_counts(world.url)["web_sessions"] == 0
    with world.unit_of_work().reading() as uow:
        attempts = [(a.email, a.succeeded) for a in uow.session.query(SignInAttemptRecord)]
    assert sorted(attempts) == [
        ("nobody@ltht.example", False),
        (PRACTITIONER, False),
    ]


@pytest.mark.parametrize(
    ("email", "password"), [("", PASSWORD), ("a@b.c", "x" * 257), ("x" * 300, "p")]
)
def test_empty_or_over_long_credentials_are_refused_before_anything_is_written(
    world: Database, email: str, password: str
) -> None:
    before = row_counts(world.url)
    with pytest.raises(InputError):
        _sign_in(world, email=email, password=password)
    assert row_counts(world.url) == before


def test_signing_in_ends_the_session_the_browser_held_before(world: Database) -> None:
    first = _sign_in(world)
    second = _sign_in(world, previous_token=first.token)
    assert first.token != second.token
    with pytest.raises(AuthenticationError):
        current_session(world.unit_of_work(), first.token, policy=POLICY, now=NOW)
    current_session(world.unit_of_work(), second.token, policy=POLICY, now=NOW)


def test_a_forged_token_is_no_session(world: Database) -> None:
    _sign_in(world)
    for forged in ("", "made-up", "x" * 500, hash_token("made-up")):
        with pytest.raises(AuthenticationError):
            current_session(world.unit_of_work(), forged, policy=POLICY, now=NOW)


def _use(db: Database, token: str, at: datetime) -> None:
    """A page view at ``at``, as the web layer makes it: check, then keep alive if due."""
    signed_in = current_session(db.unit_of_work(), token, policy=POLICY, now=at)
    if signed_in.needs_touch:
        keep_alive(db.unit_of_work(), signed_in, now=at)


def test_idle_and_absolute_timeouts_end_a_session(world: Database) -> None:
    new = _sign_in(world)
    # kept alive by use every 20 minutes …
    moment = NOW
    for _ in range(3):
        moment += timedelta(minutes=20)
        _use(world, new.token, moment)
    # … but not after 30 minutes without use
    with pytest.raises(AuthenticationError):
        _use(world, new.token, moment + POLICY.idle)
    # the next sign-in records why the old session ended
    _sign_in(world, now=moment + POLICY.idle)
    busy = _sign_in(world, now=NOW)
    moment = NOW
    while moment + timedelta(minutes=20) < NOW + POLICY.absolute:
        moment += timedelta(minutes=20)
        _use(world, busy.token, moment)
    with pytest.raises(AuthenticationError):
        _use(world, busy.token, NOW + POLICY.absolute)
    _sign_in(world, now=NOW + POLICY.absolute)
    with world.unit_of_work().reading() as uow:
        reasons = sorted(r.end_reason or "" for r in uow.session.query(WebSessionRecord))
    # the busy session reached its absolute limit; the first, and the one made when the first
    # had timed out (unused since), timed out idle; the newest is live
    assert reasons == ["", "absolute-timeout", "idle-timeout", "idle-timeout"]


def test_checking_a_session_writes_nothing_until_a_minute_has_passed(world: Database) -> None:
    new = _sign_in(world)
    assert not current_session(world.unit_of_work(), new.token, policy=POLICY, now=NOW).needs_touch
    later = NOW + timedelta(seconds=61)
    assert current_session(world.unit_of_work(), new.token, policy=POLICY, now=later).needs_touch


def test_sign_out_ends_every_session_of_the_account(world: Database) -> None:
    laptop, tablet = _sign_in(world), _sign_in(world)
    other = _sign_in(world, email=PEOPLE["lcc-practitioner"].email)
    assert sign_out(world.unit_of_work(), laptop.token, now=NOW) == 2
    for token in (laptop.token, tablet.token):
        with pytest.raises(AuthenticationError):
            current_session(world.unit_of_work(), token, policy=POLICY, now=NOW)
    current_session(world.unit_of_work(), other.token, policy=POLICY, now=NOW)


def test_disabling_an_account_ends_its_sessions_and_stops_sign_in(world: Database) -> None:
    new = _sign_in(world)
    disable_account(world.unit_of_work(), PRACTITIONER, now=NOW)
    with pytest.raises(AuthenticationError):
        current_session(world.unit_of_work(), new.token, policy=POLICY, now=NOW)
    with pytest.raises(AuthenticationError) as refused:
        _sign_in(world)
    assert refused.value.message == WRONG_CREDENTIALS
    assert get_account(world.unit_of_work(), PRACTITIONER).disabled


def test_resetting_the_password_ends_sessions_and_changes_what_works(world: Database) -> None:
    new = _sign_in(world)
    reset_password(world.unit_of_work(), PRACTITIONER, "a brand new passphrase", now=NOW)
    with pytest.raises(AuthenticationError):
        current_session(world.unit_of_work(), new.token, policy=POLICY, now=NOW)
    with pytest.raises(AuthenticationError):
        _sign_in(world)
    _sign_in(world, password="a brand new passphrase")
    with pytest.raises(InputError, match="at least 12"):
        reset_password(world.unit_of_work(), PRACTITIONER, "short", now=NOW)


def test_failed_sign_ins_are_throttled_per_account_and_logged(world: Database) -> None:
    for _ in range(POLICY.max_failures):
        with pytest.raises(AuthenticationError):
            _sign_in(world, password="wrong password guess")
    # even the right password waits now, and the answer says how long
    with pytest.raises(SignInThrottledError) as throttled:
        _sign_in(world, now=NOW + timedelta(minutes=1))
    assert "wait 14 minutes" in throttled.value.message
    denials = recent_entries(world.unit_of_work(), outcome=Outcome.DENIED)
    assert [d.action for d in denials] == ["sign-in"]
    assert denials[0].client_address == "192.0.2.10"
    # another account from another address is not affected; after the window, it works again
    _sign_in(world, email=PEOPLE["lcc-practitioner"].email, requester=anonymous("192.0.2.99"))
    _sign_in(world, now=NOW + POLICY.window + timedelta(seconds=1))


def test_failed_sign_ins_are_throttled_per_address(world: Database) -> None:
    tight = SessionPolicy(max_failures_per_address=3)
    for n in range(3):
        with pytest.raises(AuthenticationError):
            sign_in(
                world.unit_of_work(),
                email=f"guess{n}@ltht.example",
                password="guess guess",
                requester=HERE,
                policy=tight,
                now=NOW,
            )
    with pytest.raises(SignInThrottledError):
        sign_in(
            world.unit_of_work(),
            email=PRACTITIONER,
            password=PASSWORD,
            requester=HERE,
            policy=tight,
            now=NOW,
        )
    sign_in(
        world.unit_of_work(),
        email=PRACTITIONER,
        password=PASSWORD,
        requester=anonymous("192.0.2.11"),
        policy=tight,
        now=NOW,
    )


def test_a_designated_officer_passes_the_second_factor_and_gets_a_new_session(
    world: Database,
) -> None:
    pending = _sign_in(world, email=OFFICER)
    assert pending.signed_in.stage is Stage.SECOND_FACTOR
    with pytest.raises(AuthenticationError) as wrong:
        pass_second_factor(
            world.unit_of_work(), pending.token, "000000", requester=HERE, policy=POLICY, now=NOW
        )
    assert wrong.value.field == "code"
    done = pass_second_factor(
        world.unit_of_work(), pending.token, code_at(NOW), requester=HERE, policy=POLICY, now=NOW
    )
    assert done.signed_in.stage is Stage.SIGNED_IN
    assert done.token != pending.token
    with pytest.raises(AuthenticationError):
        current_session(world.unit_of_work(), pending.token, policy=POLICY, now=NOW)
    # the same code cannot be used again (a replay), even within its 30 seconds
    again = _sign_in(world, email=OFFICER, now=NOW + timedelta(seconds=5))
    with pytest.raises(AuthenticationError):
        pass_second_factor(
            world.unit_of_work(),
            again.token,
            code_at(NOW),
            requester=HERE,
            policy=POLICY,
            now=NOW + timedelta(seconds=5),
        )


def test_a_session_waiting_for_its_second_factor_cannot_skip_it(world: Database) -> None:
    pending = _sign_in(world, email=OFFICER)
    view = current_session(world.unit_of_work(), pending.token, policy=POLICY, now=NOW)
    assert view.stage is Stage.SECOND_FACTOR
    with pytest.raises(AuthenticationError):
        begin_enrolment(world.unit_of_work(), pending.token, policy=POLICY, now=NOW)


def test_a_role_that_needs_a_second_factor_must_enrol_one_first(world: Database) -> None:
    # take the officer's second factor away, as if their account were new
    with world.unit_of_work() as uow:
        from infoshare.store.models import AccountRecord

        for account in uow.session.query(AccountRecord):
            account.totp_secret, account.totp_confirmed_at = None, None
        uow.commit()
    pending = _sign_in(world, email=OFFICER)
    assert pending.signed_in.stage is Stage.ENROL_SECOND_FACTOR
    enrolment = begin_enrolment(world.unit_of_work(), pending.token, policy=POLICY, now=NOW)
    assert enrolment.uri.startswith("otpauth://totp/infoshare:dora.officer@ltht.example?")
    from infoshare.domain import totp

    key_code = totp.totp_at(
        __import__("base64").b32decode(enrolment.secret + "=" * (-len(enrolment.secret) % 8)),
        int(NOW.timestamp()),
    )
    done = confirm_enrolment(
        world.unit_of_work(), pending.token, key_code, requester=HERE, policy=POLICY, now=NOW
    )
    assert done.signed_in.stage is Stage.SIGNED_IN
    assert done.signed_in.account.second_factor_enrolled
    # next time the officer signs in, the second factor is asked for
    later = _sign_in(world, email=OFFICER, now=NOW + timedelta(minutes=1))
    assert later.signed_in.stage is Stage.SECOND_FACTOR


def test_wrong_enrolment_codes_are_throttled_like_wrong_passwords(world: Database) -> None:
    new = _sign_in(world)  # a practitioner, enrolling of their own accord
    begin_enrolment(world.unit_of_work(), new.token, policy=POLICY, now=NOW)
    for n in range(1, POLICY.max_failures + 1):
        with pytest.raises(AuthenticationError):
            confirm_enrolment(
                world.unit_of_work(),
                new.token,
                "000000",
                requester=HERE,
                policy=POLICY,
                now=NOW + timedelta(seconds=n),
            )
    with pytest.raises(SignInThrottledError):
        confirm_enrolment(
            world.unit_of_work(),
            new.token,
            "000000",
            requester=HERE,
            policy=POLICY,
            now=NOW + timedelta(seconds=10),
        )
    assert not get_account(world.unit_of_work(), PRACTITIONER).second_factor_enrolled
