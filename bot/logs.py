"""Logging set-up, called once from `bot.cli.main`, never at import."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")


class RedactingFormatter(logging.Formatter):
    """Replace anything shaped like a bot token in the whole formatted record.

    Redacting the formatted text (message, arguments, traceback and exception text alike) is
    the one place that catches a token however it got into a log line.
    """

    def format(self, record: logging.LogRecord) -> str:
        return _TOKEN.sub("<token>", super().format(record))


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at `level`; keep libraries that log URLs (and so the token) quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
