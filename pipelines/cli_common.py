"""What every `sqd` command shares: exit codes, the --config option, the consoles and loading the configuration.

A module of its own because pipelines/cli.py runs as __main__ (`python -m pipelines.cli`), so the commands it
registers from other modules (pipelines/cli_check.py) cannot import these from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from pipelines.config import Config, ConfigError, load_config

EXIT_OK, EXIT_QUARANTINE, EXIT_REFUSED, EXIT_ERROR = 0, 3, 2, 1
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (default: ./sqd.toml).")]
console = Console()
err = Console(stderr=True)
MESSAGE_SHOWN = 2000        # characters of a message printed at most


def plain(message: object, limit: int = MESSAGE_SHOWN) -> Text:
    """Text from data or users as a Rich Text: never read as markup ("[red]" stays literal), at most `limit`
    characters (Rich lays out a 180 kB parser error for minutes)."""
    text = str(message)
    return Text(text if len(text) <= limit else text[: limit - 16] + " ... (truncated)")


def say(to: Console, label: str, message: object, style: str = "red") -> None:
    """`label: message`, the label styled, the message printed as is (plain) and not wrapped by Rich: a one-line
    message stays one line (a path in it can be copied), the terminal folds it."""
    line = Text(f"{label}", style=style)
    if label:
        line.append(" ")
    line.append(plain(message))
    to.print(line, highlight=False, soft_wrap=True)


def load_or_exit(config: Path | None) -> Config:
    """The configuration, or a one-line error and exit code 1."""
    try:
        return load_config(config)
    except ConfigError as exc:
        say(err, "configuration error:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
