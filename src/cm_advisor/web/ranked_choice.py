"""A multi-choice question (``outcomes``) as a form: one checkbox per option, named after
the question, each with an optional order field ``<question>_order_<option>`` (1 counts
most). Ticked options count in the order numbered, then as listed, so nothing can be chosen
twice and no JavaScript is needed (enhance.js numbers them as they are ticked). The older
numbered fields of saved links and drafts (``outcomes_1`` …) are still read."""

from __future__ import annotations

import math
from collections.abc import Mapping

from cm_advisor.engine import Question

ORDER_INFIX = "_order_"


def slots(question: Question) -> tuple[str, ...]:
    """The older field names of a multi-choice question (``outcomes_1`` …), first priority
    first: still read from saved links and drafts, no longer shown."""
    count = min(question.max_choices or len(question.options), len(question.options))
    return tuple(f"{question.id}_{i}" for i in range(1, count + 1))


def order_field(question: Question, option_id: str) -> str:
    """The order field beside one checkbox of a multi-choice question."""
    return f"{question.id}{ORDER_INFIX}{option_id}"


def chosen(question: Question, fields: Mapping[str, str]) -> list[str]:
    """A multi-choice question's options as kept fields hold them, in priority order (also
    the older numbered fields of a draft saved before the checkboxes)."""
    if any(fields.get(name) for name in slots(question)):
        return [v for name in slots(question) if (v := fields.get(name, ""))]
    return [p for p in fields.get(question.id, "").split(",") if p]


def parse(
    question: Question, form: Mapping[str, object], kept: dict[str, str], errors: dict[str, str]
) -> list[str]:
    """A multi-choice question's ticked options, first priority first; kept as the form
    shows them again (the ids in order, and each ticked option's place)."""
    if any(name in form for name in slots(question)):  # a link or draft from before
        picked = [v for name in slots(question) if (v := _text(form.get(name)))]
        if len(set(picked)) != len(picked):
            noun = question.title.lower().removesuffix("s") or "option"
            errors[question.id] = f"Choose each {noun} only once."
        ordered = list(dict.fromkeys(picked))
    else:
        ticked = [p.strip() for v in _values(form, question.id) for p in v.split(",")]
        ticked = list(dict.fromkeys(p for p in ticked if p))  # a value sent twice counts once
        places: dict[str, int] = {}
        for option in question.options:
            name = order_field(question, option.id)
            raw = kept[name] = _text(form.get(name))
            place = _place(raw)
            if raw and (place is None or not 1 <= place <= len(question.options)):
                errors[question.id] = (
                    f"Number the order from 1 to {len(question.options)}, "
                    f"or leave it blank (“{raw[:10]}” for “{option.short_label}”)."
                )
            elif place is not None:
                places[option.id] = place
        position = {option: i for i, option in enumerate(ticked)}
        ordered = sorted(ticked, key=lambda o: (places.get(o, math.inf), position[o]))
    kept[question.id] = ",".join(ordered)
    if question.id not in errors:  # show the order as it counts
        for option in question.options:
            place = ordered.index(option.id) + 1 if option.id in ordered else None
            kept[order_field(question, option.id)] = str(place) if place else ""
    return ordered


def _values(form: Mapping[str, object], name: str) -> list[str]:
    """Every value sent under a name: a form's or query's repeated fields, or one value."""
    getlist = getattr(form, "getlist", None)
    value = form.get(name)
    values = getlist(name) if callable(getlist) else value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _place(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
