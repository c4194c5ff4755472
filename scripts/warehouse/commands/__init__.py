"""The face of each `warehouse` command: `commands/<command>.py` holds its parser, its arguments and its exit
status, and calls the package that does the work (`build/`, `lint/`, `verify/`, `aws/copy.py`, ...).

Each module exposes `register(subparsers: Subparsers)`, which adds its subcommand and sets `func(args) -> int`
(cli.py lists the modules).
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol


class Subparsers(Protocol):
    """What `register` needs of argparse's subparsers object (`parser.add_subparsers()`)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...
