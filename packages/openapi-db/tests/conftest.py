"""Tables shared by openapi-db's tests."""

from __future__ import annotations

import enum
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class TaskKind(enum.Enum):
    bug = "B"
    feature = "F"


metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(64), nullable=False, unique=True, doc="What to do"),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("severity", sa.Integer),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("story_points", sa.Numeric(10, 2)),
    sa.Column("kind", sa.Enum(TaskKind, name="task_kind")),
    sa.Column("extra", postgresql.JSONB),
    sa.Column("tags", postgresql.ARRAY(sa.String(32))),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("uid", sa.Uuid, nullable=False, default=uuid.uuid4),
)

pairs = sa.Table(
    "pairs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("a", sa.String(16), nullable=False),
    sa.Column("b", sa.String(16), nullable=False),
    sa.UniqueConstraint("a", "b", name="pairs_a_b_key"),
)


@pytest.fixture
def db_metadata() -> sa.MetaData:
    return metadata
