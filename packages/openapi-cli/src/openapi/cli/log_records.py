"""Log record formats: text lines, or one JSON object per line (``--log-format json``).

Both name the request a record was logged for (``X-Request-Id``); access log records
add its route template, status and duration.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]%(request_tag)s: %(message)s"
#: access log fields a record may carry (``extra=``), written as JSON members
REQUEST_FIELDS = ("route", "status", "duration")

RequestIdSource = Callable[[], str | None]


def _no_request_id() -> str | None:
    return None


class RequestIdFilter(logging.Filter):
    """Give each record the id of the request it was logged for (``record.request_id``)."""

    def __init__(self, current_request_id: RequestIdSource | None = None) -> None:
        super().__init__()
        self.current_request_id = current_request_id or _no_request_id

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = self.current_request_id()
        return True


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [pid] request-id: message``."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" {request_id}" if request_id else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, and for
    access log records route, status and duration (seconds)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
}
