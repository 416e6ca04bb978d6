"""AWS clients with bounded retries and short timeouts, built when asked for, from one session per process."""

from __future__ import annotations

import functools
import threading
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
    """A botocore client for `service`, pointed at the local emulator when one is configured.

    Every client of a process comes from one botocore session: a session loads the endpoint rules, the retry and
    default configuration and the credentials once, where a session per client loads them again for each (about
    50 ms of a cold start's CPU for its second client). boto3 adds nothing the functions use to a client and costs
    its import; S3 transfers (local_exports) call boto3's transfer functions on the client themselves."""
    from botocore.config import Config

    config = Config(
        retries=dict(RETRIES),
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT if settings.endpoint_url is None else EMULATOR_READ_TIMEOUT,
        region_name=settings.region,
    )
    return made(service, settings.endpoint_url, config)


def made(service: str, endpoint_url: str | None, config: Any) -> Any:
    """A client of the process's botocore session with this endpoint and botocore `Config`."""
    with _SESSION_LOCK:  # a botocore session is not safe across threads; the clients it makes are
        return _session().create_client(service, endpoint_url=endpoint_url, config=config)


_SESSION_LOCK = threading.Lock()


@functools.cache
def _session() -> Any:
    """The process's one botocore session, made by its first client (under `_SESSION_LOCK`)."""
    import botocore.session

    return botocore.session.get_session()


# Error codes AWS services answer when they are busy or failing on their side (a later retry may succeed), as
# opposed to "your request is wrong" or "you may not". DynamoDB's own list lives in dynamo.py.
OUTAGE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServiceError",
        "InternalServiceErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def is_outage(exc: BaseException) -> bool:
    """True when an AWS call failed because the service was unreachable, slow, throttling or failing (5xx).

    These are what botocore's retries gave up on; anything else (access denied, a missing resource, a refused
    message) is an answer from a reachable service."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError

    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return exc.response.get("Error", {}).get("Code") in OUTAGE_CODES or status >= 500
    return isinstance(exc, (HTTPClientError, BotocoreConnectionError))  # timeouts, endpoint unreachable


def reason(exc: BaseException) -> str:
    """Why an AWS call failed, in a word (its error code, or the transport error's class): for logs and /healthz."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Code"):
        return str(response["Error"]["Code"])
    return type(exc).__name__
