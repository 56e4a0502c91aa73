"""Tables of the example application, in SQLAlchemy Core."""

from __future__ import annotations

import enum

import sqlalchemy as sa


class TaskType(enum.Enum):
    todo = "todo"
    issue = "issue"
    idea = "idea"


def add_tables(metadata: sa.MetaData) -> sa.MetaData:
    """Add the example's tables to `metadata` (the application's `db.metadata`)."""
    sa.Table(
        "tasks",
        metadata,
        sa.Column(
            "id",
            sa.Uuid,
            primary_key=True,
            server_default=sa.text("gen_random_uuid()"),
            doc="Unique task ID",
        ),
        sa.Column("title", sa.String(64), nullable=False, doc="Task title", info={"min_length": 1}),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false(), doc="Done flag"),
        sa.Column("severity", sa.SmallInteger, doc="Severity from 0 to 5"),
        sa.Column("type", sa.Enum(TaskType, name="task_type"), doc="Kind of task"),
        sa.Column("story_points", sa.Numeric(10, 2), doc="Estimated effort"),
        sa.Column(
            "created",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
            doc="Creation time",
        ),
    )
    sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True, doc="Event ID"),
        sa.Column(
            "task_id",
            sa.Uuid,
            sa.ForeignKey("tasks.id", ondelete="CASCADE"),
            nullable=True,
            doc="Task the event is about",
        ),
        sa.Column("name", sa.String(64), nullable=False, doc="Event name"),
        sa.Column("score", sa.Integer, nullable=False, server_default="0", doc="Event score"),
        sa.Column(
            "created",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
            doc="When it happened",
        ),
    )
    return metadata
