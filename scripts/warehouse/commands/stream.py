"""`warehouse stream`: produce a stream to Kinesis or to local micro-batch files, and validate one.

warehouse stream produce --stream inventory_cdc [--scale tiny --seed 42] [--kinesis NAME --endpoint-url URL]
warehouse stream produce --stream web_events --from-lake --kinesis NAME
warehouse stream validate [--stream inventory_cdc]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from warehouse import log
from warehouse.commands import Subparsers
from warehouse.config import ConfigError, Settings
from warehouse.generate import inventory_cdc, lookups, reference, sql, warehouses, web_events
from warehouse.generate.append import lake_generation, read_manifest
from warehouse.generate.errors import GenerateError
from warehouse.generate.lake_manifest import MANIFEST_PATH
from warehouse.generate.scales import SCALES, Scale, parse_scale
from warehouse.stream import validator
from warehouse.stream.producer import (
    KinesisProducer,
    ProducerError,
    RetryPolicy,
    ensure_stream,
    envelope_records,
    kinesis_client,
    lake_records,
)

logger = log.get("stream")

STREAMS = (inventory_cdc.STREAM, web_events.STREAM)


def _scale(text: str) -> Scale:
    try:
        return parse_scale(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def generated_stream(scale: Scale, seed: int) -> inventory_cdc.StreamRecords:
    """The inventory change stream exactly as `warehouse generate` writes it for this scale and seed."""
    con = sql.connect(seed)
    try:
        lookups.load(con, lookups.read_country_regions())
        reference.build(con, scale)
        warehouses.build(con, scale)
        return inventory_cdc.stream_records(con, scale)
    finally:
        con.close()


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("stream", help="produce a stream to Kinesis or local micro-batches; validate")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    produce = actions.add_parser(
        "produce",
        help="send a stream's records to Kinesis (PutRecords, retries) or write them as local micro-batches",
        description="Generate the inventory change stream (or read a stream's micro-batches from the lake with "
        "--from-lake) and put it on a Kinesis data stream with --kinesis, or write the micro-batch files to "
        "<lake root>/stream/<stream>/ without it.",
    )
    produce.add_argument("--stream", choices=STREAMS, default=inventory_cdc.STREAM)
    produce.add_argument(
        "--scale",
        type=_scale,
        default=None,
        metavar="SCALE",
        help="generation scale (default: the lake's own, from its manifest; tiny without a lake)",
    )
    produce.add_argument("--seed", type=int, default=None, help="random seed (default: the lake's own; 42)")
    produce.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the lake's existing micro-batches of the stream (without it, existing ones are never touched)",
    )
    produce.add_argument("--from-lake", action="store_true", help="replay the micro-batch files already in the lake")
    produce.add_argument("--lake-root", default=None, help="local lake root (default: $WAREHOUSE_LAKE_ROOT)")
    produce.add_argument("--kinesis", metavar="STREAM_NAME", default=None, help="Kinesis data stream to put to")
    produce.add_argument("--endpoint-url", default=None, help="Kinesis endpoint (moto, LocalStack)")
    produce.add_argument("--region", default=None, help="AWS region (default: $AWS_REGION or us-east-1)")
    produce.add_argument(
        "--create-stream",
        type=int,
        default=0,
        metavar="SHARDS",
        help="create the Kinesis stream with this many shards if it does not exist",
    )
    produce.add_argument("--limit", type=int, default=None, help="send at most this many records")
    produce.add_argument("--max-attempts", type=int, default=8, help="PutRecords attempts per request (default 8)")
    produce.set_defaults(func=_produce)

    check = actions.add_parser(
        "validate",
        help="run the Lambda-style validator over the local inventory stream and count the results",
        description="Validate, deduplicate and standardise every record of <lake root>/stream/inventory_cdc/ "
        "with warehouse.stream.validator (the rules of bronze's stg_inventory__cdc_events_typed).",
    )
    check.add_argument("--lake-root", default=None, help="local lake root (default: $WAREHOUSE_LAKE_ROOT)")
    check.set_defaults(func=_validate)


def _lake_root(argument: str | None) -> Path:
    root = argument if argument is not None else Settings.from_env().lake_root
    if "://" in root:
        raise ConfigError(f"the lake root is {root!r}: pass a local folder with --lake-root")
    return Path(root)


def _scale_and_seed(lake_root: Path, scale: Scale | None, seed: int | None) -> tuple[Scale, int]:
    """The scale and seed to generate with: as given, else the lake's own (its generation manifest), so the
    stream matches the lake's warehouses and catalog; tiny and 42 only when there is no lake."""
    if (lake_root / MANIFEST_PATH).is_file():
        try:
            lake_scale, lake_seed = lake_generation(lake_root, read_manifest(lake_root))
        except GenerateError as exc:
            raise ConfigError(str(exc)) from None
        if (scale is not None and scale.name != lake_scale.name) or (seed is not None and seed != lake_seed):
            logger.warning(
                "the lake at %s was generated at scale %s, seed %s; producing with scale %s, seed %s",
                lake_root,
                lake_scale.name,
                lake_seed,
                (scale or lake_scale).name,
                seed if seed is not None else lake_seed,
            )
        return scale or lake_scale, lake_seed if seed is None else seed
    return scale or SCALES["tiny"], 42 if seed is None else seed


