"""A development PostgreSQL kept in the project: ``openapi-cli db dev``.

Its data directory and its port live in the project's ``.openapi/`` folder, so the URL
is the same at every start and ``serve`` and ``db`` find it while ``DATASTORE`` is unset.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg

from .dsn import asyncpg_dsn
from .embedded import EmbeddedPostgres, free_port

__all__ = ["DevDatabase", "DevSettings", "dev_database_url"]

#: the project folder holding the development database
DEV_FOLDER = ".openapi"
#: its settings, written once: ``{"port": ..., "database": ...}``
SETTINGS_FILE = "dev-database.json"


@dataclass(frozen=True)
class DevSettings:
    """What stays the same at every start: the port and the database's name."""

    port: int
    database: str


class DevDatabase:
    """The development database of the project in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.folder = self.root / DEV_FOLDER
        self.settings_file = self.folder / SETTINGS_FILE
        self.settings = self._settings()
        self.server = EmbeddedPostgres(self.folder / "pgdata", self.settings.port)

    @classmethod
    def find(cls, start: Path | None = None) -> DevDatabase | None:
        """The development database of the project around ``start`` (the working directory)."""
        folder = (start or Path.cwd()).resolve()
        for candidate in (folder, *folder.parents):
            if (candidate / DEV_FOLDER / SETTINGS_FILE).is_file():
                return cls(candidate)
        return None

    def _settings(self) -> DevSettings:
        if self.settings_file.is_file():
            found = json.loads(self.settings_file.read_text())
            return DevSettings(port=int(found["port"]), database=str(found["database"]))
        # chosen once: the URL stays the same at every start
        name = re.sub(r"[^a-z0-9_]", "_", self.root.name.lower()) or "dev"
        settings = DevSettings(port=free_port(), database=name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.settings_file.write_text(json.dumps(asdict(settings), indent=2) + "\n")
        return settings

    @property
    def url(self) -> str:
        """The URL of the project's database, for ``DATASTORE``."""
        return self.server.url_for(self.settings.database)

    def running(self) -> bool:
        return self.server.data_dir_in_use()

    def start(self) -> str:
        """Start the server unless it runs, create the database unless it exists; its URL."""
        if not self.running():
            self.server.start()
        asyncio.run(self._create_database())
        return self.url

    def stop(self) -> None:
        self.server.stop()

    async def _create_database(self) -> None:
        name = self.settings.database
        conn = await asyncpg.connect(asyncpg_dsn(self.server.url))
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()


def dev_database_url(start: Path | None = None) -> str | None:
    """The URL of the project's development database, when ``db dev`` made one."""
    found = DevDatabase.find(start)
    return found.url if found is not None else None
