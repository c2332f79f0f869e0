"""One JSON object a line for the server's logs, for a log collector to parse.

The fields are the time (UTC, ISO 8601), the level, the logger and the
message. The server's own messages never hold a token or record text (see
app.py); uvicorn's access lines hold the method, path and status only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """time, level, logger and message (and the exception's type, never its text)."""
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)
