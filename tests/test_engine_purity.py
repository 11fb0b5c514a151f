"""The engine stays pure: it imports nothing that does I/O, web or storage."""

import ast
from pathlib import Path

import cm_advisor.engine

ENGINE = Path(cm_advisor.engine.__file__).parent
ALLOWED_TOP = {"__future__", "collections", "dataclasses", "functools", "math", "typing"}
ALLOWED_TOP |= {"cm_advisor", "pydantic", "numpy", "itertools", "operator", "random", "statistics"}
ALLOWED_TOP |= {"weakref"}


def test_engine_imports_only_pure_modules() -> None:
    found: set[str] = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module.split(".")[0])
    assert found <= ALLOWED_TOP, found - ALLOWED_TOP


def test_engine_imports_no_other_cm_advisor_layer() -> None:
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cm_advisor."):
                assert (node.module or "").startswith("cm_advisor.engine"), (path, node.module)
