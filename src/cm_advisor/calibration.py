"""Documented programs scored with a catalogue: does the model their authors name come first?

An organization that edits its catalogue runs `cm-advisor calibrate` to see at once
whether its rules still get real, published programs right. The programs and the floor
live in a YAML file (data/calibration.yaml, format in docs/calibration.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cm_advisor import engine
from cm_advisor.catalogue import CatalogueError, read_yaml
from cm_advisor.engine import Catalogue, InvalidInput, Result

MAX_DECIDING = 3  # answers shown for each miss


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Supported(_Strict):
    """One answer and what in the program's sources supports it."""

    answer: str | tuple[str, ...]
    source: Annotated[str, Field(min_length=1)]


class Program(_Strict):
    id: str
    name: str
    citation: str
    url: str = ""
    model: str  # the model the program's authors name
    top_two: tuple[str, ...] = ()  # for a program combining two models: both of them
    finding: str = ""
    answers: dict[str, Supported]

    @property
    def expected(self) -> frozenset[str]:
        """The models that count as first: the named one, or either of a combination's two."""
        return frozenset(self.top_two or (self.model,))


class Floor(_Strict):
    top1: float = Field(ge=0, le=1)
    top2: float = Field(ge=0, le=1)


class CalibrationSet(_Strict):
    floor: Floor
    programs: tuple[Program, ...] = Field(min_length=1)


class Deciding(_Strict):
    """An answer that put the winner ahead of the expected model, and by how many points."""

    question: str
    answer: str
    points: float


class Outcome(_Strict):
    program: str
    model: str
    expected: tuple[str, ...]
    ranking: tuple[str, ...]
    scores: tuple[float, ...]
    top1: bool
    top2: bool
    deciding: tuple[Deciding, ...] = ()  # for a miss: what decided it


class Rates(_Strict):
    programs: int
    top1: float
    top2: float


class Report(_Strict):
    catalogue_version: str
    overall: Rates
    by_model: dict[str, Rates]
    confusion: dict[str, dict[str, int]]  # named model -> model ranked first -> programs
    outcomes: tuple[Outcome, ...]
    floor: Floor

    @property
    def passed(self) -> bool:
        return self.overall.top1 >= self.floor.top1 and self.overall.top2 >= self.floor.top2


def load(path: Path) -> CalibrationSet:
    """Read and check a calibration file; CatalogueError names the file and the place."""
    data = read_yaml(path)
    try:
        return CalibrationSet.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = " → ".join(str(p) for p in first["loc"])
        raise CatalogueError(f"{path}: {where}: {first['msg']}") from None


def evaluate(catalogue: Catalogue, calibration: CalibrationSet, source: str = "") -> Report:
    """Score every program and count how often the expected models come first."""
    outcomes = [_outcome(catalogue, p, source) for p in calibration.programs]
    models = catalogue.model_ids
    confusion = {m: dict.fromkeys(models, 0) for m in models}
    for outcome in outcomes:
        confusion[outcome.model][outcome.ranking[0]] += 1
    return Report(
        catalogue_version=catalogue.version,
        overall=_rates(outcomes),
        by_model={m: _rates([o for o in outcomes if o.model == m]) for m in models},
        confusion=confusion,
        outcomes=tuple(outcomes),
        floor=calibration.floor,
    )


def _outcome(catalogue: Catalogue, program: Program, source: str) -> Outcome:
    answers = {qid: supported.answer for qid, supported in program.answers.items()}
    try:
        result = engine.score(catalogue, answers)
    except InvalidInput as exc:
        problems = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise CatalogueError(f"{source}: program '{program.id}': {problems}") from None
    ranking = tuple(m.model for m in result.ranking)
    top_two = set(ranking[:2])
    top1 = ranking[0] in program.expected
    top2 = program.expected <= top_two if program.top_two else program.model in top_two
    return Outcome(
        program=program.id,
        model=program.model,
        expected=tuple(sorted(program.expected)),
        ranking=ranking,
        scores=tuple(m.score for m in result.ranking),
        top1=top1,
        top2=top2,
        deciding=() if top1 else _deciding(result, program.model),
    )


def _deciding(result: Result, expected: str) -> tuple[Deciding, ...]:
    """The answers where the winner gained most over the expected model (red flags count
    against the answer they are shown with)."""
    by_model = {m.model: m for m in result.ranking}
    gaps: dict[tuple[str, str], float] = defaultdict(float)
    for c in by_model[result.recommended].contributions:
        gaps[(c.question, c.answer)] += c.points
    for c in by_model[expected].contributions:
        gaps[(c.question, c.answer)] -= c.points
    ranked = sorted(gaps.items(), key=lambda item: item[1], reverse=True)
    largest = [(key, gap) for key, gap in ranked if gap > 0][:MAX_DECIDING]
    return tuple(Deciding(question=q, answer=a, points=round(g, 1)) for (q, a), g in largest)


def _rates(outcomes: Sequence[Outcome]) -> Rates:
    count = len(outcomes)
    return Rates(
        programs=count,
        top1=sum(o.top1 for o in outcomes) / count if count else 0.0,
        top2=sum(o.top2 for o in outcomes) / count if count else 0.0,
    )


def render(catalogue: Catalogue, report: Report) -> str:
    """The report as plain text: rates overall and per model, the confusion matrix, misses."""
    short = {m.id: m.short_name for m in catalogue.models}
    lines = [
        f"catalogue {report.catalogue_version}: {report.overall.programs} documented programs",
        "",
        f"{'model':<18}{'programs':>9}{'top-1':>8}{'top-2':>8}",
    ]
    for model_id, rates in report.by_model.items():
        lines.append(
            f"{short[model_id]:<18}{rates.programs:>9}{rates.top1:>8.0%}{rates.top2:>8.0%}"
        )
    overall = report.overall
    lines += [f"{'all':<18}{overall.programs:>9}{overall.top1:>8.0%}{overall.top2:>8.0%}", ""]
    names = [short[m] for m in report.confusion]
    width = max(len(n) for n in names) + 2
    lines.append("named \\ ranked first".ljust(22) + "".join(n.rjust(width) for n in names))
    for model_id, row in report.confusion.items():
        lines.append(short[model_id].ljust(22) + "".join(str(v).rjust(width) for v in row.values()))
    misses = [o for o in report.outcomes if not o.top1]
    if misses:
        lines += ["", "misses (what put the winner ahead of the named model):"]
    for o in misses:
        ahead = ", ".join(f"{d.question}={d.answer} +{d.points:.1f}" for d in o.deciding)
        lines.append(
            f"  {o.program}: {short[o.ranking[0]]} first, {short[o.model]} "
            f"#{o.ranking.index(o.model) + 1}: {ahead or 'no single answer'}"
        )
    floor = report.floor
    verdict = "ok" if report.passed else "BELOW THE FLOOR"
    lines += [
        "",
        f"{verdict}: top-1 {overall.top1:.0%} (floor {floor.top1:.0%}), "
        f"top-2 {overall.top2:.0%} (floor {floor.top2:.0%})",
    ]
    return "\n".join(lines)
