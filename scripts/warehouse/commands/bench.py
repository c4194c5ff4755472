"""`warehouse bench`: measure the warehouse at a scale and write a report (docs/benchmarks.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from warehouse import log
from warehouse.bench.dbt_phase import BenchBuildError
from warehouse.bench.phases import BenchCodeChangedError, BenchOptions, run
from warehouse.commands import Subparsers, argument_type
from warehouse.config import Settings
from warehouse.generate.errors import GenerateError
from warehouse.generate.scales import SCALES, parse_scale

logger = log.get("bench")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark build, incremental build, queries, storage and export at a scale",
        description="Generate a lake at SCALE, measure the raw-scan floor, a full `dbt build`, raw lake vs "
        "native queries, storage, the daily export and the executive YoY query, then append new orders and a "
        "day of inventory change events and "
        "measure an incremental build. Writes <data dir>/bench/<timestamp>/report.json, report.md, plots/ and "
        "plans/.",
    )
    parser.add_argument(
        "--scale",
        type=argument_type(parse_scale, "scale"),
        default=SCALES["default"],
        metavar="SCALE",
        help=f"{', '.join(SCALES)}, or a number of online orders (default: default)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (default: 3)")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (default: 42)")
    parser.add_argument("--append", type=float, default=0.01, help="new orders as a share of the scale (0.01)")
    parser.add_argument("--out", type=Path, default=None, help="report root (default: <data dir>/bench)")
    parser.add_argument("--work-dir", type=Path, default=None, help="lake and warehouse (default: <out>/work-SCALE)")
    parser.add_argument("--reuse-lake", action="store_true", help="keep a lake of the same scale and seed")
    parser.add_argument(
        "--verify-incremental",
        action="store_true",
        help="after the incremental build, a full refresh; the report says whether gold is identical",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    options = BenchOptions(
        scale=args.scale,
        repeat=max(1, args.repeat),
        seed=args.seed,
        append_fraction=args.append,
        out_root=(args.out or settings.data_dir / "bench").resolve(),
        work_dir=args.work_dir,
        reuse_lake=args.reuse_lake,
        verify_incremental=args.verify_incremental,
        progress=not args.no_progress and log.console.is_terminal,
    )
    try:
        report_dir = run(options)
    except (BenchBuildError, BenchCodeChangedError, GenerateError) as exc:
        logger.error("%s", exc)
        return 1
    print(report_dir / "report.md")
    return 0
