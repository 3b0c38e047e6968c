"""``infoshare account`` and ``infoshare token``: sign-in accounts and API tokens, at the console.

For the operator of the server (who holds the database anyway), as Procedure B1 asks each
partner to control who can reach personal information: ``account create`` gives a member of
the staff directory an account (``--administrator`` for those who run accounts and tokens),
``account disable`` stops it and ends its sessions at once, ``account reset-password`` sets
a new password and ends its sessions, ``account password-link`` prints a one-time link for
the person to set one themself, ``account reset-second-factor`` forgets a lost second
factor. ``token create`` issues an API token to one party with a set of permissions and
prints it once; ``token list`` and ``token revoke`` manage them.
Passwords are asked for without echo; ``--password-stdin`` reads one line instead (scripts).
"""

from __future__ import annotations

import sys
import uuid
from typing import Annotated

import typer
from rich.console import Console

from infoshare.cli.database_option import DatabaseOption, opened_database
from infoshare.cli.errors import handles_errors
from infoshare.services.access_log import CONSOLE
from infoshare.services.account_admin import issue_password_link, reset_second_factor
from infoshare.services.accounts import (
    AccountView,
    create_account,
    disable_account,
    enable_account,
    get_account,
    reset_password,
)
from infoshare.services.api_tokens import issue_api_token, list_api_tokens, revoke_api_token
from infoshare.services.database import open_database
from infoshare.services.demo_accounts import (
    DEMO_PASSWORD,
    create_demo_accounts,
    create_demo_portal_account,
)
from infoshare.settings import Environment

stdout = Console(highlight=False, soft_wrap=True)

account_app = typer.Typer(
    name="account", help="Sign-in accounts of staff (Procedure B1).", no_args_is_help=True
)
token_app = typer.Typer(
    name="token", help="API tokens for other systems, one party each.", no_args_is_help=True
)

