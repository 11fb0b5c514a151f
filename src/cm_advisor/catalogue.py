"""The only YAML reader: catalogue files in, a validated engine Catalogue out.

Every mistake becomes a CatalogueError whose message names the file, the model
or question, and the field, so whoever edited the file can find the line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cm_advisor.engine.types import Catalogue, Questionnaire

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster


class CatalogueError(Exception):
    """An unreadable or invalid catalogue file; the message is meant for a person."""


def load_catalogue(models_path: Path, questionnaire_path: Path) -> Catalogue:
    """Read and validate both files; raise CatalogueError naming the place of the first problem."""
    q_bytes, m_bytes = _read(questionnaire_path), _read(models_path)
    q_data, m_data = _parse(questionnaire_path, q_bytes), _parse(models_path, m_bytes)
    try:
        questionnaire = Questionnaire.model_validate(q_data)
    except ValidationError as exc:
        raise CatalogueError(_describe(questionnaire_path, exc, q_data)) from None
    for reserved in ("questionnaire", "content_hash"):
        if reserved in m_data:
            raise CatalogueError(f"{models_path}: {reserved}: not allowed in this file")
    digest = hashlib.sha256(q_bytes + b"\0" + m_bytes).hexdigest()
    try:
        return Catalogue.model_validate(
            {**m_data, "questionnaire": questionnaire, "content_hash": digest}
        )
    except ValidationError as exc:
        raise CatalogueError(_describe(models_path, exc, m_data)) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Read any YAML or JSON mapping (answer files too), with errors that name the file."""
    return _parse(path, _read(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the file ({exc.strerror})") from None


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        data = yaml.load(raw, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(f"{path}: {where}not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping of keys at the top of the file")
    return data


def _describe(path: Path, exc: ValidationError, data: dict[str, Any]) -> str:
    problems = [
        f"{_place(err['loc'], data)}: {err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors()
    ]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    shown = "\n  ".join(problems[:5])
    return f"{path}: invalid catalogue{more}:\n  {shown}"


def _place(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location, naming list items by their id: models[clinical] → evidence."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list):
            item = node[key] if key < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            label = parts.pop() if parts else "item"
            parts.append(f"{_singular(label)} '{ident}'" if ident else f"{label}[{key}]")
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " → ".join(parts) or "file"


def _singular(label: str) -> str:
    return {"models": "model", "questions": "question", "sections": "section"}.get(
        label, label.removesuffix("s")
    )
