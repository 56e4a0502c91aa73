"""Request and response schemas of the example application: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from openapi.data import UploadFile, fields, forbid_unknown
from openapi.db.pagination import cursorPagination, offsetPagination, searchable

from .tables import TaskType


@dataclass
class Task:
    """A task to do"""

    id: UUID = fields.uuid_field(required=True, description="Unique task ID")
    title: str = fields.str_field(required=True, max_length=64, description="Task title")
    done: bool = fields.bool_field(required=True, description="Done flag")
    created: datetime = fields.date_time_field(
        required=True, timezone=True, description="Creation time"
    )
    severity: int | None = fields.integer_field(
        min_value=0, max_value=5, description="Severity from 0 to 5"
    )
    type: TaskType | None = fields.enum_field(TaskType, description="Kind of task")
    story_points: Decimal | None = fields.decimal_field(description="Estimated effort")


@dataclass
class TaskAdd:
    """Data to create a task"""

    title: str = fields.str_field(
        required=True,
        min_length=1,
        max_length=64,
        description="Task title",
        examples=["Water the plants"],
    )
    done: bool = fields.bool_field(default=False, description="Done flag")
    severity: int | None = fields.integer_field(
        min_value=0, max_value=5, description="Severity from 0 to 5"
    )
    type: TaskType | None = fields.enum_field(TaskType, description="Kind of task")
    story_points: Decimal | None = fields.decimal_field(
        min_value=0, max_value=1000, description="Estimated effort"
    )


@forbid_unknown
@dataclass
class TaskImport:
    """A CSV file of tasks to create at once"""

    file: UploadFile = fields.data_field(
        required=True, description="CSV with a header row: title, and optionally done, severity"
    )
    done: bool = fields.bool_field(default=False, description="Done flag of rows without one")


@dataclass
class TaskUpdate:
    """Fields of a task to change; all optional"""

    title: str = fields.str_field(min_length=1, max_length=64, description="Task title")
    done: bool = fields.bool_field(description="Done flag")
    severity: int | None = fields.integer_field(
        min_value=0, max_value=5, description="Severity from 0 to 5"
    )
    type: TaskType | None = fields.enum_field(TaskType, description="Kind of task")
    story_points: Decimal | None = fields.decimal_field(
        min_value=0, max_value=1000, description="Estimated effort"
    )


@dataclass
class TaskFilters:
    """Filters selecting tasks"""

    title: str = fields.str_field(description="Tasks with this exact title")
    done: bool = fields.bool_field(description="Done or not")
    type: TaskType = fields.enum_field(TaskType, description="Kind of task")
    # the column is a SMALLINT: the documented range keeps larger values a schema violation
    severity: int = fields.integer_field(
        min_value=-(2**15),
        max_value=2**15 - 1,
        ops=("lt", "le", "gt", "ge", "ne"),
        description="Severity",
    )


@dataclass
class TaskQuery(
    TaskFilters,
    offsetPagination("title", "-title", "severity", "-severity", "created", "-created"),
    searchable("title"),
):
    """Filters, search and pagination of the task list"""


@dataclass
class TaskExportQuery(TaskFilters, searchable("title")):
    """Filters and search of the task export (every matching task, no pages)"""


@dataclass
class TaskEventsQuery:
    """Options of the task event stream"""

    heartbeat: float = fields.number_field(
        min_value=0.05, max_value=60, default=15.0, description="Seconds between heartbeats"
    )


@dataclass
class TaskDeleteQuery(TaskFilters):
    """Filters selecting the tasks to delete"""


@dataclass
class TaskBulkUpdateQuery(TaskFilters):
    """Filters selecting the tasks to update"""


@dataclass
class TaskPathSchema:
    id: UUID = fields.uuid_field(required=True, description="Task ID")


@dataclass
class Event:
    """Something that happened to a task"""

    id: int = fields.integer_field(required=True, description="Event ID")
    name: str = fields.str_field(required=True, description="Event name")
    score: int = fields.integer_field(required=True, description="Event score")
    created: datetime = fields.date_time_field(
        required=True, timezone=True, description="When it happened"
    )
    task_id: UUID | None = fields.uuid_field(description="Task the event is about")


@dataclass
class EventAdd:
    """Data to record an event"""

    name: str = fields.str_field(
        required=True, min_length=1, max_length=64, description="Event name"
    )
    score: int = fields.integer_field(
        default=0, min_value=-1000, max_value=1000, description="Event score"
    )
    task_id: UUID | None = fields.uuid_field(description="Task the event is about")


@dataclass
class EventFilters:
    """Filters selecting events"""

    name: str = fields.str_field(description="Events with this name")


@dataclass
class EventQuery(EventFilters, cursorPagination("-score", "id")):
    """Events, newest score first, walked with an opaque cursor"""
