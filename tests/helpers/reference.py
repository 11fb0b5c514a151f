"""An independent reference for the engine: the documented score formula and order, written
again from docs/catalogue.md on the raw YAML, with none of the engine's code.

score = 50 + 25 · Σ(weight · share · fit) / Σ weights − red-flag penalties, kept within
0–100; order: higher score, then fewer red flags, then the catalogue's tie_break order.
"""

from pathlib import Path
from typing import Any

import yaml

from helpers.settings import DEFAULTS

Raw = dict[str, Any]


def load(
    models: Path = DEFAULTS.catalogue_path, questions: Path = DEFAULTS.questionnaire_path
) -> Raw:
    return {
        "models": yaml.safe_load(models.read_text()),
        "questions": yaml.safe_load(questions.read_text()),
    }


RAW = load()


def _as_list(answer: Any) -> list[str]:
    return [] if answer is None else [answer] if isinstance(answer, str) else list(answer)


def raised(raw: Raw, answers: dict[str, Any]) -> list[Raw]:
    """The red flags whose condition (alternatives of AND-ed questions) the answers meet."""
    return [
        flag
        for flag in raw["models"].get("red_flags", [])
        if any(
            all(set(_as_list(answers.get(q))) & set(options) for q, options in alternative.items())
            for alternative in flag["when"]
        )
    ]


def scores(
    raw: Raw, answers: dict[str, Any], weights: dict[str, float] | None = None
) -> dict[str, float]:
    """Every model's score, unrounded."""
    w = {
        q["id"]: (weights or {}).get(q["id"], q.get("importance", 1.0))
        for q in raw["questions"]["questions"]
    }
    priority = raw["models"]["outcome_priority"]
    points = {m["id"]: 0.0 for m in raw["models"]["models"]}
    for qid, answer in answers.items():
        options = _as_list(answer)
        parts = [priority[min(i, len(priority) - 1)] for i in range(len(options))]
        for option, part in zip(options, parts, strict=True):
            for model, rule in raw["models"]["rules"][qid][option].items():
                points[model] += 25 * w[qid] * (part / sum(parts)) * rule["fit"] / sum(w.values())
    for flag in raised(raw, answers):
        points[flag["model"]] -= flag["penalty"]
    return {m: min(100.0, max(0.0, 50 + p)) for m, p in points.items()}


def order(raw: Raw, answers: dict[str, Any], weights: dict[str, float] | None = None) -> list[str]:
    """The model ids, first place first."""
    found = scores(raw, answers, weights)
    flags = [f["model"] for f in raised(raw, answers)]
    ties = raw["models"].get("tie_break") or sorted(found)
    return sorted(found, key=lambda m: (-round(found[m], 9), flags.count(m), ties.index(m)))


def winner(raw: Raw, answers: dict[str, Any], weights: dict[str, float] | None = None) -> str:
    return order(raw, answers, weights)[0]
