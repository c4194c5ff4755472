"""`warehouse generate`: write the synthetic lake (docs/lake.md) to a local folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TypeVar

from warehouse import log
from warehouse.commands import Subparsers, argument_type
from warehouse.config import ConfigError, Settings
from warehouse.generate.errors import GenerateError
from warehouse.generate.generator import DATASET_NAMES, generate_lake, parse_datasets
from warehouse.generate.scales import SCALES, parse_scale

T = TypeVar("T")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write the synthetic data lake",
        description="Write the synthetic GlobalRetail lake (raw/<dataset>/dt=.../part-NNNN.<ext>) and its "
        "manifest (_manifest/generation.json). Same scale and seed give byte-identical files.",
    )
    parser.add_argument(
        "--scale",
        type=argument_type(parse_scale, "scale"),
        default=SCALES["default"],
        metavar="SCALE",
        help=f"{', '.join(SCALES)}, or a number of online orders (default: default)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument(
        "--lake-root",
        type=str,
        default=None,
        help="local folder of the lake (default: $WAREHOUSE_LAKE_ROOT or $WAREHOUSE_DATA_DIR/lake)",
    )
    parser.add_argument(
        "--datasets",
        type=argument_type(parse_datasets, "datasets"),
        default=DATASET_NAMES,
        metavar="LIST",
        help=f"comma-separated datasets to write (default: all of {','.join(DATASET_NAMES)})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root: str = args.lake_root if args.lake_root is not None else Settings.from_env().lake_root
    if "://" in root:
        raise ConfigError(
            f"the lake root is {root!r}, but generate writes to a local folder: pass --lake-root DIR "
            "(and copy the folder to the bucket), or unset WAREHOUSE_LAKE_ROOT"
        )
    lake_root = Path(root)
    try:
        manifest = generate_lake(lake_root, args.scale, args.seed, datasets=args.datasets, show_progress=True)
    except GenerateError as exc:
        log.get("generate").error("%s", exc)
        return 1
    total = sum(entry.raw_records for entry in manifest.datasets.values())
    log.get("generate").info("%s records in %d datasets", f"{total:,}", len(manifest.datasets))
    return 0
