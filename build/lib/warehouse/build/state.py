"""Production's dbt state for slim CI: where `warehouse build --publish-state` puts the manifest of a
successful build, and where `warehouse build --changed --state` reads it (docs/slim-ci.md).

A location is a folder or an `s3://bucket/prefix` URI; the manifest is `<location>/manifest.json`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from warehouse.aws.clients import client
from warehouse.aws.lake import LakeListingError, S3Uri
from warehouse.aws.settings import AwsSettings

MANIFEST = "manifest.json"


class StateError(Exception):
    """The state location holds no manifest, or cannot be read or written."""


def _manifest_key(location: str) -> S3Uri:
    try:
        folder = S3Uri.parse(location).folder()
    except LakeListingError as exc:
        raise StateError(str(exc)) from None
    return S3Uri(folder.bucket, folder.key + MANIFEST)


def fetch_state(location: str) -> Path:
    """A local folder holding production's manifest.json (downloaded first from an s3:// location)."""
    if not location.startswith("s3://"):
        folder = Path(location).expanduser().resolve()
        if not (folder / MANIFEST).is_file():
            raise StateError(f"{folder}: no {MANIFEST} (the state is the folder a production build published)")
        return folder
    key = _manifest_key(location)
    folder = Path(tempfile.mkdtemp(prefix="warehouse-state-"))
    s3 = client("s3", AwsSettings.from_env())
    try:
        s3.download_file(key.bucket, key.key, str(folder / MANIFEST))
    except Exception as exc:  # botocore raises ClientError and others; name the object either way
        shutil.rmtree(folder, ignore_errors=True)
        raise StateError(f"{key}: cannot read production's manifest ({exc})") from None
    return folder


def publish_state(manifest: Path, location: str) -> str:
    """Copy a build's manifest.json to `location`; the place it was written."""
    if not manifest.is_file():
        raise StateError(f"{manifest}: the build wrote no manifest to publish")
    if not location.startswith("s3://"):
        folder = Path(location).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        written = folder / MANIFEST
        temporary = folder / f".{MANIFEST}.tmp"
        shutil.copyfile(manifest, temporary)
        temporary.replace(written)  # a reader never sees half a manifest
        return str(written)
    key = _manifest_key(location)
    client("s3", AwsSettings.from_env()).upload_file(str(manifest), key.bucket, key.key)
    return str(key)
