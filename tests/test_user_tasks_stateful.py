"""Stateful schemathesis on the user-shaped Tasks API (tests/user_tasks): sequences of
calls linked through the responses (create, then read, update, delete what was made),
with every default check.

Each scenario starts from an empty table (identities restarted). Without that, rows left
by one scenario change the answers of its replay (a title created before is now a 409,
so the bundle of created tasks a later rule draws from is empty) and hypothesis stops
with FlakyStrategyDefinition: the generation depended on the server's state.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi.db import CrudDB
from openapi.db.testing import create_database, drop_database

from tests.test_user_tasks_schemathesis import Served, _create_tables
from tests.user_tasks.app import create_app


@pytest.fixture(scope="module")
def served_app(pg_server_url: str) -> Iterator[Served]:
    name = f"user_tasks_sf_{uuid.uuid4().hex[:10]}"
    url = asyncio.run(create_database(pg_server_url, name))
    try:
        asyncio.run(_create_tables(url))
        served = Served(create_app(url))
        with served:
            yield served
    finally:
        asyncio.run(drop_database(pg_server_url, name))


def test_stateful_user_tasks(served_app: Served) -> None:
    base = served_app.url
    schema = schemathesis.openapi.from_url(f"{base}/spec")
    schema.config.generation.update(allow_x00=False)
    answered: set[tuple[str, str, int]] = set()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            db: CrudDB = served_app.app["db"]
            asyncio.run_coroutine_threadsafe(db.truncate_all(), served_app.loop).result(20)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base}

        def after_call(self, response: Any, case: Any) -> None:
            answered.add((case.method, case.path, response.status_code))

    Workflow.run(
        settings=settings(
            max_examples=20,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # the links were followed: a task made by a POST was read, changed and deleted
    assert ("POST", "/tasks", 201) in answered
    for method, status in (("GET", 200), ("PATCH", 200), ("DELETE", 204)):
        assert (method, "/tasks/{id}", status) in answered, sorted(answered)
