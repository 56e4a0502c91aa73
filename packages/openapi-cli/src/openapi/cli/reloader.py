"""Development reloading: run the server in a child process, restart it when a source changes.

A simple polling loop over file modification times; no third-party watcher.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger("openapi.cli.reloader")

#: set in the child's environment: the child serves instead of reloading
RELOADER_CHILD_ENV = "OPENAPI_CLI_RELOADER_CHILD"


def is_reloader_child() -> bool:
    return os.environ.get(RELOADER_CHILD_ENV) == "1"


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    roots.update({sys.prefix, sys.base_prefix, sys.exec_prefix})
    return tuple(os.path.join(os.path.realpath(root), "") for root in roots)


def watched_files(extra: Iterable[Path] = ()) -> set[Path]:
    """What a change of restarts the server: source files of the imported modules outside
    the interpreter and site-packages, every ``.py`` file of their top-level packages (a
    module the server imports later), the ``.py`` files beside top-level modules, ``extra``.
    """
    roots = _library_roots()
    files: set[Path] = {Path(p) for p in extra}
    trees: set[Path] = set()
    folders: set[Path] = set()
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if not filename:
            continue
        path = os.path.realpath(filename)
        if path.startswith(roots) or not path.endswith(".py"):
            continue
        source = Path(path)
        files.add(source)
        depth = name.count(".") + (1 if source.name == "__init__.py" else 0)
        if depth and name != "__main__" and depth < len(source.parents) - 1:
            trees.add(source.parents[depth - 1])
        else:
            folders.add(source.parent)
    for tree in trees:
        files.update(tree.rglob("*.py"))
    for folder in folders - trees:
        files.update(folder.glob("*.py"))
    return files


def _mtimes(files: Iterable[Path]) -> dict[Path, float]:
    found: dict[Path, float] = {}
    for path in files:
        try:
            found[path] = path.stat().st_mtime
        except OSError:
            found[path] = -1.0
    return found


def _changed(before: dict[Path, float]) -> Path | None:
    now = _mtimes(watched_files(before))
    for path, mtime in now.items():
        if before.get(path) != mtime:
            return path
    return None


def child_command() -> list[str]:
    """The command line that started this process, to start it again."""
    return [sys.executable, *sys.orig_argv[1:]]


def run_with_reloader(interval: float = 0.5, grace: float = 10.0) -> int:
    """Run this command in a child process; restart it whenever a watched file changes.

    Returns when SIGTERM or SIGINT arrives (after stopping the child), with exit code 0.
    """
    env = {**os.environ, RELOADER_CHILD_ENV: "1"}
    stopping: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            before = _mtimes(watched_files())
            logger.info("reloader: starting the server, watching %d files", len(before))
            child = subprocess.Popen(child_command(), env=env)
            changed: Path | None = None
            reported = False
            while not stopping:
                time.sleep(interval)
                changed = _changed(before)
                if changed:
                    break
                if child.poll() is not None and not reported:
                    reported = True
                    logger.error(
                        "reloader: the server exited with code %d; waiting for a change",
                        child.returncode,
                    )
            _stop(child, grace)
            if changed:
                logger.info("reloader: %s changed, restarting", changed)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _stop(child: subprocess.Popen[bytes], grace: float) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
