"""Where log lines go: JSON with a correlation id in Lambda (Powertools), readable lines on the local console.

Every module logs through `logging.getLogger(__name__)`, so everything we log sits under the `service`
logger; each entrypoint decides once how that logger writes.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

SERVICE = "review-cycles"
APP_LOGGER = "service"  # the parent of every module's logger
LOCAL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Stdout:
    """Standard output as it is at each write (the Lambda runtime's, or a test's capture installed later)."""

    def write(self, text: str) -> int:
        """Write to the current standard output."""
        return sys.stdout.write(text)

    def flush(self) -> None:
        """Flush the current standard output."""
        sys.stdout.flush()


def lambda_logger() -> Any:
    """The function's Powertools logger: JSON lines on stdout, and every `service.*` logger writes through it.

    Imports Powertools, so entrypoints call it on their first invocation, not when their module is imported.
    """
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE), stream=_Stdout())
    logging.getLogger(APP_LOGGER)  # registered, so that the copy below reaches it (and so every module under it)
    copy_config_to_registered_loggers(source_logger=logger, include={APP_LOGGER})
    return logger


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
