"""The ``infoshare`` command: Typer sub-commands that call services and print results."""
