"""The floor: the benchmark's Tasks API hand-written on bare aiohttp + asyncpg + uvloop.

    python floor_app.py --port PORT     (DATASTORE names the database)

No framework: one aiohttp handler per endpoint, validation written out by hand, orjson,
the same SQL as this project's openapi.db (the page and the total in one query) and the
same answers (X-Total-Count, Link, 404, 422 JSON). It is the reference line of
``bench:http``: what a request costs when only aiohttp, asyncpg and the event loop run, so
``ours / floor`` says how much of our request cost is framework overhead.
"""

import argparse
import asyncio
import os

import asyncpg
import orjson
import uvloop
from aiohttp import web

POOL_SIZE = int(os.environ.get("DBPOOL_MAX_SIZE") or "10")
COLUMNS = "id, title, severity, done, created"
JSON = "application/json"
POOL = web.AppKey("pool", asyncpg.Pool)


def json_response(data: object, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type=JSON, headers=headers)


def unprocessable(errors: list) -> web.Response:
    return json_response({"message": "Invalid data", "errors": errors}, status=422)


def row_of(record: asyncpg.Record) -> dict:
    return {
        "id": record["id"],
        "title": record["title"],
        "severity": record["severity"],
        "done": record["done"],
        "created": record["created"],
    }


async def list_tasks(request: web.Request) -> web.Response:
    query = request.query
    errors = []
    args: list = []
    where = ""
    done = query.get("done")
    if done is not None:
        if done not in ("true", "false"):
            errors.append({"field": "done", "message": "not a boolean"})
        else:
            where, args = "WHERE done = $1", [done == "true"]
    try:
        limit = int(query.get("limit", "25"))
        if not 1 <= limit <= 100:
            raise ValueError
    except ValueError:
        errors.append({"field": "limit", "message": "an integer from 1 to 100"})
    try:
        offset = int(query.get("offset", "0"))
        if offset < 0:
            raise ValueError
    except ValueError:
        errors.append({"field": "offset", "message": "an integer from 0"})
    if errors:
        return unprocessable(errors)
    n = len(args)
    pool = request.app[POOL]
    records = await pool.fetch(
        f"SELECT {COLUMNS}, count(*) OVER () AS total FROM tasks {where} "
        f"ORDER BY id LIMIT ${n + 1} OFFSET ${n + 2}",
        *args,
        limit,
        offset,
    )
    if records:
        total = records[0]["total"]
    elif offset:
        total = await pool.fetchval(f"SELECT count(*) FROM tasks {where}", *args)
    else:
        total = 0
    headers = {"X-Total-Count": str(total)}
    if offset + limit < total:
        url = request.url.update_query(limit=limit, offset=offset + limit)
        headers["Link"] = f'<{url}>; rel="next"'
    return json_response([row_of(r) for r in records], headers=headers)


async def get_task(request: web.Request) -> web.Response:
    try:
        id_ = int(request.match_info["id"])
    except ValueError:
        return json_response({"message": "Not Found"}, status=404)
    if not -(2**31) <= id_ < 2**31:
        return json_response({"message": "Not Found"}, status=404)
    record = await request.app[POOL].fetchrow(f"SELECT {COLUMNS} FROM tasks WHERE id = $1", id_)
    if record is None:
        return json_response({"message": "Not Found"}, status=404)
    return json_response(row_of(record))


async def create_task(request: web.Request) -> web.Response:
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return json_response({"message": "Malformed JSON body"}, status=400)
    if not isinstance(body, dict):
        return json_response({"message": "The JSON body must be an object"}, status=400)
    errors = []
    title = body.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 64:
        errors.append({"field": "title", "message": "a string of 1 to 64 characters"})
    severity = body.get("severity")
    if type(severity) is not int or not 0 <= severity <= 5:
        errors.append({"field": "severity", "message": "an integer from 0 to 5"})
    done = body.get("done", False)
    if type(done) is not bool:
        errors.append({"field": "done", "message": "a boolean"})
    if errors:
        return unprocessable(errors)
    record = await request.app[POOL].fetchrow(
        f"INSERT INTO tasks (title, severity, done) VALUES ($1, $2, $3) RETURNING {COLUMNS}",
        title,
        severity,
        done,
    )
    return json_response(row_of(record), status=201)


async def pool_context(app: web.Application):
    app[POOL] = await asyncpg.create_pool(
        os.environ["DATASTORE"], min_size=POOL_SIZE, max_size=POOL_SIZE
    )
    yield
    await app[POOL].close()


def create_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(pool_context)
    app.router.add_get("/tasks", list_tasks)
    app.router.add_post("/tasks", create_task)
    app.router.add_get("/tasks/{id}", get_task)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    web.run_app(create_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
