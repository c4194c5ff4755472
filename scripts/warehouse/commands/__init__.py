"""The face of each `warehouse` command: `commands/<command>.py` holds its parser, its arguments and its exit
status, and calls the package that does the work (`build/`, `lint/`, `verify/`, `aws/copy.py`, ...).

Each module exposes `register(subparsers: Subparsers)`, which adds its subcommand and sets `func(args) -> int`
(cli.py lists the modules).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Subparsers(Protocol):
    """What `register` needs of argparse's subparsers object (`parser.add_subparsers()`)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def argument_type(parse: Callable[[str], T], metavar: str) -> Callable[[str], T]:
    """Turn a parser's ValueError into argparse's usage error (exit code 2) with the parser's message."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = metavar
    return convert
