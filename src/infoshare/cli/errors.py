"""How the CLI shows infoshare's errors: one message on stderr and an exit code.

Exit 1: the input was wrong (a file, a field, a value), nothing was changed.
Exit 2: configuration is missing or unsafe.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from infoshare.errors import ConfigurationError, InfoshareError, PackError

P = ParamSpec("P")
R = TypeVar("R")

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_INPUT = 1
EXIT_CONFIGURATION = 2


def report(error: InfoshareError) -> int:
    """Print ``error`` for a person at a terminal; return the exit code it deserves."""
    if isinstance(error, PackError):
        for problem in error.problems:
            stderr.print(f"[red]error[/red]: {problem}", markup=True)
        stderr.print(f"{len(error.problems)} problem(s) found; nothing was changed")
        return EXIT_INPUT
    # A message that already names its field (``INFOSHARE_PORT: …``) is not prefixed again.
    named = error.field is None or error.message.startswith(error.field)
    where = "" if named else f" ({error.field})"
    stderr.print(f"[red]error[/red]{where}: {error.message}", markup=True)
    if isinstance(error, ConfigurationError):
        return EXIT_CONFIGURATION
    return EXIT_INPUT


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn infoshare's errors raised by ``command`` into a message and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except InfoshareError as error:
            raise typer.Exit(report(error)) from error

    return wrapper
