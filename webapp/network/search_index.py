"""The catalogue's word index: the words of each offer's public text in `offer_search_term`, kept true on every
write, so that a word search reads a B-tree range instead of every offer's title and description.

Why a table of words rather than `LIKE '%word%'`: a substring test has to read the text of every offer, so its cost
grows with the catalogue (bench/catalogue.py, issue #8); a word-prefix test is a range of one index on SQLite and on
PostgreSQL alike, with no extension (no pg_trgm, no FTS5) and the same answers on both.

What is indexed: the same text the search always matched, i.e. the offer's title, description and place, and its
organization's name. Every offer is indexed, active or not and whatever its organization's status: the search's
other conditions (active, approved) stay in the query, so taking an offer out of the catalogue or suspending an
organization needs no reindexing (and must not: withdrawing from the pact deactivates an organization's offers with
one bulk UPDATE, webapp/pact/services.py, which no ORM listener sees).

How it stays true: an `after_flush` listener on every SQLAlchemy session reindexes the offers whose indexed text
changed in that flush (new offers, edited title/description/place, an organization renamed, an offer moved to
another organization) and drops the terms of deleted offers (PostgreSQL's ON DELETE CASCADE does it too; SQLite
does not enforce foreign keys here). So the services, the demo loader, the membership review and the tests'
factories all keep it true without calling anything. Writes that bypass the ORM (bulk `insert(Offer)`, as
bench/catalogue.py does) call `rebuild_index`, as does `flask tessere catalog reindex`; it rebuilds the filters'
index too (webapp/network/facet_index.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import Connection, Select, delete, event, false, func, inspect, or_, select
from sqlalchemy.orm import Session

from webapp.network.bulk import insert_in_batches
from webapp.network.facet_index import facets_missing, rebuild_facets
from webapp.network.models import Offer, OfferSearchTerm, Organization

MAX_TERM_LENGTH = 60  # the column's width; longer words are indexed (and searched) by their first 60 characters
MIN_TERM_LENGTH = 2  # single letters and digits ("a", "e", "3") would match almost every offer
MAX_QUERY_TERMS = 8  # as before: a visitor's query is cut at eight words
# Greater than any character a term can hold (terms are letters and digits): `term < prefix + this` ends the range.
_AFTER_EVERY_CHARACTER = "\U0010ffff"
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits of any script; everything else separates words
OFFER_TEXT_FIELDS = ("title", "description", "location")
_TERMS = OfferSearchTerm.__table__


def search_terms(text: str | None) -> list[str]:
    """The words of `text` as the index stores them and as a query looks them up: lower case, accents folded
    ("Caffè" → "caffe"), split on anything that is not a letter or a digit, at least two characters, each once,
    in order of first appearance. The one normalization used for both sides, so they always agree."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = (word[:MAX_TERM_LENGTH] for word in _WORD.findall(folded) if len(word) >= MIN_TERM_LENGTH)
    return list(dict.fromkeys(words))


def offer_terms(title: str | None, description: str | None, location: str | None, organization_name: str | None):
    """Every term of an offer's searchable public text."""
    return search_terms(" ".join(part for part in (title, description, location, organization_name) if part))


def restrict_to_words(statement: Select, words: str | None, start_here: bool = True) -> Select:
    """`statement` (a SELECT from `Offer`) kept to the offers having all of a visitor's words: each word
    (normalized by `search_terms`) must be the beginning of some word of the offer. No words typed: unchanged.

    Each word is the range `term >= w AND term < w + U+10FFFF`, the prefix test written so that the primary key
    (term, offer_id) serves it on both databases. The first word's offers are joined as a set of ids, so the
    database starts from them and reads those offers by primary key (a plain `IN` let PostgreSQL scan every offer
    to hash-join them); the other words are `IN` tests on those few offers. A query whose words hold no term (only
    punctuation, `%`, `_`, single letters) matches nothing: `%` and `_` typed by a visitor were never wildcards.

    Without `start_here`, every word is a correlated EXISTS on the offer (`has_prefix`): for a statement that walks
    the offers in another order (titles) and stops early."""
    if not words or not words.split():
        return statement
    terms = query_terms(words)
    if not terms:
        return statement.where(false())
    if not start_here:
        return statement.where(*(has_prefix(term) for term in terms))
    first = offers_with_prefix(terms[0]).distinct().subquery("first_word")
    statement = statement.join(first, first.c.offer_id == Offer.id)
    return statement.where(*(Offer.id.in_(offers_with_prefix(term)) for term in terms[1:]))


