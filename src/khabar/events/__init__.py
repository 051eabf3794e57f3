"""Event coding: PLOVER ontology, Arabic verb patterns, actors, the coder and quotes."""

from __future__ import annotations

from typing import Any


def is_asserted(event: dict[str, Any]) -> bool:
    """Whether a coded event is reported as happening (not negated, not future, conditional or hypothetical)."""
    return not event.get("negated") and event.get("modality", "asserted") == "asserted"
