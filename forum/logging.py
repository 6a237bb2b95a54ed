"""One JSON object a line, for log collectors (LOG_FORMAT=json).

Only the record's own fields and a few plain extras: Django's request
logger passes the request object along, and a request carries cookies and
headers that must never reach a log."""

import json
import logging
from datetime import UTC, datetime

# Extras passed with `logger.x(..., extra={...})` that are plain and safe.
EXTRAS = ("status_code", "alias", "lag_seconds", "task_id", "email_id")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in EXTRAS:
            value = getattr(record, name, None)
            if isinstance(value, str | int | float):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
