"""Build WTForms choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def choice_pairs(field_choices) -> list[tuple]:
    """(value, label) of a field's choices, whatever form they were given in."""
    pairs = []
    for item in field_choices or []:
        if isinstance(item, SelectChoice):
            pairs.append((item.value, item.label))
        else:
            pairs.append((item[0], item[1]))
    return pairs
