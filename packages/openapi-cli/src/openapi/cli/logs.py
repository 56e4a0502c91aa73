"""Logging for the command line: one stderr handler on the root logger.

The level comes from ``--verbose``/``--quiet``, else ``LOG_LEVEL``; the format (text or
JSON lines) from ``serve --log-format``, else ``LOG_FORMAT``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

import click

from .log_records import FORMATTERS, RequestIdFilter, RequestIdSource

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NONE")


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at emit time (click's test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def resolve_level(*, verbose: bool = False, quiet: bool = False) -> int | None:
    """The log level asked for: ``--verbose`` (DEBUG), ``--quiet`` (ERROR), else ``LOG_LEVEL``.

    ``LOG_LEVEL`` defaults to ``INFO``; ``NONE`` turns logging off (returns ``None``).
    """
    if verbose and quiet:
        raise click.UsageError("--verbose and --quiet are mutually exclusive")
    if verbose:
        return logging.DEBUG
    if quiet:
        return logging.ERROR
    name = (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    if name not in LEVELS:
        raise click.UsageError(f"LOG_LEVEL must be one of {', '.join(LEVELS)}; got {name!r}")
    if name == "NONE":
        return None
    return int(getattr(logging, name))


def resolve_format(fmt: str | None = None) -> str:
    """The log format asked for: ``fmt``, else ``LOG_FORMAT``, else ``text``."""
    name = (fmt or os.environ.get("LOG_FORMAT") or "text").strip().lower()
    if name not in FORMATTERS:
        raise click.UsageError(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}; got {name!r}")
    return name


def configure_logging(
    level: int | None, fmt: str | None = None, request_id: RequestIdSource | None = None
) -> None:
    """Send log records at ``level`` and above to stderr (``None``: log nothing), formatted
    as ``fmt`` (``text`` or ``json``), each naming its request (``request_id()``).

    Safe to call many times: the handler it installs replaces the one installed before.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    if level is None:
        root.setLevel(logging.CRITICAL + 1)
        return
    handler = _StderrHandler()
    handler.setFormatter(FORMATTERS[resolve_format(fmt)]())
    handler.addFilter(RequestIdFilter(request_id))
    root.addHandler(handler)
    root.setLevel(level)


def set_log_format(fmt: str | None, request_id: RequestIdSource | None = None) -> None:
    """Format the records of the installed stderr handler as ``fmt``, naming their request
    with ``request_id()`` (``serve`` knows both only once it runs)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _StderrHandler):
            handler.setFormatter(FORMATTERS[resolve_format(fmt)]())
            for old in list(handler.filters):
                handler.removeFilter(old)
            handler.addFilter(RequestIdFilter(request_id))
