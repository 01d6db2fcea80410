"""The catalogue's filter index (webapp/network/facet_index.py): the rows of `offer_facet` always say what the
offers' JSON lists say (target groups, needs, zones), through creation, edits, deactivation, deletion, changes of the
organization, writes around the ORM and the CLI; and the filters read them with the same results as before."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from tests import factories as f
from tests.test_api import Api, token_for
from tests.test_offers import offer_by_title, offer_form, signed
from webapp.extensions import db
from webapp.network.facet_index import FACET_COLUMNS
from webapp.network.models import Offer, OfferFacet, OfferSearchTerm, Organization
from webapp.network.search_index import build_index_if_empty
from webapp.network.services import search_offers


def filtered(app, **filters) -> set[str]:
    with app.app_context():
        offers, total = search_offers(db.session, limit=100, **filters)
        assert total == len(offers)
        return {o.title for o in offers}


def assert_facets_true(app) -> None:
    """Every offer's rows are exactly the items of its lists, and no row belongs to an offer that is gone."""
    with app.app_context():
        expected = set()
        for offer in db.session.scalars(select(Offer)):
            for kind, column in FACET_COLUMNS.items():
                expected.update((kind, value, offer.id) for value in getattr(offer, column) or [])
        stored = {
            tuple(row) for row in db.session.execute(select(OfferFacet.kind, OfferFacet.value, OfferFacet.offer_id))
        }
        assert stored == expected


def organization_a(session) -> Organization:
    return session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))


def test_a_new_offer_is_filtered_by_its_lists_at_once(app):
    with app.app_context():
        organization = organization_a(db.session)
        offer = f.make_offer(db.session, organization, "Spesa a domicilio", ["anziani"], ["spesa_farmaci"])
        offer.areas = ["capalle", "fornello"]
        db.session.commit()
    assert_facets_true(app)
    assert filtered(app, target_group="anziani", need="spesa_farmaci") == {"Spesa a domicilio"}
    assert filtered(app, area="fornello", target_group="anziani") == {"Spesa a domicilio"}
    assert filtered(app, area="limite", target_group="anziani") == set()


def test_edited_lists_are_filtered_by_the_new_items_and_no_longer_by_the_old_ones(app, login):
    signed(app, f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    assert "Pacchi alimentari" in filtered(app, target_group="poverta", need="generi_alimentari")
    operator = login(f.OPERATOR_A)
    edited = offer_form(offer, target_groups=["anziani"], needs=["spesa_farmaci"], areas=["san_donnino"])
    assert operator.post(f"/le-nostre-offerte/{offer.id}", data=edited).status_code == 302

    assert_facets_true(app)
    assert "Pacchi alimentari" not in filtered(app, target_group="poverta")
    assert "Pacchi alimentari" not in filtered(app, need="generi_alimentari")
    assert filtered(app, target_group="anziani", need="spesa_farmaci", area="san_donnino") == {"Pacchi alimentari"}
    assert filtered(app, target_group="anziani", area="centro") == set()


def test_a_list_changed_in_place_by_assignment_in_the_same_session_is_reindexed(app):
    with app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.title == "Mensa solidale"))
        offer.areas = ["tutto_il_comune"]
        db.session.flush()
        # read back inside the same transaction, as a view would after an edit
        assert "Mensa solidale" in {o.title for o in search_offers(db.session, area="palagetta")[0]}
        db.session.commit()
    assert_facets_true(app)


