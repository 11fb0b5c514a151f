"""How long the free text kept with a saved result or a group round may be, and how many
roles and responses a round holds: one definition for the form, the API schema, the
database and the pages' `maxlength`."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_MAX = 200
NOTES_MAX = 5000
ROLE_MAX = 60  # characters of one role's name
ROLES_MAX = 12  # roles a round may list
INITIALS_MAX = 8
RESPONSES_MAX = 200  # responses one round takes


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits as templates read them: `limits.label`, `limits.notes`, `limits.role`."""

    label: int = LABEL_MAX
    notes: int = NOTES_MAX
    role: int = ROLE_MAX
    roles: int = ROLES_MAX
    initials: int = INITIALS_MAX
    responses: int = RESPONSES_MAX


LIMITS = Limits()
