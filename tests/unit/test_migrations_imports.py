"""The command service and its migrations depend on each other only as ADR 066 allows.

``command_service.migrate`` imports the bare ``migrations`` package to find its scripts;
``migrations/env.py`` imports the engine factory, the tables and the settings. Neither may
reach the other end: no module import cycle, and migration scripts frozen in time.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _reachable(start: Path, package: str) -> set[str]:
    """Modules of ``package`` that ``start`` imports, directly or through each other."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for name in _imports(todo.pop()):
            if name.split(".")[0] != package or name in seen:
                continue
            seen.add(name)
            found = _module_file(name)
            if found is not None:
                todo.append(found)
    return seen


def test_the_command_service_imports_only_the_bare_migrations_package() -> None:
    importers = {
        path.relative_to(ROOT).as_posix(): sorted(
            name for name in _imports(path) if name.split(".")[0] == "migrations"
        )
        for path in (ROOT / "command_service").rglob("*.py")
    }
    assert {path: names for path, names in importers.items() if names} == {
        "command_service/migrate.py": ["migrations"]
    }
    assert _reachable(ROOT / "migrations" / "__init__.py", "command_service") == set()


def test_the_alembic_environment_never_reaches_the_migration_runner() -> None:
    reached = _reachable(ROOT / "migrations" / "env.py", "command_service")
    assert "command_service.adapters.tables" in reached
    assert "command_service.migrate" not in reached


def test_migration_scripts_import_nothing_of_the_service() -> None:
    for script in (ROOT / "migrations" / "versions").glob("*.py"):
        assert _reachable(script, "command_service") == set(), script.name
