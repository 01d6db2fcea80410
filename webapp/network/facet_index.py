"""The catalogue's filter index: each offer's target groups, needs and zones as rows of `offer_facet`, kept true on
every write, so that a filter reads a B-tree range instead of testing the JSON lists of every offer.

Why rows rather than the JSON columns: testing a JSON list (`instr`/`strpos` of the item's JSON string) has to read
every offer, so the filters' cost grew with the catalogue (bench/catalogue.py, issue #8: 3 ms per 1,000 offers);
`(kind, value, offer_id)` as the primary key gives the offers of one target group, need or zone as one index range
on SQLite and PostgreSQL alike. The JSON columns stay the offers' data (forms, APIs, exports read them); this table
is derived from them, like `offer_search_term` from the offers' text (webapp/network/search_index.py).

What is indexed: every offer, active or not, whatever its organization's status (those conditions stay in the
query, so deactivating an offer or suspending an organization needs no reindexing); each distinct string item of
its lists, and each pair of a target group or a need with a zone (`PAIR_KINDS`, what a filter with a zone reads).
An item longer than the column (never a vocabulary code) is not indexed and a filter for such a value matches
nothing.

How it stays true: an `after_flush` listener reindexes the offers created in a flush, those whose lists changed and
those deleted (PostgreSQL's ON DELETE CASCADE does that too; SQLite does not enforce foreign keys here). The JSON
columns are not mutation-tracked: the services assign new lists, which is what the listener sees. Writes around the
ORM (bulk `insert(Offer)`) call `rebuild_facets`, which `search_index.rebuild_index` (`flask tessere catalog
reindex`, `tessere init` / `tessere demo` on an empty index) runs too.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Select, delete, event, false, inspect, intersect, select
from sqlalchemy.orm import Session

from forms.offers import WHOLE_TERRITORY
from webapp.network.bulk import insert_in_batches
from webapp.network.models import Offer, OfferFacet

# kind stored in the table -> the offer's JSON list column it comes from
FACET_COLUMNS = {"group": "target_groups", "need": "needs", "area": "areas"}
# Pairs of kinds stored too, one row per combination of the offer's items, value "item|zone": a filter on a target
# group (or a need) and a zone is then one index range holding just the offers having both, instead of the
# intersection of two ranges of a quarter of the catalogue each (bench/README.md: 6.9 -> 3.5 ms on SQLite at 10,000
# offers for the ~500 offers of a group in a zone).
PAIR_KINDS = {"group_area": ("group", "area"), "need_area": ("need", "area")}
PAIR_SEPARATOR = "|"
MAX_VALUE_LENGTH = 100  # the column's width
_FACETS = OfferFacet.__table__


def offer_facets(offer_id: int, lists: dict[str, list | None]) -> list[dict]:
    """The rows of one offer: `lists` maps each kind to the offer's JSON list (None or missing: no items)."""
    values_of = {kind: list(dict.fromkeys(v for v in lists.get(kind) or [] if _indexable(v))) for kind in FACET_COLUMNS}
    rows = [{"kind": kind, "value": value, "offer_id": offer_id} for kind in FACET_COLUMNS for value in values_of[kind]]
    for pair_kind, (first, second) in PAIR_KINDS.items():
        for one in values_of[first]:
            for other in values_of[second]:
                value = pair_value(one, other)
                if value is not None:
                    rows.append({"kind": pair_kind, "value": value, "offer_id": offer_id})
    return rows


def pair_value(one: str, other: str) -> str | None:
    """The value of a pair row, or None when these two items cannot make one unambiguously (an item holding the
    separator, or a pair longer than the column: never vocabulary codes). A filter on such items then uses the rows
    of each kind (`chosen_facets`), which exist for every item."""
    if PAIR_SEPARATOR in one or PAIR_SEPARATOR in other:
        return None
    value = f"{one}{PAIR_SEPARATOR}{other}"
    return value if _indexable(value) else None


def _indexable(value) -> bool:
    """A string the column can hold: no longer than its width, and without NUL (which PostgreSQL's text types
    refuse: a visitor's `?gruppo=%00` must find nothing, not fail). No vocabulary code is either."""
    return isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH and "\x00" not in value


def offers_with_facet(kind: str, values: Iterable[str]) -> Select:
    """Ids of the offers having one of `values` in their list of this kind (a range of the primary key)."""
    values = [v for v in values if _indexable(v)]
    if not values:
        return select(OfferFacet.offer_id).where(false())
    statement = select(OfferFacet.offer_id).where(OfferFacet.kind == kind)
    if len(values) == 1:
        return statement.where(OfferFacet.value == values[0])
    return statement.where(OfferFacet.value.in_(values))


