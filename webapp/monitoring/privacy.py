"""Statistical disclosure control for the monitoring figures: small counts of special categories are hidden.

The rule (GDPR art. 9 data: violence, mental health, disability): a cell counting from one to four people, any of
whom belongs to a special-category target group, is shown as "<5". Hiding that one cell is not enough when the
table prints totals: the total minus the visible cells would give it back. So, after the primary suppression,
every linear relation of the table — a row's parts adding up to its total column, a column's rows adding up to
the "Totale" row — that has exactly one hidden cell gets a second one hidden (the smallest visible non-zero cell
of the relation), until no relation can be solved for a hidden cell. Shares and medians computed from hidden
cells, or from fewer than five special-category people, are hidden too. Primary cells read "<5"; the others
"n.d." (a complementary cell may hold any number, so "<5" there would mislead).

Zero is shown: "nobody" reveals nobody.
"""

from __future__ import annotations

from forms.vocabulary import SPECIAL_CATEGORY_GROUPS
from webapp.monitoring.tables import COUNT, PRIMARY, SECONDARY, Cell, FigureTable

THRESHOLD = 5
MAX_ROUNDS = 50


def is_special_group(target_group: str | None) -> bool:
    return target_group in SPECIAL_CATEGORY_GROUPS


def needs_primary_suppression(cell: Cell) -> bool:
    """A count of 1..4 people, at least one of a special category."""
    if not cell.special or cell.value is None or cell.suppressed:
        return False
    people = cell.people if cell.people is not None else cell.value
    return isinstance(people, (int, float)) and 0 < people < THRESHOLD and bool(cell.value)


def suppress(table: FigureTable) -> FigureTable:
    """Apply primary and complementary suppression in place; returns the table."""
    counts = [c for c in table.columns if c.kind == COUNT]
    for row in table.all_rows():
        for column in counts:
            cell = row.cells.get(column.key)
            if cell is not None and needs_primary_suppression(cell):
                cell.hidden = PRIMARY
    if any(cell.suppressed for row in table.all_rows() for cell in row.cells.values()):
        _complementary(table)
    _derived(table)
    return table


def _relations(table: FigureTable) -> list[list[Cell]]:
    """Every set of cells bound by one sum: (parts + total) of a row, (rows + Totale) of a column."""
    relations: list[list[Cell]] = []
    parts = [c.key for c in table.columns if c.part and c.kind == COUNT]
    totals = [c.key for c in table.columns if c.total and c.kind == COUNT]
    if parts and totals:
        for row in table.all_rows():
            cells = [row.cells[k] for k in [*parts, totals[0]] if k in row.cells]
            relations.append(cells)
    if table.total is not None:
        for column in table.columns:
            if column.kind != COUNT:
                continue
            cells = [row.cells[column.key] for row in table.all_rows() if column.key in row.cells]
            relations.append(cells)
    return relations


def _complementary(table: FigureTable) -> None:
    relations = _relations(table)
    for _ in range(MAX_ROUNDS):
        changed = False
        for cells in relations:
            hidden = [c for c in cells if c.suppressed]
            if len(hidden) != 1:
                continue
            candidates = [c for c in cells if not c.suppressed and isinstance(c.value, (int, float)) and c.value > 0]
            if not candidates:
                continue
            min(candidates, key=lambda c: c.value).hidden = SECONDARY
            changed = True
        if not changed:
            return


def _derived(table: FigureTable) -> None:
    """Hide shares and medians that would reveal a hidden count, or describe fewer than five special people."""
    for row in table.all_rows():
        for column in table.columns:
            if column.kind == COUNT or not column.depends_on:
                continue
            cell = row.cells.get(column.key)
            if cell is None:
                continue
            sources = [row.cells[k] for k in column.depends_on if k in row.cells]
            if any(s.suppressed for s in sources) or needs_primary_suppression(
                Cell(value=cell.people if cell.people is not None else None, people=cell.people, special=cell.special)
            ):
                cell.hidden = SECONDARY
