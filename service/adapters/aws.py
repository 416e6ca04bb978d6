"""boto3 clients with bounded retries and short timeouts, built when asked for."""

from __future__ import annotations

from typing import Any

from service.config import Settings

# Default retry mode spent 26 s on one throttled DynamoDB call; a request must fail fast instead.
RETRIES = {"mode": "standard", "max_attempts": 4}
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 5


def client(service: str, settings: Settings) -> Any:
    """A boto3 client for `service`, pointed at the local emulator when one is configured."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries=dict(RETRIES),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        region_name=settings.region,
    )
    return boto3.session.Session().client(service, endpoint_url=settings.endpoint_url, config=config)
