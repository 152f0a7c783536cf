"""The arrows of DESIGN.md §1 hold: import-linter's contracts in pyproject.toml (layers, nothing
imports reporting, no circles inside an app), and no module hides an import of the project's
own packages inside a function, where a circle could be dodged."""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "programme", "stages", "risks", "reserves", "reporting")


def test_the_import_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def nested_project_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of each import of our own packages (absolute, or relative to the
    module's package) that sits inside a function or class rather than at the top."""
    tree = ast.parse(source)
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if id(node) in top_level or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
        else:
            names = [alias.name for alias in node.names]
        found += [
            (node.lineno, n) for n in names if n.startswith(".") or n.split(".")[0] in PACKAGES
        ]
    return found


def test_the_check_finds_an_import_inside_a_function():
    source = "import json\n\ndef f():\n    from stages import models\n    from . import x\n"
    assert nested_project_imports(source) == [(4, "stages"), (5, ".")]


def test_no_module_imports_the_project_inside_a_function():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, name in nested_project_imports(path.read_text()):
                # AppConfig.ready() imports its own signals module: Django's way to wire
                # receivers once the registry is ready, not a circle being dodged.
                if path.name == "apps.py" and name == ".":
                    continue
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "imports inside functions:\n" + "\n".join(offenders)
