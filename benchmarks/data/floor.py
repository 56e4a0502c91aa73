"""Hand-written loader and dumper for the shape: the floor nothing generic can beat.

It enforces the same constraints as the libraries (types, bool is not int, max length,
range, email pattern, ISO dates) but reports only the first error.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from shape import EMAIL, Owner, Task

_email = re.compile(EMAIL).match


class Invalid(ValueError):
    pass


def load_owner(d: Any) -> Owner:
    if not isinstance(d, dict):
        raise Invalid("owner")
    name = d["name"]
    email = d["email"]
    if not isinstance(name, str):
        raise Invalid("owner.name")
    if not isinstance(email, str) or _email(email) is None:
        raise Invalid("owner.email")
    return Owner(name=name, email=email)


def load_task(d: Any) -> Task:
    if not isinstance(d, dict):
        raise Invalid("task")
    id_ = d["id"]
    if type(id_) is not int:
        raise Invalid("id")
    title = d["title"]
    if not isinstance(title, str) or len(title) > 64:
        raise Invalid("title")
    done = d["done"]
    if done is not True and done is not False:
        raise Invalid("done")
    severity = d["severity"]
    if type(severity) is not int or not 0 <= severity <= 5:
        raise Invalid("severity")
    tags = d["tags"]
    if not isinstance(tags, list):
        raise Invalid("tags")
    for tag in tags:
        if not isinstance(tag, str):
            raise Invalid("tags")
    created = d["created"]
    if not isinstance(created, str):
        raise Invalid("created")
    due = d.get("due")
    if due is not None:
        if not isinstance(due, str):
            raise Invalid("due")
        due = date.fromisoformat(due)
    return Task(
        id=id_,
        title=title,
        done=done,
        severity=severity,
        tags=list(tags),
        created=datetime.fromisoformat(created),
        owner=load_owner(d["owner"]),
        due=due,
    )


def dump_task(t: Task) -> dict[str, Any]:
    out = {
        "id": t.id,
        "title": t.title,
        "done": t.done,
        "severity": t.severity,
        "tags": list(t.tags),
        "created": t.created.isoformat(),
        "owner": {"name": t.owner.name, "email": t.owner.email},
    }
    if t.due is not None:
        out["due"] = t.due.isoformat()
    return out
