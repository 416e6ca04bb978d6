"""Where log lines go: JSON with a correlation id in Lambda, readable lines on the local console.

Every module logs through `logging.getLogger(__name__)`, so everything we log sits under the `service`
logger; each entrypoint decides once how that logger writes. In Lambda that is `LambdaLog`: one JSON object per
line on stdout, with the standard library's logging only (a logging library costs a cold start tens of ms).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

SERVICE = "review-cycles"
APP_LOGGER = "service"  # the parent of every module's logger
LOCAL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVEL_VARIABLES = ("LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL")  # an operator's, then the one Lambda sets from LoggingConfig
LAMBDA_LEVELS = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}  # Lambda's names that Python spells apart
# What every LogRecord carries; anything else on a record came in `extra=` and is written as a key of its own.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class _Stdout:
    """Standard output as it is at each write (the Lambda runtime's, or a test's capture installed later)."""

    def write(self, text: str) -> int:
        """Write to the current standard output."""
        return sys.stdout.write(text)

    def flush(self) -> None:
        """Flush the current standard output."""
        sys.stdout.flush()


class JsonLines(logging.Formatter):
    """One JSON object per record: level, message, time, the service, the invocation's keys (`keys`), which module
    logged, the record's `extra=` keys and any exception. The function's name, ARN and memory are not repeated on
    every line: the log group names the function and its REPORT line the memory (issue 24, log bytes)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self.keys: dict[str, Any] = {}

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))
            + f",{int(record.msecs):03d}+0000",
            "service": self.service,
            **{k: v for k, v in self.keys.items() if v is not None},
        }
        trace = _trace_root()
        if trace:
            line["xray_trace_id"] = trace
        line["name"] = record.name
        line.update((k, v) for k, v in record.__dict__.items() if k not in _RECORD_FIELDS)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = self.formatException(record.exc_info)
            line["exception_name"] = record.exc_info[0].__name__
        return json.dumps(line, default=str, separators=(",", ":"), ensure_ascii=False)


def _trace_root() -> str | None:
    """The X-Ray trace of this invocation (Lambda sets `_X_AMZN_TRACE_ID` before each one)."""
    header = os.environ.get("_X_AMZN_TRACE_ID", "")
    for part in header.split(";"):
        name, _, value = part.partition("=")
        if name == "Root":
            return value
    return None


class LambdaLog:
    """The function's logging: every `service.*` logger writes JSON lines (`JsonLines`) on stdout, each tagged with
    the invocation it belongs to (`begin`) and its correlation id (`set_correlation_id`)."""

    def __init__(self) -> None:
        self.formatter = JsonLines(SERVICE)
        handler = logging.StreamHandler(_Stdout())
        handler.setFormatter(self.formatter)
        app = logging.getLogger(APP_LOGGER)
        app.handlers = [handler]
        app.setLevel(log_level(os.environ))
        app.propagate = False  # the Lambda runtime's root handler would write each line a second time
        self.cold = True

    def begin(self, context: Any) -> None:
        """A new invocation: the keys of the last one are dropped."""
        self.formatter.keys = {"cold_start": self.cold, "function_request_id": getattr(context, "aws_request_id", None)}
        self.cold = False

    def set_correlation_id(self, value: str | None) -> None:
        """Tag the lines from here on with `value` (an API request id, an SQS message id, a scheduler event id)."""
        self.formatter.keys["correlation_id"] = value


def log_level(env: Any) -> str:
    """The level asked for in the environment (`LEVEL_VARIABLES`); INFO when none is, or when a name is unknown
    (a typo in the configuration must not stop the function)."""
    for variable in LEVEL_VARIABLES:
        name = (env.get(variable) or "").strip().upper()
        name = LAMBDA_LEVELS.get(name, name)
        if name in logging.getLevelNamesMapping():
            return name
    return "INFO"


def lambda_logger() -> LambdaLog:
    """The function's JSON logging; entrypoints set it up on their first invocation."""
    return LambdaLog()


class _LocalFormatter(logging.Formatter):
    """Time, level and origin before each message; the local run's own lines (request log, status) as they are."""

    def __init__(self) -> None:
        super().__init__(LOCAL_FORMAT, datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith("service.local"):
            return record.getMessage()
        return super().format(record)


def configure_local_logging(level: int = logging.INFO) -> None:
    """The local run: our modules' messages as readable lines on stderr (never JSON); other libraries' warnings."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_LocalFormatter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    logging.getLogger(APP_LOGGER).setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every AWS call there
