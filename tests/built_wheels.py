"""Every distribution of the repository built into one folder, as the README's install
section does by hand: built once per test session and shared by the tests that need it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["data", "spec", "db", "ws", "cli"]
#: the source folder of each distribution, by short name ("meta" is the root)
SOURCES = {**{name: ROOT / "packages" / f"openapi-{name}" for name in PACKAGES}, "meta": ROOT}


def build_wheels(out: Path) -> dict[str, Path]:
    """Build the six wheels into ``out`` (in parallel); the wheel of each short name."""
    staging = {name: out / f".{name}" for name in SOURCES}
    builds = {
        name: subprocess.Popen(
            [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(staging[name])],
            cwd=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for name, source in SOURCES.items()
    }
    wheels = {}
    for name, process in builds.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output.decode(errors="replace")
        (built,) = staging[name].glob("*.whl")
        wheels[name] = built.rename(out / built.name)
        staging[name].rmdir()
    return wheels
