"""Fixtures of the openapi-cli tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def sample_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Make ``cli_sample_app`` importable, as ``--app cli_sample_app:...`` needs."""
    monkeypatch.syspath_prepend(str(TESTS))
    yield TESTS


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """Commands configure the root logger: leave it as it was for the tests that follow."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
