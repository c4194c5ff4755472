"""boto3 clients with an optional endpoint, so tests and local runs can point at a server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from warehouse.aws.settings import AwsSettings

# Standard retry mode retries throttling and transient errors with backoff; the Data API runner adds its
# own retries for Redshift's serialization conflicts, which are statement failures, not API errors.
_CONFIG = Config(retries={"max_attempts": 8, "mode": "standard"}, user_agent_extra="globalretail-warehouse")


def client(service: str, settings: AwsSettings, region: str | None = None) -> Any:
    """A boto3 client for `service` in `region` (default: the settings' region).

    `settings.endpoint_url` (AWS_ENDPOINT_URL) overrides the endpoint of every service; without it boto3
    also honours AWS_ENDPOINT_URL_<SERVICE>. Credentials come from boto3's default chain.
    """
    kwargs: dict[str, Any] = {"region_name": region or settings.region, "config": _CONFIG}
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    return boto3.client(service, **kwargs)  # type: ignore[call-overload]
