"""Logging set-up, called once from `bot.cli.main`, never at import."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token, whatever logged it (e.g. an exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("<token>", message)
            record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at `level`; keep libraries that log URLs (and so the token) quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
