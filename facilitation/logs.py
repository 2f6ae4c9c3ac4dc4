"""The server's log: one line per record on stderr, as text or as one JSON object a line
(`--log-format json`) for a log collector; a token, password or secret never appears in either."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

# `token=...` in URLs, `"facilitator_token": "..."` in payloads, `Authorization: Bearer ...`,
# passwords and secrets however written.
SECRET = re.compile(r"""((?:token|password|secret|key)["']?\s*[=:]\s*["']?|Bearer\s+)[^&\s"',;}]+""",
                    re.IGNORECASE)


def redact(text: str) -> str:
    """The text with every secret value replaced by [hidden]."""
    return SECRET.sub(r"\1[hidden]", text)


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name,
                 "message": redact(record.getMessage())}
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A record as a line of text, secrets hidden."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def announce(log_format: str, text: str, error: bool = False) -> None:
    """Tell the operator at the terminal (stdout, or stderr for an error); with the JSON format, a
    log record instead, so that every line of the stream is one JSON object."""
    if log_format == "json":
        logging.getLogger("idea_factory").log(logging.ERROR if error else logging.INFO, text)
    else:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)


def configure(log_format: str) -> None:
    """Send every log record of INFO and above to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # Set before the servers exist, so that they add no plain-text handler of their own (they do to
    # a logger left at NOTSET); errors only, as before. No access log line per request: at 10,000
    # phones long-polling, that is most of the server's work.
    for name in ("socketio.server", "engineio.server"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)
