"""``openapi-cli new NAME``: a small project that works at once.

The files come from ``templates/project``: a ``.tmpl`` file has ``$name`` and ``$title``
replaced (and loses its suffix), any other file is copied as it is; ``gitignore`` becomes
``.gitignore``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from string import Template

import click

#: the project template shipped with openapi.cli
PROJECT_TEMPLATE = Path(__file__).parent / "templates" / "project"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def write_project(target: Path, name: str) -> list[Path]:
    """Write the project ``name`` into the new folder ``target``; the files written."""
    if not _NAME.match(name):
        raise click.BadParameter(
            f"{name!r}: a project name starts with a letter and holds letters, digits, - and _",
            param_hint="'NAME'",
        )
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} already exists and is not empty")
    words = {"name": name, "title": name.replace("-", " ").replace("_", " ").title()}
    written = []
    for source in sorted(PROJECT_TEMPLATE.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(PROJECT_TEMPLATE)
        if relative.name == "gitignore.tmpl":
            relative = relative.with_name(".gitignore")
        elif relative.suffix == ".tmpl":
            relative = relative.with_suffix("")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".tmpl":
            text = Template(source.read_text(encoding="utf-8")).substitute(words)
            destination.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, destination)
        written.append(destination)
    return written


@click.command("new")
@click.argument("name")
@click.option(
    "-d",
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the project (default: ./NAME).",
)
def new(name: str, directory: Path | None) -> None:
    """Write a new project NAME: an API on a table, migrations, tests, a README."""
    target = directory or Path(name)
    write_project(target, name)
    click.echo(f"project {name} written to {target}/ (main.py, migrations/, tests/)")
    click.echo(f"next: cd {target} and follow README.md (install, `db dev`, `db upgrade`, serve)")
