"""The ``infoshare`` command line. Each sub-command lives in a module of its own."""

from __future__ import annotations

import typer

from infoshare.cli.account import account_app, token_app
from infoshare.cli.consent import consent_app
from infoshare.cli.contacts import contacts_command
from infoshare.cli.db import db_app
from infoshare.cli.decide import decide_command
from infoshare.cli.demo import demo_command
from infoshare.cli.init import init_command
from infoshare.cli.isa import isa_app
from infoshare.cli.ledger import ledger_app
from infoshare.cli.pack import pack_app
from infoshare.cli.serve import serve_command

app = typer.Typer(
    name="infoshare",
    help="Share personal information between partners lawfully, on a need-to-know basis, provably.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """infoshare: an inter-agency information-sharing protocol, made into a system."""


app.add_typer(pack_app, name="pack")
app.command("init")(init_command)
app.add_typer(db_app, name="db")
app.command("demo")(demo_command)
app.add_typer(isa_app, name="isa")
app.command("contacts")(contacts_command)
app.add_typer(ledger_app, name="ledger")
app.add_typer(consent_app, name="consent")
app.add_typer(account_app, name="account")
app.add_typer(token_app, name="token")
app.command("serve")(serve_command)
app.command("decide")(decide_command)
