"""Why each model scored as it did: contributions, reasons, concerns, and what puts a
lower-ranked model behind the winner."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from cm_advisor.engine.compiled import matching
from cm_advisor.engine.ranking import Scored
from cm_advisor.engine.results import AnswerValue, Contribution
from cm_advisor.engine.types import Catalogue
from cm_advisor.engine.wording import signed

FIT_LABELS: tuple[tuple[float, str], ...] = ((70, "strong"), (55, "good"), (40, "partial"))
MAX_REASONS = 3
MAX_CONCERNS = 4
MAX_BEHIND = 3
GAP_MIN = 0.05  # points: a smaller gap to the winner is not worth naming
_points = attrgetter("points")


@dataclass(frozen=True, slots=True)
class Explanation:
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    behind_top: tuple[str, ...]


def fit_label(score: float) -> str:
    return next((label for floor, label in FIT_LABELS if score >= floor), "weak")


def explain(catalogue: Catalogue, scored: Scored) -> list[Explanation]:
    """One explanation per model, in the catalogue's model order."""
    models = range(len(scored.table.models))
    fits = _fit_contributions(scored)
    flags = [_red_flag_contributions(catalogue, scored, m) for m in models]
    winner = scored.order[0]
    explanations = []
    for m in models:
        own = fits[m]
        strongest = sorted(own, key=_points, reverse=True)  # equal points keep answer order
        reasons = tuple(c.why for c in strongest[:MAX_REASONS] if c.points > 0)
        # Every red flag, then the most negative answers while there is room.
        room = max(0, MAX_CONCERNS - len(flags[m]))
        negatives = [c.why for c in sorted(own, key=_points) if c.points < 0][:room]
        concerns = (*(c.why for c in flags[m]), *negatives)
        behind = () if m == winner else _behind(catalogue, scored, fits, flags, m, winner)
        explanations.append(
            Explanation(
                contributions=(*own, *flags[m]),
                reasons=reasons,
                concerns=concerns,
                behind_top=behind,
            )
        )
    return explanations


def _fit_contributions(scored: Scored) -> list[list[Contribution]]:
    """Per model, the points each answered, weighted option gives it, in questionnaire
    order (every model has the same entries, in the same order)."""
    table, scale = scored.table, scored.scale
    entries = []  # (question, option, points per unit of fit, fits, whys)
    for qid, answer in scored.answers.items():
        weight = scored.weights[qid]
        if weight == 0:  # "not important": the answer's red flags still apply
            continue
        options = [answer] if isinstance(answer, str) else list(answer)
        shares = [1.0] if isinstance(answer, str) else table.shares(len(options))
        for option, share in zip(options, shares, strict=True):
            fits = table.fits[qid][option].tolist()
            entries.append((qid, option, scale * weight * share, fits, table.whys[qid][option]))
    return [
        [Contribution(q, o, unit * fits[m], whys[m]) for q, o, unit, fits, whys in entries]
        for m in range(len(table.models))
    ]


def _red_flag_contributions(catalogue: Catalogue, scored: Scored, model: int) -> list[Contribution]:
    """A model's raised red flags, each shown against the answer that raised it."""
    found = []
    for f in scored.raised:
        flag = scored.table.flags[f]
        if flag.model != model:
            continue
        alternative = matching(flag.alternatives, scored.answers)
        assert alternative is not None  # it was raised
        question = alternative[0][0]
        found.append(
            Contribution(
                question=question,
                answer=_as_text(scored.answers[question]),
                points=-flag.penalty,
                why=catalogue.red_flags[f].concern,
                kind="red_flag",
            )
        )
    return found


def _as_text(answer: AnswerValue) -> str:
    return answer if isinstance(answer, str) else ", ".join(answer)


def _behind(
    catalogue: Catalogue,
    scored: Scored,
    fits: list[list[Contribution]],
    flags: list[list[Contribution]],
    model: int,
    winner: int,
) -> tuple[str, ...]:
    """What counts against a model compared with the winner, largest gap first.

    Per answer, the gap is the winner's points less the model's; a red flag widens the
    gap at the answer it is shown against (the winner's narrows it). Where the model
    itself loses points, its own rule says why; where it only gains less than the
    winner, the sentence says so, so a strength is never listed as a weakness."""
    own = list(fits[model])  # per entry: the model's own contribution
    gaps = [theirs.points - mine.points for mine, theirs in zip(own, fits[winner], strict=True)]
    if flags[model] or flags[winner]:
        entry = {(c.question, c.answer): e for e, c in enumerate(own)}
        for c in flags[model]:
            e = entry.get((c.question, c.answer))
            if e is None:
                own.append(c)
                gaps.append(-c.points)
            else:
                own[e] = c  # the red flag's words describe this answer best
                gaps[e] -= c.points
        for c in flags[winner]:
            e = entry.get((c.question, c.answer))
            if e is not None:
                gaps[e] += c.points
    texts: list[str] = []
    for e in sorted(range(len(gaps)), key=gaps.__getitem__, reverse=True):  # ties keep order
        if gaps[e] <= GAP_MIN or len(texts) == MAX_BEHIND:
            break
        mine = own[e]
        question = catalogue.question(mine.question)
        if mine.kind == "red_flag" or mine.points < 0:
            texts.append(f"{question.title}: {mine.why}")
        else:
            label = question.option(mine.answer).short_label
            texts.append(
                f"{question.title}: “{label}” counts for more with "
                f"{catalogue.models[winner].short_name} ({signed(mine.points + gaps[e])}) than "
                f"with {catalogue.models[model].short_name} ({signed(mine.points)})."
            )
    return tuple(texts)
