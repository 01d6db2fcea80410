"""Words matching most of the catalogue (webapp/network/services.py): the page is found by walking the offers in
title order, the total by a count; both must give exactly what the list of all matches gives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.network import services
from webapp.network.models import Organization
from webapp.network.services import search_offers


@pytest.fixture
def catalogue(app):
    """Thirty offers: most say "spesa", some are full, inactive, or of a suspended organization."""
    with app.app_context():
        approved = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        suspended = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_B_CF))
        for number in range(30):
            title = f"{'Borsa' if number % 3 else 'Carrello'} della spesa {number:02d}" + (
                " serale" * (number % 4 == 0)
            )
            offer = f.make_offer(
                db.session, approved if number % 7 else suspended, title, ["anziani"], ["spesa_farmaci"]
            )
            offer.active = number % 5 != 1
            offer.capacity_available = 0 if number % 2 else offer.capacity_available
        suspended.status = "suspended"
        db.session.commit()
    return app


def both_ways(app, monkeypatch, words: str, **kwargs):
    """(walked, listed): the same search with every word counted common (the walk) and with none (the list)."""
    results = []
    for common in (True, False):
        monkeypatch.setattr(services, "COMMON_WORD_ENTRIES", 1 if common else 10**9)
        with app.app_context():
            offers, total = search_offers(db.session, words, **kwargs)
            results.append(([o.title for o in offers], total))
    return results


@pytest.mark.parametrize(
    "words, kwargs",
    [
        ("spesa", {"limit": 7}),
        ("spesa", {"limit": 7, "offset": 7}),
        ("spesa", {"limit": 7, "offset": 14}),
        ("spesa", {"limit": 50}),
        ("spesa", {"limit": 7, "offset": 100}),
        ("della spe", {"limit": 5, "offset": 3}),
        ("spesa serale", {"limit": 4}),
        ("spesa", {"limit": 5, "available_only": True}),
        ("carrello spesa", {"limit": 3, "offset": 2, "available_only": True}),
        ("spesa nessuno", {"limit": 5}),
    ],
)
def test_walking_the_titles_gives_the_same_page_and_total_as_listing_every_match(catalogue, monkeypatch, words, kwargs):
    walked, listed = both_ways(catalogue, monkeypatch, words, **kwargs)
    assert walked == listed


def test_a_query_is_walked_only_when_every_word_is_common(catalogue, monkeypatch):
    monkeypatch.setattr(services, "COMMON_WORD_ENTRIES", 20)
    with catalogue.app_context():
        assert services.words_are_common(db.session, "spesa della")  # 30 offers say both
        assert not services.words_are_common(db.session, "spesa serale")  # 8 say "serale"
        assert not services.words_are_common(db.session, "%")  # no term at all