def query_terms(words: str | None) -> list[str]:
    """The terms a visitor's words are looked up by (at most eight)."""
    return search_terms(words)[:MAX_QUERY_TERMS]


def has_prefix(term: str):
    """The offer has a word that begins with `term`: one probe of the primary key's range per offer tested."""
    return offers_with_prefix(term).where(OfferSearchTerm.offer_id == Offer.id).exists()


def index_entries_at_least(connection: Connection, term: str, bound: int) -> bool:
    """Whether `term`'s range holds at least `bound` entries: reads at most `bound` entries of the index, so it
    says cheaply whether a word is common (an entry is one word of one offer: about one per matching offer)."""
    entries = select(OfferSearchTerm.offer_id).where(
        OfferSearchTerm.term >= term, OfferSearchTerm.term < term + _AFTER_EVERY_CHARACTER
    )
    counted = connection.execute(select(func.count()).select_from(entries.limit(bound).subquery())).scalar()
    return (counted or 0) >= bound


def offers_with_prefix(term: str) -> Select:
    """Ids of the offers having a word that begins with `term` (a range of the primary key; may repeat an id)."""
    return select(OfferSearchTerm.offer_id).where(
        OfferSearchTerm.term >= term, OfferSearchTerm.term < term + _AFTER_EVERY_CHARACTER
    )


def reindex_offers(
    connection: Connection,
    offer_ids: Iterable[int] = (),
    organization_ids: Iterable[int] = (),
) -> int:
    """Replace the terms of these offers and of every offer of these organizations with their current text (as
    the database has it). Returns the number of terms written."""
    offer_ids, organization_ids = set(offer_ids), set(organization_ids)
    if not offer_ids and not organization_ids:
        return 0
    which = or_(Offer.id.in_(offer_ids), Offer.organization_id.in_(organization_ids))
    connection.execute(delete(_TERMS).where(_TERMS.c.offer_id.in_(select(Offer.id).where(which))))
    if offer_ids:  # deleted offers are gone from `offer`: drop theirs by id too
        connection.execute(delete(_TERMS).where(_TERMS.c.offer_id.in_(offer_ids)))
    return _write_terms(connection, which)


def rebuild_index(connection: Connection) -> int:
    """Rebuild the whole index from the offers' text (idempotent), and the filters' index with it
    (webapp/network/facet_index.py: `flask tessere catalog reindex` rebuilds both). Returns the number of terms
    written."""
    rebuild_facets(connection)
    connection.execute(delete(_TERMS))
    return _write_terms(connection, None)


def build_index_if_empty(connection: Connection) -> int | None:
    """Build the index when it is empty while offers exist (a database from before the index, or offers written
    around the ORM); None when it was not needed. The filters' index likewise (built alone, silently, when only it
    is missing). `tessere init` and `tessere demo` run it."""
    if connection.execute(select(_TERMS.c.offer_id).limit(1)).first() is not None:
        if facets_missing(connection):
            rebuild_facets(connection)
        return None
    if connection.execute(select(Offer.id).limit(1)).first() is None:
        return None
    return rebuild_index(connection)


def _write_terms(connection: Connection, which) -> int:
    statement = select(Offer.id, Offer.title, Offer.description, Offer.location, Organization.name).join(
        Organization, Organization.id == Offer.organization_id
    )
    if which is not None:
        statement = statement.where(which)
    rows = (
        {"term": term, "offer_id": offer_id}
        for offer_id, title, description, location, organization_name in connection.execute(statement).all()
        for term in offer_terms(title, description, location, organization_name)
    )
    return insert_in_batches(connection, _TERMS, rows)


def _changed(instance, names: Iterable[str]) -> bool:
    attributes = inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep_index_true(session: Session, flush_context) -> None:
    """Reindex what this flush changed (the rows are written, and new offers have their ids, by now)."""
    offer_ids: set[int] = set()
    organization_ids: set[int] = set()
    for instance in session.new:
        if isinstance(instance, Offer):
            offer_ids.add(instance.id)
    for instance in session.dirty:
        if isinstance(instance, Offer) and _changed(instance, (*OFFER_TEXT_FIELDS, "organization_id")):
            offer_ids.add(instance.id)
        elif isinstance(instance, Organization) and _changed(instance, ("name",)):
            organization_ids.add(instance.id)
    for instance in session.deleted:
        if isinstance(instance, Offer):
            offer_ids.add(instance.id)
    if offer_ids or organization_ids:
        reindex_offers(session.connection(bind_arguments={"mapper": inspect(Offer)}), offer_ids, organization_ids)
