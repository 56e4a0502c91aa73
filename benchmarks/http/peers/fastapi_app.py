"""The benchmark's Tasks API on FastAPI + uvicorn + asyncpg, run from its own virtualenv.

    python fastapi_app.py --port PORT     (DATASTORE names the database)

Pydantic models for the body and the responses, an asyncpg pool of DBPOOL_MAX_SIZE
connections (min = max, as the others), hand-written SQL. The list answers the same
headers as the aio-openapi implementations (X-Total-Count, Link to the next page) with the
same SQL as this project's openapi.db: the page and the total (count(*) OVER ()) in one
query. uvicorn: one worker, no access log; ``--loop asyncio`` (the default: the asyncio
event loop, the httptools parser) or ``--loop auto`` (uvicorn's own choice, uvloop and
httptools when ``uvicorn[standard]`` is installed, as FastAPI's users run it).
"""

import argparse
import os
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, List, Optional

import asyncpg
import uvicorn
from fastapi import FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

POOL_SIZE = int(os.environ.get("DBPOOL_MAX_SIZE") or "10")
COLUMNS = "id, title, severity, done, created"


class Task(BaseModel):
    id: int
    title: str = Field(max_length=64)
    severity: int = Field(ge=0, le=5)
    done: bool
    created: datetime


class TaskAdd(BaseModel):
    title: str = Field(min_length=1, max_length=64)
    severity: int = Field(ge=0, le=5)
    done: bool = False


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        os.environ["DATASTORE"], min_size=POOL_SIZE, max_size=POOL_SIZE
    )
    yield
    await app.state.pool.close()


app = FastAPI(title="Tasks benchmark", version="1.0.0", lifespan=lifespan)


@app.get("/tasks", response_model=List[Task])
async def list_tasks(
    request: Request,
    response: Response,
    done: Optional[bool] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    where, args = "", []
    if done is not None:
        where, args = "WHERE done = $1", [done]
    n = len(args)
    pool = request.app.state.pool
    # the same SQL as this project's openapi.db: the total comes with the page
    records = await pool.fetch(
        f"SELECT {COLUMNS}, count(*) OVER () AS total FROM tasks {where} "
        f"ORDER BY id LIMIT ${n + 1} OFFSET ${n + 2}",
        *args,
        limit,
        offset,
    )
    if records:
        total = records[0]["total"]
    elif offset:  # past the last page
        total = await pool.fetchval(f"SELECT count(*) FROM tasks {where}", *args)
    else:
        total = 0
    rows = []
    for record in records:
        row = dict(record)
        del row["total"]
        rows.append(row)
    response.headers["X-Total-Count"] = str(total)
    if offset + limit < total:
        url = request.url.include_query_params(limit=limit, offset=offset + limit)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return rows


@app.get("/tasks/{id}", response_model=Task)
async def get_task(request: Request, id: int):
    row = await request.app.state.pool.fetchrow(
        f"SELECT {COLUMNS} FROM tasks WHERE id = $1", id
    )
    if row is None:
        raise HTTPException(status_code=404, detail="Not found")
    return dict(row)


@app.post("/tasks", response_model=Task, status_code=201)
async def create_task(request: Request, task: TaskAdd):
    row = await request.app.state.pool.fetchrow(
        f"INSERT INTO tasks (title, severity, done) VALUES ($1, $2, $3) RETURNING {COLUMNS}",
        task.title,
        task.severity,
        task.done,
    )
    return dict(row)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "auto"), default="asyncio")
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        workers=1,
        loop=args.loop,
        http="httptools" if args.loop == "asyncio" else "auto",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
