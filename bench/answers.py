"""Realistic answer sets drawn from the questionnaire with a fixed seed, so every run scores the
same inputs and no cache can stand in for the engine."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from cm_advisor.catalogue import load_catalogue
from cm_advisor.config import Settings
from cm_advisor.engine import Catalogue

SEED = 20261130
ANSWERED = 0.9  # share of questions a person answers
REWEIGHTED = 0.5  # share of answer sets that change some importances
WITH_TIERS = 0.3  # share of answer sets that describe a population with risk tiers
WEIGHT_CHOICES = (0.0, 0.5, 2.0, 3.0)


@dataclass(frozen=True, slots=True)
class Draw:
    """One answer set as a client would send it (multi-choice answers as lists)."""

    answers: dict[str, Any]
    weights: dict[str, float]
    population: dict[str, Any] | None

    def body(self) -> dict[str, Any]:
        """The JSON body of POST /api/v1/score."""
        body: dict[str, Any] = {"answers": self.answers, "weights": self.weights}
        if self.population is not None:
            body["population"] = self.population
        return body


@cache
def catalogue() -> Catalogue:
    """The catalogue the app serves by default, read once."""
    settings = Settings()
    return load_catalogue(settings.catalogue_path, settings.questionnaire_path)


def draws(catalogue: Catalogue, count: int, seed: int = SEED) -> list[Draw]:
    """`count` different answer sets; the same ones for the same seed."""
    rng = random.Random(seed)
    found: list[Draw] = []
    seen: set[str] = set()
    while len(found) < count:
        draw = _draw(catalogue, rng)
        key = repr(draw.body())
        if key not in seen:
            seen.add(key)
            found.append(draw)
    return found


def _draw(catalogue: Catalogue, rng: random.Random) -> Draw:
    answers: dict[str, Any] = {}
    for q in catalogue.questionnaire.questions:
        if rng.random() > ANSWERED:
            continue
        if q.kind == "multi":
            most = min(3, q.max_choices or len(q.options))
            answers[q.id] = rng.sample(q.option_ids, rng.randint(1, most))
        else:
            answers[q.id] = rng.choice(q.option_ids)
    weights: dict[str, float] = {}
    if rng.random() < REWEIGHTED:
        for q in rng.sample(catalogue.questionnaire.questions, rng.randint(1, 3)):
            weights[q.id] = rng.choice(WEIGHT_CHOICES)
    return Draw(answers, weights, _population(catalogue, rng))


def _population(catalogue: Catalogue, rng: random.Random) -> dict[str, Any] | None:
    tier_ids = [t.id for t in catalogue.tiers]
    if rng.random() >= WITH_TIERS or len(tier_ids) < 2:
        return None
    shares = [rng.randint(2, 10), rng.randint(10, 30)][: len(tier_ids) - 1]
    shares.append(100 - sum(shares))
    tiers = dict(zip(tier_ids, (float(s) for s in shares), strict=False))
    return {"size": rng.randint(500, 50_000), "tiers": tiers}
