"""Observers of an application's parts: metrics and tracing, told what happens.

Metrics and tracing add an observer under the plain string key :data:`OBSERVERS` when
they are set up; the database and the websocket manager attach the observers that fit
their own observer protocol when the application starts. Nothing is observed (and no
cost is paid) when the list is empty.
"""

from __future__ import annotations

import warnings

from aiohttp import web

#: ``app["openapi.observers"]``: objects implementing the parts' observer protocols
OBSERVERS = "openapi.observers"


def add_observer(app: web.Application, observer: object) -> None:
    """Offer ``observer`` to the parts of ``app`` (attached when the app starts)."""
    observers = app.get(OBSERVERS)
    if observers is None:
        observers = []
        with warnings.catch_warnings():
            # a plain string: openapi.ws reads it without importing this package
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            app[OBSERVERS] = observers
    observers.append(observer)
