"""What the AWS subcommands share: error reporting, the Data API runner, tables and progress on stderr."""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from warehouse import log, sql_quoting
from warehouse.aws.clients import client
from warehouse.aws.data_api import DataApiRunner, StatementResult
from warehouse.aws.errors import AwsCommandError, AwsSettingsError
from warehouse.aws.settings import AwsSettings, DataApiSettings, RedshiftTarget
from warehouse.doctor.registry import Use
from warehouse.doctor.requirements import NO_FLAGS, Flags, SettingsError, require

logger = log.get("aws")
Command = Callable[[argparse.Namespace], int]


def reports_errors(command: Command) -> Command:
    """Turn the named errors (and boto's credential errors) into one clear log line and exit status 1."""

    @functools.wraps(command)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except AwsCommandError as exc:  # StatementFailedError included: its message has Redshift's text
            logger.error("%s", exc)
            return 1
        except NoCredentialsError:
            logger.error(
                "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "
                "where an instance or task role is available"
            )
            return 1
        except NoRegionError:
            logger.error("no AWS region: set AWS_REGION")
            return 1
        except (ClientError, BotoCoreError) as exc:
            logger.error("AWS call failed: %s", exc)
            return 1

    return wrapper


def require_settings(use: Use, flags: Flags = NO_FLAGS) -> None:
    """Stop before any AWS call, naming every setting `use` lacks at once (warehouse.doctor.requirements)."""
    try:
        require(use, os.environ, flags)
    except SettingsError as exc:
        raise AwsSettingsError(str(exc)) from None


def make_runner(settings: AwsSettings, target: RedshiftTarget | None = None, name: str = "warehouse") -> DataApiRunner:
    return DataApiRunner(
        client("redshift-data", settings),
        target or RedshiftTarget.from_env(),
        DataApiSettings.from_env(),
        statement_name=f"globalretail-{name}",
    )


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], out: Console | None = None) -> None:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    (out or stdout()).print(table)


def print_result(title: str, result: StatementResult, out: Console | None = None) -> None:
    if not result.rows:
        (out or stdout()).print(f"{title}: no rows")
        return
    print_table(title, result.columns, result.rows, out)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; `advance(n)` either way."""
    if not log.console.is_terminal:
        yield lambda _n: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=log.console,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def quote_literal(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return sql_quoting.quote_literal(value)


def quote_ident(name: str) -> str:
    """A quoted SQL identifier; `schema.table` quotes each part. An AWS command reports a bad one (exit 1)."""
    try:
        return sql_quoting.quote_ident(name)
    except sql_quoting.InvalidIdentifierError as exc:
        raise AwsCommandError(str(exc)) from None
