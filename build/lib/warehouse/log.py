"""One logging helper for the whole CLI."""

from __future__ import annotations

import logging
import sys

from rich.console import Console
from rich.logging import RichHandler

console = Console(stderr=True, highlight=False)


def setup(verbose: bool = False) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    handler = RichHandler(console=console, show_path=False, show_time=sys.stderr.isatty())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"warehouse.{name}")
