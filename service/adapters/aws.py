"""boto3 clients with bounded retries and short timeouts, built when asked for."""

from __future__ import annotations

from typing import Any

from service.config import Settings

# Default retry mode spent 26 s on one throttled DynamoDB call; a request must fail fast instead. Standard mode
# sleeps up to min(2**i, 20) s (jittered) after the i-th throttled try: 3 tries in all wait at most 1 + 2 = 3 s
# before giving up (4 would wait up to 7 s; botocore's `max_attempts` counts retries only, so it said 5 tries).
# What remains becomes `Unavailable`, a 503 with Retry-After.
RETRIES = {"mode": "standard", "total_max_attempts": 3}
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 5
# The local run's in-process emulator shares the machine's CPU: a big Scan can take seconds, and it never throttles.
EMULATOR_READ_TIMEOUT = 60


def client(service: str, settings: Settings) -> Any:
    """A boto3 client for `service`, pointed at the local emulator when one is configured."""
    import boto3
    from botocore.config import Config

    config = Config(
        retries=dict(RETRIES),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT if settings.endpoint_url is None else EMULATOR_READ_TIMEOUT,
        region_name=settings.region,
    )
    return boto3.session.Session().client(service, endpoint_url=settings.endpoint_url, config=config)
