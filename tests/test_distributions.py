"""The monorepo builds separately published distributions sharing the `openapi` namespace."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.metadata import Metadata, parse_email

from tests.built_wheels import PACKAGES


def wheel_metadata(wheel: Path) -> tuple[list[str], object]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(meta_name).decode())
    return names, meta


@pytest.fixture(scope="module")
def wheels(built_wheels: dict[str, Path]) -> dict[str, Path]:
    return built_wheels


@pytest.mark.parametrize("name", PACKAGES)
def test_wheel_is_a_namespace_portion(wheels: dict[str, Path], name: str) -> None:
    names, meta = wheel_metadata(wheels[name])
    assert meta["Name"] == f"aio-openapi-{name}"  # type: ignore[index]
    assert "openapi/__init__.py" not in names
    assert f"openapi/{name}/__init__.py" in names
    assert f"openapi/{name}/py.typed" in names
    # requirements name distributions, never file paths
    for req in meta.get_all("Requires-Dist") or []:  # type: ignore[attr-defined]
        assert "file:" not in req and "@" not in req.split(";")[0], req


def test_ws_wheel_ships_the_asyncapi_component(wheels: dict[str, Path]) -> None:
    """The docs page's vendored bundle is in the wheel, gzipped, with its licences."""
    page = "openapi/ws/asyncapi_page/"
    with zipfile.ZipFile(wheels["ws"]) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    for name in ("asyncapi-component.js.gz", "asyncapi-component.css.gz", "LICENSE"):
        assert page + name in sizes
    assert page + "asyncapi-component.js.LICENSE.txt" in sizes
    assert sizes[page + "asyncapi-component.js.gz"] < 1_000_000  # gzipped, not the 3 MB
    assert wheels["ws"].stat().st_size < 1_000_000


def test_meta_package_requires_all_five(wheels: dict[str, Path]) -> None:
    names, meta = wheel_metadata(wheels["meta"])
    assert not [n for n in names if n.endswith(".py")]
    requires = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]  # type: ignore[attr-defined]
    assert sorted(r.split(">=")[0].split("[")[0] for r in requires) == sorted(
        f"aio-openapi-{n}" for n in PACKAGES
    )
    assert all(">=" in r for r in requires)
    extras = meta.get_all("Provides-Extra")  # type: ignore[attr-defined]
    assert {"embedded", "sentry", "postgres", "fast"} <= set(extras)


@pytest.mark.slow
def test_data_installs_alone(wheels: dict[str, Path], tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheels["data"]),
        ],
        check=True,
    )
    listed = subprocess.run(
        [str(py), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {line.split("==")[0].lower() for line in listed.split()}
    others = installed - {"pip", "setuptools", "wheel", "aio-openapi-data"}
    assert "aio-openapi-data" in installed
    assert others <= {"typing-extensions", "typing_extensions"}, others
    probe = (
        "import importlib.util, openapi.data; "
        "assert importlib.util.find_spec('openapi.spec') is None; "
        "assert importlib.util.find_spec('aiohttp') is None; "
        "print(openapi.data.__version__)"
    )
    out = subprocess.run([str(py), "-c", probe], check=True, capture_output=True, text=True)
    assert out.stdout.strip()


def test_twine_accepts_every_distribution(wheels: dict[str, Path]) -> None:
    # what PyPI checks on upload: metadata fields and a readme that renders
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels.values())],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == len(wheels), result.stdout


@pytest.mark.parametrize("name", [*PACKAGES, "meta"])
def test_metadata_a_package_index_accepts(wheels: dict[str, Path], name: str) -> None:
    _, meta = wheel_metadata(wheels[name])
    raw = Parser().parsestr(str(meta))
    # packaging validates every field as an index would (raises on the first bad one)
    parsed = Metadata.from_raw(parse_email(str(meta))[0], validate=True)
    assert parsed.requires_python is not None and parsed.requires_python.contains("3.11")
    assert parsed.description_content_type == "text/markdown"
    assert parsed.description and parsed.description.lstrip().startswith("# aio-openapi")
    assert parsed.summary and parsed.license_expression == "BSD-3-Clause"
    extras = set(parsed.provides_extra or ())
    for requirement in parsed.requires_dist or ():
        # an extra named in a marker is one the distribution provides
        for extra in re.findall(r'extra == "([^"]+)"', str(requirement.marker or "")):
            assert extra in extras, requirement
        if requirement.name.startswith("aio-openapi-"):
            # our own distributions: a lower bound, never a path or URL
            assert requirement.url is None and str(requirement.specifier).startswith(">=")
    assert raw["Version"] == str(parsed.version)