def _produce(args: argparse.Namespace) -> int:
    lake_root = _lake_root(args.lake_root)
    if args.stream != inventory_cdc.STREAM and not args.from_lake:
        raise ConfigError(f"--stream {args.stream} can only be replayed from the lake: add --from-lake")
    if args.from_lake:
        records = list(lake_records(lake_root / "stream" / args.stream))
        if not records:
            raise ConfigError(f"no micro-batch files under {lake_root / 'stream' / args.stream}")
        source = f"{len(records):,} records from {lake_root / 'stream' / args.stream}"
    else:
        scale, seed = _scale_and_seed(lake_root, args.scale, args.seed)
        generated = generated_stream(scale, seed)
        if args.kinesis is None:
            folder = inventory_cdc.stream_dir(lake_root)
            if not args.overwrite and folder.is_dir() and any(folder.rglob("*.ndjson")):
                raise ConfigError(
                    f"{folder} already holds micro-batches: writing would delete them and the next incremental "
                    "build would see a different stream. Add --overwrite to replace them on purpose, or "
                    "--kinesis NAME to send the stream to Kinesis instead"
                )
            files, written = inventory_cdc.write_batches(inventory_cdc.stream_dir(lake_root), generated)
            logger.info(
                "%s: %d micro-batches, %s records, %.1f MB under %s",
                args.stream,
                files,
                f"{len(generated.line):,}",
                written / 1e6,
                inventory_cdc.stream_dir(lake_root),
            )
            return 0
        records = list(envelope_records(generated.line))
        source = f"{len(records):,} generated records ({scale.name}, seed {seed})"
    if args.limit is not None:
        records = records[: args.limit]
    if args.kinesis is None:
        logger.error("--from-lake replays to Kinesis: add --kinesis STREAM_NAME")
        return 2
    client = kinesis_client(args.region, args.endpoint_url)
    if args.create_stream and ensure_stream(client, args.kinesis, args.create_stream):
        logger.info("created Kinesis stream %s with %d shards", args.kinesis, args.create_stream)
    producer = KinesisProducer(client, args.kinesis, RetryPolicy(max_attempts=args.max_attempts))
    try:
        report = producer.put(records)
    except ProducerError as exc:
        logger.error("%s", exc)
        return 1
    logger.info(
        "%s -> %s: %s records in %d requests, %d records retried, shards %s",
        source,
        args.kinesis,
        f"{report.records:,}",
        report.requests,
        report.retried_records,
        dict(sorted(report.shards.items())),
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    folder = inventory_cdc.stream_dir(_lake_root(args.lake_root))
    records = [validator.KinesisRecord(data=r.data, partition_key=r.partition_key) for r in lake_records(folder)]
    if not records:
        raise ConfigError(f"no micro-batch files under {folder}")
    result = validator.validate(records)
    reasons = Counter(record.reason for record in result.invalid)
    print(f"records     {len(records):>9,}")
    print(f"valid       {len(result.valid):>9,}")
    print(f"duplicates  {result.duplicates:>9,}")
    print(f"invalid     {len(result.invalid):>9,}")
    for reason, count in sorted(reasons.items()):
        print(f"  {reason:<28} {count:>6,}")
    return 0
