"""Hand-written loader and dumper for the shape: the floor nothing generic can beat.

It enforces the same constraints as the libraries (types, bool is not int, max length,
range, email pattern, ISO dates) but reports only the first error. It uses the fastest
pure-Python moves known here: instances made with ``object.__new__`` and attribute
stores (what the dataclass ``__init__`` does, without the call), the instance dict read
directly when dumping, and the email pattern with possessive quantifiers.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from shape import Owner, Task

_email = re.compile(r"[^@\s]++@[^@\s.]++(?:\.[^@\s.]++)++").fullmatch
_new = object.__new__


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
    owner = _new(Owner)
    owner.name = name
    owner.email = email
    return owner


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
    task = _new(Task)
    task.id = id_
    task.title = title
    task.done = done
    task.severity = severity
    task.tags = [*tags]
    task.created = datetime.fromisoformat(created)
    task.owner = load_owner(d["owner"])
    task.due = due
    return task


def dump_task(t: Task) -> dict[str, Any]:
    d = t.__dict__
    owner = d["owner"].__dict__
    out = {
        "id": d["id"],
        "title": d["title"],
        "done": d["done"],
        "severity": d["severity"],
        "tags": [*d["tags"]],
        "created": d["created"].isoformat(),
        "owner": {"name": owner["name"], "email": owner["email"]},
    }
    due = d["due"]
    if due is not None:
        out["due"] = due.isoformat()
    return out
