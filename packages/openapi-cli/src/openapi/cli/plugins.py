"""Commands other packages register in the entry-point group ``openapi.cli``.

openapi-db registers ``db`` there, so this package never imports openapi.db. Commands load
when asked for: running ``serve`` does not import what ``db`` needs.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import click

#: the entry-point group holding click commands for ``openapi-cli``
ENTRY_POINT_GROUP = "openapi.cli"

logger = logging.getLogger("openapi.cli.plugins")


def plugin_names() -> list[str]:
    """Names of the commands registered in the entry-point group, sorted."""
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def load_plugin(name: str) -> click.Command | None:
    """The command registered as ``name``; ``None`` (and a warning) when it cannot load."""
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        try:
            command = ep.load()
        except Exception as exc:
            logger.warning("cannot load command %r from %s: %s", name, ep.value, exc)
            return None
        if not isinstance(command, click.Command):
            logger.warning("entry point %r (%s) is not a click command", name, ep.value)
            return None
        return command
    return None
