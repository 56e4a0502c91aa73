"""Logging for the command line: one stderr handler on the root logger.

The level comes from ``--verbose``/``--quiet``, else ``LOG_LEVEL``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

import click

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"
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


def configure_logging(level: int | None) -> None:
    """Send log records at ``level`` and above to stderr (``None``: log nothing).

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
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