EmailArgument = Annotated[str, typer.Argument(help="The person's email in the staff directory.")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return password


def _print(account: AccountView, what: str) -> None:
    roles = ", ".join(account.roles) or "no roles"
    factor = "second factor on" if account.second_factor_enrolled else "no second factor yet"
    if account.second_factor_required and not account.second_factor_enrolled:
        factor += " (their role needs one: they will set it up at first sign-in)"
    state = "disabled" if account.disabled else "active"
    stdout.print(
        f"{what} {account.email} ({account.name}, {account.organisation_code}): "
        f"{roles}; {factor}; {state}"
    )


@account_app.command("create")
@handles_errors
def create_command(
    email: EmailArgument,
    administrator: Annotated[
        bool, typer.Option(help="May manage accounts and API tokens of their organisation.")
    ] = False,
    password_stdin: PasswordStdin = False,
    db: DatabaseOption = None,
) -> None:
    """Give a member of staff a sign-in account."""
    with opened_database(db) as database:
        password = _password(password_stdin)
        _print(
            create_account(
                database.unit_of_work(), email=email, password=password, administrator=administrator
            ),
            "created",
        )


@account_app.command("disable")
@handles_errors
def disable_command(email: EmailArgument, db: DatabaseOption = None) -> None:
    """Stop an account signing in and end every session it has, now."""
    with opened_database(db) as database:
        _print(disable_account(database.unit_of_work(), email), "disabled")


@account_app.command("enable")
@handles_errors
def enable_command(email: EmailArgument, db: DatabaseOption = None) -> None:
    """Let a disabled account sign in again."""
    with opened_database(db) as database:
        _print(enable_account(database.unit_of_work(), email), "enabled")


@account_app.command("reset-password")
@handles_errors
def reset_password_command(
    email: EmailArgument, password_stdin: PasswordStdin = False, db: DatabaseOption = None
) -> None:
    """Set a new password and end every session of the account."""
    with opened_database(db) as database:
        password = _password(password_stdin)
        _print(reset_password(database.unit_of_work(), email, password), "password reset for")


@account_app.command("reset-second-factor")
@handles_errors
def reset_second_factor_command(email: EmailArgument, db: DatabaseOption = None) -> None:
    """Forget the account's second factor (a lost phone); they set up a new one at sign-in."""
    with opened_database(db) as database:
        account = get_account(database.unit_of_work(), email)
        _print(reset_second_factor(database.unit_of_work(), CONSOLE, account.id), "reset for")


@account_app.command("password-link")
@handles_errors
def password_link_command(
    email: EmailArgument,
    base_url: Annotated[
        str,
        typer.Option(help="infoshare's address as people reach it, e.g. https://infoshare.example"),
    ] = "",
    db: DatabaseOption = None,
) -> None:
    """Make a one-time link (24 hours) for the person to set a new password; printed once."""
    with opened_database(db) as database:
        account = get_account(database.unit_of_work(), email)
        issued = issue_password_link(database.unit_of_work(), CONSOLE, account.id)
    stdout.print(
        f"a password link for {issued.account.email}, usable once until "
        f"{issued.expires_at:%Y-%m-%d %H:%M} UTC (earlier links no longer work):"
    )
    stdout.print(base_url.rstrip("/") + issued.path)


@token_app.command("create")
@handles_errors
def token_create_command(
    organisation: Annotated[str, typer.Option(help="The party the token acts for, e.g. LTHT.")],
    name: Annotated[str, typer.Option(help="What uses it, e.g. the EPR's name.")],
    permission: Annotated[
        list[str], typer.Option(help="A permission, e.g. service-users:read; repeat for more.")
    ],
    db: DatabaseOption = None,
) -> None:
    """Issue an API token; it is printed once and cannot be shown again."""
    with opened_database(db) as database:
        issued = issue_api_token(
            database.unit_of_work(),
            CONSOLE,
            organisation_code=organisation,
            name=name,
            permissions=permission,
        )
    view = issued.view
    stdout.print(
        f"token {view.id} for {view.organisation_code} ({view.name}): {', '.join(view.permissions)}"
    )
    stdout.print("Copy it now; infoshare keeps only its hash:")
    stdout.print(issued.token)


@token_app.command("list")
@handles_errors
def token_list_command(
    organisation: Annotated[str, typer.Option(help="The party, e.g. LTHT.")],
    db: DatabaseOption = None,
) -> None:
    """The party's tokens (never the secrets), newest first."""
    with opened_database(db) as database:
        tokens = list_api_tokens(database.unit_of_work(), CONSOLE, organisation)
    for view in tokens:
        state = f"revoked {view.revoked_at:%Y-%m-%d}" if view.revoked_at else "live"
        used = f"last used {view.last_used_at:%Y-%m-%d %H:%M}" if view.last_used_at else "unused"
        stdout.print(
            f"{view.id}  {view.prefix}…  {view.name}: {', '.join(view.permissions)}; "
            f"{state}; {used}"
        )
    if not tokens:
        stdout.print(f"{organisation} has no API tokens")


@token_app.command("revoke")
@handles_errors
def token_revoke_command(
    token_id: Annotated[uuid.UUID, typer.Argument(help="The token's id, from `token list`.")],
    db: DatabaseOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    with opened_database(db) as database:
        view = revoke_api_token(database.unit_of_work(), CONSOLE, token_id)
    stdout.print(f"revoked {view.id} ({view.name}, {view.organisation_code})")


def print_demo_accounts(url: str, environment: Environment) -> None:
    """Make the demo's sign-in accounts (development only) and print how to sign in as each."""
    if environment is Environment.PRODUCTION:
        stdout.print(
            "sign-in   no demo accounts: they are made only with INFOSHARE_ENVIRONMENT=development"
        )
        return
    database = open_database(url)
    try:
        accounts = create_demo_accounts(database, environment)
    finally:
        database.dispose()
    stdout.print(f"sign in as (development only; every demo password is {DEMO_PASSWORD}):")
    for account in accounts:
        stdout.print(f"  {account.organisation_code:<6} {account.role:<28} {account.email}")
        if account.totp_secret:
            stdout.print(
                f"        second factor: add key {account.totp_secret} to an "
                f"authenticator app, or {account.totp_uri}"
            )
    database = open_database(url)
    try:
        portal = create_demo_portal_account(database, environment)
    finally:
        database.dispose()
    if portal is not None:
        stdout.print(
            f"portal    {portal.name} (NHS number {portal.nhs_number}) signs in at /portal/sign-in "
            f"as {portal.email}, password {DEMO_PASSWORD}"
        )
