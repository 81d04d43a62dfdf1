"""What every `sqd` command shares: exit codes, the --config option, the consoles and loading the configuration.

A module of its own because pipelines/cli.py runs as __main__ (`python -m pipelines.cli`), so the commands it
registers from other modules (pipelines/cli_check.py) cannot import these from it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from pipelines.config import Config, ConfigError, load_config


def _plain_parameters() -> None:
    """Typer (0.29) converts every parameter's value, even an option left at its default, through a pydantic
    TypeAdapter it builds on first use: importing pydantic and building the adapters was 0.13 of the 0.39
    CPU-seconds of `sqd status` (docs/performance.md "CLI start"). Our parameters are str, int, float, bool and
    Path (or None, or a list of one of them), so those are converted here the way click does, with the same
    checks (min and max); anything else (an enum, a date, a file, a path that must exist, a parser, a clamp)
    still goes through typer's own. Does nothing if this typer has no such hook (an older or newer typer keeps its own path)."""
    try:
        from typer import core
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:  # pragma: no cover - another typer
        return
    own = getattr(core, "build_runtime_param", None)
    if own is None or getattr(own, "sqd_plain", False):
        return
    import types
    import typing
    from dataclasses import dataclass

    names = {str: "text", int: "integer", float: "float", Path: "path", bool: "boolean"}
    truth = {"1": True, "true": True, "t": True, "yes": True, "y": True, "on": True,
             "0": False, "false": False, "f": False, "no": False, "n": False, "off": False}

    def plain_type(annotation) -> tuple[type, bool] | None:
        """(element type, is a list) for str / int / float / bool / Path, optionally | None or list[...]."""
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None
            annotation = args[0]
        many = typing.get_origin(annotation) is list
        if many:
            args = typing.get_args(annotation)
            annotation = args[0] if len(args) == 1 else None
        return (annotation, many) if annotation in names else None

    def untouched(info) -> bool:
        return (info.parser is None and not info.clamp and not getattr(info, "exists", False)
                and getattr(info, "file_okay", True) and getattr(info, "dir_okay", True)
                and not getattr(info, "writable", False) and not getattr(info, "resolve_path", False)
                and not getattr(info, "allow_dash", False) and getattr(info, "path_type", None) is None)

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        kind: type = str
        many: bool = False

        def _one(self, value, param, ctx):
            if self.kind is bool:
                out = value if isinstance(value, bool) else truth.get(str(value).strip().lower())
                if out is None:
                    raise BadParameter(f"{value!r} is not a valid {names[bool]}.", ctx=ctx, param=param)
                return out
            if isinstance(value, self.kind) and not isinstance(value, bool):
                out = value
            else:
                try:
                    out = self.kind(value)
                except (TypeError, ValueError):
                    raise BadParameter(f"{value!r} is not a valid {names[self.kind]}.", ctx=ctx,
                                       param=param) from None
            low, high = self.parameter_info.min, self.parameter_info.max
            if (low is not None and out < low) or (high is not None and out > high):
                bounds = " and ".join(x for x in (f"x>={low}" if low is not None else "",
                                                  f"x<={high}" if high is not None else "") if x)
                raise BadParameter(f"{out} is not in the range {bounds}.", ctx=ctx, param=param)
            return out

        def _coerce_value(self, value, param, ctx):
            if self.many:
                return [self._one(v, param, ctx) for v in (value if isinstance(value, list | tuple) else [value])]
            return self._one(value, param, ctx)

    def build(descriptor):
        found = plain_type(descriptor.annotation)
        if found is None or descriptor.file_annotation is not None or not untouched(descriptor.parameter_info):
            return own(descriptor)
        return PlainParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                          kind=found[0], many=found[1])

    build.sqd_plain = True
    core.build_runtime_param = build


_plain_parameters()

EXIT_OK, EXIT_QUARANTINE, EXIT_REFUSED, EXIT_ERROR = 0, 3, 2, 1
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (default: ./sqd.toml).")]
# Output to a file or a pipe (a scheduler's log, `sqd check | tee`) is as wide as the tables need, up to 200
# columns: Rich would otherwise assume 80 there and cut the cells that say what went wrong. COLUMNS still wins.
PIPED_WIDTH = 200
console = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPED_WIDTH)
err = Console(stderr=True, width=None if sys.stderr.isatty() or os.environ.get("COLUMNS") else PIPED_WIDTH)
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
