"""A catalogue of three models and two questions whose ties are exact, built in code.

Two questions of weight 1, so one step of fit on one question is 12.5 points and a fit of
+2 is 25; beta's red flag (q2 = y) costs exactly what its +2 on q2 gains.
"""

from typing import Any

from cm_advisor.engine import Catalogue


def _rule(fit: int) -> dict[str, Any]:
    return {"fit": fit, "why": f"fit {fit}"}


def _model(model_id: str) -> dict[str, Any]:
    text = f"The {model_id} model."
    return {
        "id": model_id,
        "name": model_id.capitalize(),
        "short_name": model_id.capitalize(),
        "summary": text,
        "description": text,
        "staff_profile": text,
        "intensity": {"contact": text, "caseload": {"low": 10, "high": 20, "source": text}},
        "best_for": [text],
        "pros": [text],
        "cons": [text],
        "evidence": [
            {"authors": "A", "year": 2000, "title": "T", "source": "S", "finding": "F"},
            {"authors": "B", "year": 2001, "title": "T", "source": "S", "finding": "F"},
        ],
        "hybrid_role": text,
    }


def tiny(tie_break: list[str]) -> Catalogue:
    fits = {
        "q1": {"a": (2, 2, 0), "b": (0, 0, 1), "c": (-1, -2, 2)},
        "q2": {"x": (0, 0, 0), "y": (0, 2, 0)},
    }
    models = ("alpha", "beta", "gamma")
    return Catalogue.model_validate(
        {
            "version": "test",
            "questionnaire": {
                "sections": [{"id": "s", "title": "S"}],
                "questions": [
                    {
                        "id": q,
                        "section": "s",
                        "label": q,
                        "help": q,
                        "options": [{"id": o, "label": o} for o in opts],
                    }
                    for q, opts in fits.items()
                ],
            },
            "models": [_model(m) for m in models],
            "tie_break": tie_break,
            "rules": {
                q: {
                    o: {m: _rule(f) for m, f in zip(models, row, strict=True)}
                    for o, row in opts.items()
                }
                for q, opts in fits.items()
            },
            "red_flags": [
                {
                    "id": "beta_flag",
                    "model": "beta",
                    "when": [{"q2": ["y"]}],
                    "penalty": 25,
                    "concern": "Beta's flag.",
                }
            ],
        }
    )


Fits = dict[str, dict[str, tuple[int, ...]]]
"""Question id -> option id -> fit per model, in the order the models are given."""


def build(
    fits: Fits,
    models: tuple[str, ...] = ("alpha", "beta", "gamma"),
    *,
    questions: dict[str, dict[str, Any]] | None = None,
    red_flags: tuple[dict[str, Any], ...] = (),
    hybrids: tuple[dict[str, Any], ...] = (),
    tiers: tuple[dict[str, Any], ...] = (),
    caseloads: dict[str, tuple[int, int]] | None = None,
    tie_break: tuple[str, ...] = (),
) -> Catalogue:
    """A small catalogue whose numbers a test can work out by hand.

    `questions` adds fields to a question (kind, importance, about, scale, better, topic,
    max_choices); every option's label is its id in capitals. `caseloads` gives a model's
    (low, high) caseload, 10-20 by default. Models are named after their ids, capitalized."""
    extra = questions or {}
    described = []
    for model in models:
        data = _model(model)
        low, high = (caseloads or {}).get(model, (10, 20))
        data["intensity"]["caseload"] |= {"low": low, "high": high}
        described.append(data)
    return Catalogue.model_validate(
        {
            "version": "test",
            "questionnaire": {
                "sections": [{"id": "s", "title": "S"}],
                "questions": [
                    {
                        "id": q,
                        "section": "s",
                        "label": q,
                        "help": q,
                        "options": [{"id": o, "label": o.upper()} for o in opts],
                        **extra.get(q, {}),
                    }
                    for q, opts in fits.items()
                ],
            },
            "models": described,
            "tie_break": list(tie_break or models),
            "rules": {
                q: {
                    o: {m: _rule(f) for m, f in zip(models, row, strict=True)}
                    for o, row in opts.items()
                }
                for q, opts in fits.items()
            },
            "red_flags": list(red_flags),
            "hybrids": list(hybrids),
            "tiers": list(tiers),
        }
    )


def flag(flag_id: str, model: str, penalty: float, *when: dict[str, list[str]]) -> dict[str, Any]:
    """A red flag for `build`: raised when any of `when` (each AND-ed) holds."""
    return {
        "id": flag_id,
        "model": model,
        "when": list(when),
        "penalty": penalty,
        "concern": f"{flag_id} concern.",
    }


def raw(catalogue: Catalogue) -> dict[str, Any]:
    """A catalogue in the shape helpers.reference reads (the YAML files' shape)."""
    data = catalogue.model_dump()
    return {"models": data, "questions": {"questions": data["questionnaire"]["questions"]}}
