"""The catalogue search done by the database (filters, count, page; see bench/catalogue.py): same answers as
before, exact list items, typed wildcards taken literally, and a page bar that stays short with many offers."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from webapp.catalog.views import page_links
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.network.services import search_offers


def _titles(offers) -> list[str]:
    return [o.title for o in offers]


def test_list_filters_match_whole_items_only_and_the_whole_territory_matches_every_zone(app):
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        near = f.make_offer(db.session, organization, "Spesa vicina", ["anziani"], ["spesa_farmaci"])
        near.areas = ["capalle"]
        everywhere = f.make_offer(db.session, organization, "Spesa ovunque", ["anziani"], ["spesa_farmaci"])
        everywhere.areas = ["tutto_il_comune"]
        prefix = f.make_offer(db.session, organization, "Codice più lungo", ["anziani_x"], ["spesa_farmaci_x"])
        prefix.areas = ["capalle_x"]
        db.session.commit()

        by_group, total = search_offers(db.session, target_group="anziani")
        assert "Codice più lungo" not in _titles(by_group) and total == len(by_group)
        by_need, _ = search_offers(db.session, need="spesa_farmaci")
        assert _titles(by_need) == ["Spesa ovunque", "Spesa vicina"]
        in_capalle, _ = search_offers(db.session, area="capalle", need="spesa_farmaci")
        assert _titles(in_capalle) == ["Spesa ovunque", "Spesa vicina"]
        elsewhere, _ = search_offers(db.session, area="limite", need="spesa_farmaci")
        assert _titles(elsewhere) == ["Spesa ovunque"]


def test_count_and_page_come_from_the_database_in_title_order(app):
    with app.app_context():
        every, total = search_offers(db.session, limit=100)
        assert total == len(every) == db.session.query(Offer).count()
        assert _titles(every) == sorted(_titles(every))
        second, total_again = search_offers(db.session, limit=2, offset=2)
        assert total_again == total and _titles(second) == _titles(every)[2:4]
        past_the_end, still_counted = search_offers(db.session, limit=2, offset=total + 10)
        assert past_the_end == [] and still_counted == total


def test_percent_and_underscore_typed_by_a_visitor_are_not_wildcards(app):
    with app.app_context():
        assert search_offers(db.session, "%")[1] == 0
        assert search_offers(db.session, "_")[1] == 0
        assert search_offers(db.session, "PACCHI")[1] == 1  # words still ignore case


def test_the_page_bar_shows_the_ends_and_the_pages_around_the_current_one():
    assert page_links(1, 1) == [1]
    assert page_links(3, 7) == [1, 2, 3, 4, 5, 6, 7]
    assert page_links(250, 500) == [1, None, 248, 249, 250, 251, 252, None, 500]
    assert page_links(500, 500) == [1, None, 498, 499, 500]
