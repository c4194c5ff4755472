"""DuckDB on an S3 lake, offline: load httpfs from the duckdb-extension-httpfs wheel, then an S3 secret.

`INSTALL httpfs` would download the extension; `duckdb_extensions.import_extension` installs it from the
PyPI wheel instead, and `LOAD httpfs` then works without a network. The S3 secret is built from the
environment only:

- credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else boto3's default chain
  (profile, SSO, instance or task role), resolved once to temporary keys;
- region: AWS_REGION (or AWS_DEFAULT_REGION);
- endpoint: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (e.g. http://127.0.0.1:5000 for moto_server): its host
  and port, SSL from its scheme, path-style URLs (WAREHOUSE_S3_URL_STYLE=vhost to change).

Nothing is done (and nothing is imported) unless S3 is wanted: WAREHOUSE_LAKE_ROOT or WAREHOUSE_EXPORT_ROOT
is an s3:// URI, or WAREHOUSE_DUCKDB_S3=1. Plain local runs stay as they were.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from warehouse.aws.errors import AwsSettingsError

SECRET_NAME = "warehouse_s3"


def s3_wanted(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    roots = (env.get("WAREHOUSE_LAKE_ROOT", ""), env.get("WAREHOUSE_EXPORT_ROOT", ""))
    return any(root.startswith("s3://") for root in roots) or env.get("WAREHOUSE_DUCKDB_S3", "") == "1"


@dataclass(frozen=True)
class DuckDBS3Settings:
    region: str
    key_id: str
    secret: str = ""
    session_token: str = ""
    endpoint: str = ""  # host:port, empty for AWS's own endpoint
    use_ssl: bool = True
    url_style: str = "vhost"

    def __repr__(self) -> str:  # never print keys
        return f"DuckDBS3Settings(region={self.region!r}, endpoint={self.endpoint!r}, use_ssl={self.use_ssl})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DuckDBS3Settings:
        env = os.environ if environ is None else environ
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        key_id = env.get("AWS_ACCESS_KEY_ID", "")
        secret = env.get("AWS_SECRET_ACCESS_KEY", "")
        token = env.get("AWS_SESSION_TOKEN", "")
        if not (key_id and secret):
            key_id, secret, token = _default_chain_credentials()
        endpoint_url = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or ""
        endpoint, use_ssl, url_style = "", True, "vhost"
        if endpoint_url:
            parts = urlsplit(endpoint_url if "://" in endpoint_url else f"https://{endpoint_url}")
            if not parts.netloc:
                raise AwsSettingsError(f"AWS_ENDPOINT_URL {endpoint_url!r} is not a URL like http://127.0.0.1:5000")
            endpoint, use_ssl, url_style = parts.netloc, parts.scheme == "https", "path"
        url_style = env.get("WAREHOUSE_S3_URL_STYLE", url_style)
        if url_style not in {"path", "vhost"}:
            raise AwsSettingsError(f"WAREHOUSE_S3_URL_STYLE must be path or vhost, not {url_style!r}")
        return cls(region, key_id, secret, token, endpoint, use_ssl, url_style)

    def secret_sql(self) -> str:
        options = {
            "key_id": self.key_id,
            "secret": self.secret,
            "session_token": self.session_token,
            "region": self.region,
            "endpoint": self.endpoint,
            "url_style": self.url_style,
        }
        rendered = ["type s3", *(f"{key} {_literal(value)}" for key, value in options.items() if value)]
        rendered.append(f"use_ssl {'true' if self.use_ssl else 'false'}")
        return f"create or replace secret {SECRET_NAME} ({', '.join(rendered)})"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _default_chain_credentials() -> tuple[str, str, str]:
    import boto3  # only when the environment has no keys

    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise AwsSettingsError(
            "DuckDB needs S3 credentials for an s3:// lake: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE)"
        )
    frozen = credentials.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token or ""


def load_httpfs(con: Any) -> None:
    """Install httpfs from the duckdb-extension-httpfs wheel (no download) and load it."""
    try:
        import duckdb_extensions
    except ImportError:  # maybe installed in DuckDB's extension folder already; LOAD says if not
        duckdb_extensions = None
    if duckdb_extensions is not None:
        duckdb_extensions.import_extension("httpfs", con=con)
    try:
        con.execute("load httpfs")
    except Exception as exc:
        raise AwsSettingsError(
            f"DuckDB cannot load httpfs for s3:// paths ({exc}); install the duckdb-extension-httpfs wheel "
            "that matches duckdb (pip install -e .)"
        ) from exc


def configure_s3(con: Any, environ: Mapping[str, str] | None = None, force: bool = False) -> bool:
    """Make `con` read and write s3:// paths when S3 is wanted (or `force`); whether it did."""
    if not (force or s3_wanted(environ)):
        return False
    settings = DuckDBS3Settings.from_env(environ)
    load_httpfs(con)
    con.execute(settings.secret_sql())
    return True
