"""What `cm-advisor check` asks of a catalogue beyond a valid structure: strong claims that
say what they rest on.

Not part of loading: the catalogue snapshots stored with old results predate references
and must still load, so these are findings for the person editing the catalogue."""

from __future__ import annotations

from cm_advisor.engine.types import Catalogue

STRONG = 2  # a fit of ±2 is a strong claim


def unsupported(catalogue: Catalogue) -> list[str]:
    """Every ±2 fit and every red flag that names no reference and is not marked as an
    assumption, as "rules → question → option → model" places."""
    found = []
    for qid, by_option in catalogue.rules.items():
        for oid, by_model in by_option.items():
            for mid, rule in by_model.items():
                if abs(rule.fit) == STRONG and not rule.refs and not rule.assumption:
                    found.append(f"rules → {qid} → {oid} → {mid} (fit {rule.fit:+d})")
    for flag in catalogue.red_flags:
        if not flag.refs and not flag.assumption:
            found.append(f"red_flags → {flag.id}")
    return found
