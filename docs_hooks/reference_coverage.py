"""MkDocs hook: the build fails when the API reference leaves out a public name, one of
the ``__all__`` of a package's ``__init__.py`` (read as text: the docs environment does
not install the packages)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

PACKAGES = ("data", "spec", "db", "ws", "cli")
_ANCHOR = re.compile(r'id="(openapi\.[\w.]+)"')


def public_names(init: Path) -> list[str]:
    """The names listed in the module's ``__all__``."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return [str(ast.literal_eval(item)) for item in node.value.elts]  # type: ignore[attr-defined]
    raise PluginError(f"{init} has no __all__")


def on_post_build(config: Any, **kwargs: Any) -> None:
    root = Path(config["config_file_path"]).parent
    site = Path(config["site_dir"])
    missing = []
    for package in PACKAGES:
        source = root / "packages" / f"openapi-{package}" / "src" / "openapi" / package
        init = source / "__init__.py"
        page = site / "reference" / package / "index.html"
        anchors = set(_ANCHOR.findall(page.read_text(encoding="utf-8")))
        for name in public_names(init):
            # a function named like its module is documented as module.function
            shown = {f"openapi.{package}.{name}", f"openapi.{package}.{name}.{name}"}
            if name != "__version__" and not shown & anchors:
                missing.append(f"openapi.{package}.{name}")
    if missing:
        raise PluginError(f"the API reference leaves out: {', '.join(missing)}")
