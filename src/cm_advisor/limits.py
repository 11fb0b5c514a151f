"""How long the free text kept with a saved result may be: one definition for the form, the
API schema, the database and the pages' `maxlength`."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_MAX = 200
NOTES_MAX = 5000


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits as templates read them: `limits.label`, `limits.notes`."""

    label: int = LABEL_MAX
    notes: int = NOTES_MAX


LIMITS = Limits()