def test_deactivation_and_suspension_hide_offers_from_the_filters_until_undone(app, login):
    signed(app, f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    operator = login(f.OPERATOR_A)
    assert operator.post(f"/le-nostre-offerte/{offer.id}/disattiva").status_code == 302
    assert "Pacchi alimentari" not in filtered(app, target_group="poverta")
    assert operator.post(f"/le-nostre-offerte/{offer.id}/riattiva").status_code == 302
    assert "Pacchi alimentari" in filtered(app, target_group="poverta")
    with app.app_context():
        organization = organization_a(db.session)
        organization.name = "Banco Alimentare Bisenzio"  # renaming changes no list
        organization.status = "suspended"
        db.session.commit()
    assert filtered(app, target_group="poverta") == {"Mensa solidale"}
    with app.app_context():
        organization_a(db.session).status = "approved"
        db.session.commit()
    assert filtered(app, target_group="poverta") == {"Mensa solidale", "Pacchi alimentari"}
    assert_facets_true(app)


def test_a_deleted_offer_leaves_no_rows_behind(app):
    offer_id = offer_by_title(app, "Mensa solidale").id
    with app.app_context():
        db.session.delete(db.session.get(Offer, offer_id))
        db.session.commit()
        assert db.session.scalars(select(OfferFacet).where(OfferFacet.offer_id == offer_id)).all() == []
    assert filtered(app, need="mensa") == set()
    assert_facets_true(app)


def test_offers_written_around_the_orm_are_filtered_after_the_cli_reindex(app, runner):
    with app.app_context():
        db.session.execute(
            insert(Offer),
            [f.laundry_offer_row(organization_a(db.session).id, areas=["limite"])],
        )
        db.session.commit()
    assert "Lavanderia sociale" not in filtered(app, need="riuso")
    first = runner.invoke(args=["tessere", "catalog", "reindex"])
    assert first.exit_code == 0, first.output
    assert filtered(app, need="riuso", area="limite") == {"Lavanderia sociale"}
    assert_facets_true(app)
    second = runner.invoke(args=["tessere", "catalog", "reindex"])
    assert second.exit_code == 0 and second.output == first.output
    assert_facets_true(app)


def test_a_missing_filter_index_is_built_as_init_and_demo_do(app):
    with app.app_context():
        db.session.execute(delete(OfferFacet))
        db.session.commit()
    assert filtered(app, target_group="poverta") == set()
    with app.app_context():
        # the word index is there: only the filters' one is built, and nothing is reported
        assert build_index_if_empty(db.session.connection()) is None
        db.session.commit()
    assert filtered(app, target_group="poverta") == {"Pacchi alimentari", "Mensa solidale"}
    assert_facets_true(app)
    with app.app_context():
        db.session.execute(delete(OfferFacet))
        db.session.execute(delete(OfferSearchTerm))
        db.session.commit()
        assert build_index_if_empty(db.session.connection()) > 0  # both missing: both built
        db.session.commit()
    assert_facets_true(app)


def test_filters_combine_with_words_free_places_and_an_organization(app):
    with app.app_context():
        organization = organization_a(db.session)
        full = f.make_offer(db.session, organization, "Spesa piena", ["anziani"], ["spesa_farmaci"], capacity=1)
        full.capacity_available = 0
        full.areas = ["capalle"]
        free = f.make_offer(db.session, organization, "Spesa libera", ["anziani"], ["spesa_farmaci"])
        free.areas = ["tutto_il_comune"]
        db.session.commit()
        organization_id = organization.id
    assert filtered(app, words="spesa", target_group="anziani", area="capalle") == {"Spesa piena", "Spesa libera"}
    assert filtered(app, words="spesa", area="capalle", available_only=True) == {"Spesa libera"}
    assert filtered(app, need="spesa_farmaci", organization_id=organization_id) == {"Spesa piena", "Spesa libera"}
    assert filtered(app, words="piena", need="mensa") == set()
    assert filtered(app, area="tutto_il_comune") == {"Spesa libera"}  # the whole territory alone: only its offers


def test_a_filter_the_index_cannot_hold_finds_nothing_instead_of_failing(app, client):
    """NUL (PostgreSQL's text types refuse it) or a value longer than the column, typed in the address bar or sent
    to the API: no offer has it, so the answer is an empty list (the API fuzzer found a 500 here on PostgreSQL)."""
    api = Api(app.test_client(), token_for(app, f.SOCIAL_WORKER))
    for value in ("\x00", "poverta\x00", "x" * 500):
        assert filtered(app, target_group=value) == set()
        assert filtered(app, need=value, area=value) == set()
        response = api.get("/api/v1/offers", query_string={"target_group": value, "need": ""})
        assert response.status_code == 200 and response.get_json()["items"] == [], response.get_data(as_text=True)
        page = client.get("/catalogo", query_string={"gruppo": value, "bisogno": value, "zona": value})
        assert page.status_code == 200, page.status_code