def chosen_facets(target_group: str | None, need: str | None, area: str | None) -> list[tuple[str, list[str]]]:
    """The filters chosen, as (kind, values) an offer must have one of each: a zone also admits the offers of the
    whole territory (forms.offers.area_matches). With a zone, the need (or else the target group) and the zone are
    one facet of a pair kind (`PAIR_KINDS`): the offers having both. The most selective first (a need belongs to one
    target group), which is the order the candidates of a word search are tested in."""
    zones = ([area] if area == WHOLE_TERRITORY else [area, WHOLE_TERRITORY]) if area else []
    facets = []
    if need:
        facets.append(("need", [need]))
    if target_group:
        facets.append(("group", [target_group]))
    if zones:
        first_kind, first_values = facets[0] if facets else (None, [])
        pair_kind = next((kind for kind, (one, _) in PAIR_KINDS.items() if one == first_kind), None)
        pairs = [pair_value(value, zone) for value in first_values for zone in zones]
        if pair_kind is not None and None not in pairs:
            facets[0] = (pair_kind, pairs)
        else:
            facets.append(("area", zones))
    return facets


def restrict_to_facets(statement: Select, facets: list[tuple[str, list[str]]], start_here: bool) -> Select:
    """`statement` (a SELECT from `Offer`) kept to the offers having every facet of `facets` (`chosen_facets`).

    `start_here`: the offers having them all are found in the index alone, as the INTERSECT of one primary-key
    range per facet, and the statement reads just those offers by primary key. Measured at 10,000 offers on
    SQLite (bench/catalogue.py): a group and a zone, 654 offers of about 2,900 and 2,600 candidates, 6 ms of CPU,
    against 13.5 ms when the first facet's offers were joined and each tested for the others (a correlated EXISTS
    per offer, after reading its row); with plain `IN`s in the offer's WHERE, SQLite (no statistics) started from
    the approved organizations and probed every offer of each: seconds. Without `start_here` (a word search already
    gives a few candidates) each facet is a test of the candidate (`has_facet`)."""
    if not facets:
        return statement
    if start_here:
        ranges = [offers_with_facet(kind, values) for kind, values in facets]
        return statement.where(Offer.id.in_(intersect(*ranges) if len(ranges) > 1 else ranges[0]))
    return statement.where(*(has_facet(kind, values) for kind, values in facets))


def has_facet(kind: str, values: list[str]):
    """The offer has one of `values` in its list of this kind: a correlated EXISTS, i.e. one probe of the primary
    key per candidate offer. An `IN (subquery)` made SQLite build the list of every offer of that group or zone
    (thousands) at each search, for the few candidates that the words leave."""
    return offers_with_facet(kind, values).where(OfferFacet.offer_id == Offer.id).exists()


def reindex_offer_facets(connection: Connection, offer_ids: Iterable[int]) -> int:
    """Replace the rows of these offers with their current lists (as the database has them); deleted offers just
    lose theirs. Returns the number of rows written."""
    offer_ids = set(offer_ids)
    if not offer_ids:
        return 0
    connection.execute(delete(_FACETS).where(_FACETS.c.offer_id.in_(offer_ids)))
    return _write_facets(connection, Offer.id.in_(offer_ids))


def rebuild_facets(connection: Connection) -> int:
    """Rebuild the whole table from the offers' lists (idempotent). Returns the number of rows written."""
    connection.execute(delete(_FACETS))
    return _write_facets(connection, None)


def facets_missing(connection: Connection) -> bool:
    """True when the table is empty while offers exist (a database from before it, or offers written around the
    ORM), or when it was built before the pair rows (an offer has a target group and a zone but no pair row exists):
    `search_index.build_index_if_empty` (`tessere init`) then builds it."""
    if connection.execute(select(_FACETS.c.offer_id).limit(1)).first() is None:
        return connection.execute(select(Offer.id).limit(1)).first() is not None
    if connection.execute(select(_FACETS.c.offer_id).where(_FACETS.c.kind.in_(PAIR_KINDS)).limit(1)).first():
        return False
    groups, zones = _FACETS.alias("groups"), _FACETS.alias("zones")
    pairable = (
        select(groups.c.offer_id)
        .join(zones, (zones.c.offer_id == groups.c.offer_id) & (zones.c.kind == "area"))
        .where(groups.c.kind == "group")
        .limit(1)
    )
    return connection.execute(pairable).first() is not None


def _write_facets(connection: Connection, which) -> int:
    columns = [getattr(Offer, column) for column in FACET_COLUMNS.values()]
    statement = select(Offer.id, *columns)
    if which is not None:
        statement = statement.where(which)
    rows = (
        row
        for offer_id, *lists in connection.execute(statement).all()
        for row in offer_facets(offer_id, dict(zip(FACET_COLUMNS, lists, strict=True)))
    )
    return insert_in_batches(connection, _FACETS, rows)


@event.listens_for(Session, "after_flush")
def _keep_facets_true(session: Session, flush_context) -> None:
    """Reindex the offers whose lists this flush wrote (the rows are written, and new offers have ids, by now)."""
    offer_ids = {instance.id for instance in session.new if isinstance(instance, Offer)}
    offer_ids.update(instance.id for instance in session.deleted if isinstance(instance, Offer))
    for instance in session.dirty:
        if isinstance(instance, Offer):
            attributes = inspect(instance).attrs
            if any(attributes[column].history.has_changes() for column in FACET_COLUMNS.values()):
                offer_ids.add(instance.id)
    if offer_ids:
        reindex_offer_facets(session.connection(bind_arguments={"mapper": inspect(Offer)}), offer_ids)
