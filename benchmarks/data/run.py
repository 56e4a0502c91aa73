"""Benchmark openapi.data against pydantic v2, msgspec, mashumaro, aio-openapi 3.2.1 and a
hand-written floor on one realistic shape (see shape.py).

    hatch run bench:data [--rounds N] [--no-legacy]

Two operations: load (dict to validated dataclass instance) and dump (instance to a
JSON-ready dict). Each case is timed in short batches, interleaved with the others over
several rounds, and the best batch counts: background load on a shared machine inflates
every case alike instead of one. aio-openapi 3.2.1 runs in a throw-away virtualenv under
the user cache directory (it ships its own ``openapi/__init__.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floor  # noqa: E402
import msgspec  # noqa: E402
import pydantic  # noqa: E402
from mashumaro.codecs.basic import BasicDecoder, BasicEncoder  # noqa: E402
from openapi.data.dump import dump  # noqa: E402
from openapi.data.validate import validated_schema  # noqa: E402
from shape import PAYLOAD, Task  # noqa: E402

LEGACY_VERSION = "3.2.1"
OURS = "openapi.data"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aio-openapi-bench"


def legacy_python() -> Path:
    """A virtualenv with aio-openapi 3.2.1, created once under the cache directory."""
    venv = cache_dir() / f"aio-openapi-{LEGACY_VERSION}"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if not marker.exists():
        print(f"creating {venv} (pip install aio-openapi=={LEGACY_VERSION}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"aio-openapi=={LEGACY_VERSION}"],
            check=True,
        )
        marker.write_text(LEGACY_VERSION)
    return python


def time_legacy(rounds: int) -> dict[str, float]:
    result = subprocess.run(
        [str(legacy_python()), str(HERE / "legacy.py"), json.dumps(PAYLOAD), str(rounds)],
        check=False,
        capture_output=True,
        text=True,
        cwd=cache_dir(),
    )
    if result.returncode:
        raise SystemExit(f"aio-openapi {LEGACY_VERSION} run failed:\n{result.stderr}")
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def calibrate(fn: Callable[[], Any], target: float = 0.002) -> int:
    number = 1
    while timeit.timeit(fn, number=number) < target:
        number *= 2
    return number


def interleaved(cases: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Best seconds per call of each case, batches of all cases interleaved."""
    numbers = {name: calibrate(fn) for name, fn in cases.items()}
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):
        for name, fn in cases.items():
            n = numbers[name]
            best[name] = min(best[name], timeit.timeit(fn, number=n) / n)
    return best


def check_outputs() -> Any:
    """Every library must load the payload into the same instance."""
    ours = validated_schema(Task, PAYLOAD)
    adapter = pydantic.TypeAdapter(Task)
    assert adapter.validate_python(PAYLOAD) == ours
    assert msgspec.convert(PAYLOAD, Task) == ours
    assert BasicDecoder(Task).decode(PAYLOAD) == ours
    assert floor.load_task(PAYLOAD) == ours
    assert dump(Task, ours) == floor.dump_task(ours)
    # The same constraints are enforced (mashumaro enforces none).
    too_long = {**PAYLOAD, "title": "x" * 65}
    for load in (adapter.validate_python, lambda d: msgspec.convert(d, Task)):
        try:
            load(too_long)
        except (pydantic.ValidationError, msgspec.ValidationError):
            pass
        else:  # pragma: no cover
            raise AssertionError("a library accepted a 65 character title")
    return ours


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--no-legacy", action="store_true", help="skip aio-openapi 3.2.1")
    args = parser.parse_args()

    task = check_outputs()
    adapter = pydantic.TypeAdapter(Task)
    decoder, encoder = BasicDecoder(Task), BasicEncoder(Task)
    load = interleaved(
        {
            OURS: lambda: validated_schema(Task, PAYLOAD),
            "hand-written floor": lambda: floor.load_task(PAYLOAD),
            "pydantic v2": lambda: adapter.validate_python(PAYLOAD),
            "msgspec": lambda: msgspec.convert(PAYLOAD, Task),
            "mashumaro": lambda: decoder.decode(PAYLOAD),
        },
        args.rounds,
    )
    out = interleaved(
        {
            OURS: lambda: dump(Task, task),
            "hand-written floor": lambda: floor.dump_task(task),
            "pydantic v2": lambda: adapter.dump_python(task, mode="json"),
            "msgspec": lambda: msgspec.to_builtins(task),
            "mashumaro": lambda: encoder.encode(task),
        },
        args.rounds,
    )
    if not args.no_legacy:
        legacy = time_legacy(max(3, args.rounds // 10))
        load[f"aio-openapi {LEGACY_VERSION}"] = legacy["load"]
        out[f"aio-openapi {LEGACY_VERSION}"] = legacy["dump"]

    versions = {
        "pydantic v2": pydantic.VERSION,
        "msgspec": msgspec.__version__,
        "mashumaro": _version("mashumaro"),
    }
    notes = {"mashumaro": "enforces no constraint", "hand-written floor": "first error only"}
    print(f"machine: {machine()}")
    print(f"shape: Task (8 fields, nested Owner, tags list), best of {args.rounds} rounds\n")
    print("| library | load µs | load vs openapi.data | dump µs | dump vs openapi.data | note |")
    print("|---|---:|---:|---:|---:|---|")
    for name in load:
        label = f"{name} {versions[name]}" if name in versions else name
        print(
            f"| {label} | {load[name] * 1e6:.2f} | {load[name] / load[OURS]:.2f}x "
            f"| {out[name] * 1e6:.2f} | {out[name] / out[OURS]:.2f}x | {notes.get(name, '')} |"
        )
    print()
    targets = [
        ("load <= pydantic v2", load[OURS] / load["pydantic v2"], 1.0, "<="),
        ("dump <= pydantic v2", out[OURS] / out["pydantic v2"], 1.0, "<="),
        ("load within 1.3x floor", load[OURS] / load["hand-written floor"], 1.3, "<="),
        ("dump within 1.3x floor", out[OURS] / out["hand-written floor"], 1.3, "<="),
    ]
    legacy_name = f"aio-openapi {LEGACY_VERSION}"
    if legacy_name in load:
        targets.append(("load >= 30x faster than 3.2.1", load[legacy_name] / load[OURS], 30, ">="))
        targets.append(("dump >= 30x faster than 3.2.1", out[legacy_name] / out[OURS], 30, ">="))
    for label, ratio, bound, op in targets:
        ok = ratio <= bound if op == "<=" else ratio >= bound
        print(f"{'PASS' if ok else 'MISS'} {label}: {ratio:.3f} ({op} {bound})")


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    main()
