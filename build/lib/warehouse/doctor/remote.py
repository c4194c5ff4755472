"""Checks of the AWS side that need no network: where credentials would come from, deprecated names.
`connection_findings` (only with --check-connection) opens a TCP connection to REDSHIFT_HOST."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from pathlib import Path

from warehouse.doctor.findings import Finding
from warehouse.doctor.registry import ALIASES, SETTINGS, deprecation_notice, raw

Env = Mapping[str, str]


def credentials_findings(env: Env) -> list[Finding]:
    """Where boto3 (and DuckDB's S3 secret) would find credentials; secrets are never shown."""
    key, secret = raw(env, "AWS_ACCESS_KEY_ID"), raw(env, "AWS_SECRET_ACCESS_KEY")
    if bool(key) != bool(secret):
        return [Finding.problem("AWS credentials", "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")]
    if key:
        return [Finding.ok("AWS credentials", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set")]
    home = Path.home() / ".aws"
    files = [path for path in (home / "credentials", home / "config") if path.is_file()]
    if raw(env, "AWS_PROFILE") or files:
        profile = raw(env, "AWS_PROFILE") or SETTINGS["AWS_PROFILE"].default
        return [Finding.ok("AWS credentials", f"profile {profile} ({', '.join(map(str, files)) or 'no ~/.aws files'})")]
    return [
        Finding.warning(
            "AWS credentials",
            "none in the environment or ~/.aws: only an instance, task or SSO role can supply them",
        )
    ]


def alias_findings(env: Env) -> list[Finding]:
    return [
        Finding.warning(alias, deprecation_notice(alias))
        for alias, name in ALIASES.items()
        if env.get(alias, "").strip() and not (raw(env, name) and raw(env, name) != env[alias].strip())
    ]


def connection_findings(env: Env, timeout: float = 5.0) -> list[Finding]:
    host = raw(env, "REDSHIFT_HOST")
    if not host:
        return []
    port_text = raw(env, "REDSHIFT_PORT") or SETTINGS["REDSHIFT_PORT"].default
    if not port_text.isdigit():
        return []  # reported as an invalid setting
    port = int(port_text)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return [Finding.problem("REDSHIFT_HOST", f"cannot reach {host}:{port}: {exc}")]
    return [Finding.ok("REDSHIFT_HOST", f"{host}:{port} accepts connections")]
