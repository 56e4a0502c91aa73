"""Alembic environment of an aio-openapi application: openapi.db does the work."""

from alembic import context
from openapi.db.migrations import run_environment

run_environment(context.config)
