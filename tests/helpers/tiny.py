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
