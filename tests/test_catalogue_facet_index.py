"""The catalogue's filter index (webapp/network/facet_index.py): the rows of `offer_facet` always say what the
offers' JSON lists say (target groups, needs, zones), through creation, edits, deactivation, deletion, changes of the
organization, writes around the ORM and the CLI; and the filters read them with the same results as before."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from forms.offers import area_matches
from tests import factories as f
from tests.test_api import Api, token_for
from tests.test_offers import offer_by_title, offer_form, signed
from webapp.extensions import db
from webapp.network.facet_index import FACET_COLUMNS, PAIR_KINDS, chosen_facets, facets_missing, pair_value
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
            for zone in offer.areas or []:  # and each target group and each need with each zone
                expected.update(("group_area", f"{group}|{zone}", offer.id) for group in offer.target_groups or [])
                expected.update(("need_area", f"{need}|{zone}", offer.id) for need in offer.needs or [])
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


def _matches_in_python(offer: Offer, target_group: str | None, need: str | None, area: str | None) -> bool:
    """The filters' meaning, written out on the offer's lists (what the catalogue did before any index)."""
    if target_group and target_group not in (offer.target_groups or []):
        return False
    if need and need not in (offer.needs or []):
        return False
    return not area or area_matches(offer.areas, area)


def test_pair_rows_give_exactly_the_offers_having_both_items(app):
    """A group or a need with a zone is read from the pair rows (`PAIR_KINDS`): for every combination of filters the
    catalogue must find exactly the offers whose lists say so, whole territory included."""
    lists = [
        (["anziani"], ["spesa_farmaci"], ["capalle"]),
        (["anziani", "poverta"], ["spesa_farmaci", "generi_alimentari"], ["capalle", "fornello"]),
        (["poverta"], ["generi_alimentari"], ["tutto_il_comune"]),
        (["anziani"], ["compagnia"], []),
        ([], ["spesa_farmaci"], ["fornello"]),
        (["poverta"], [], ["limite", "tutto_il_comune"]),
    ]
    with app.app_context():
        organization = organization_a(db.session)
        for number, (groups, needs, areas) in enumerate(lists):
            offer = f.make_offer(db.session, organization, f"Combinazione {number}", groups, needs)
            offer.areas = areas
        db.session.commit()
        offers = [o for o in db.session.scalars(select(Offer)) if o.active]
        chosen = 0
        for group in (None, "anziani", "poverta"):
            for need in (None, "spesa_farmaci", "generi_alimentari", "compagnia"):
                for area in (None, "capalle", "fornello", "limite", "tutto_il_comune"):
                    expected = {o.title for o in offers if _matches_in_python(o, group, need, area)}
                    found, total = search_offers(db.session, limit=100, target_group=group, need=need, area=area)
                    assert {o.title for o in found} == expected, (group, need, area)
                    assert total == len(expected)
                    chosen += bool(expected) and bool(area)
        assert chosen > 10  # the combinations with a zone do find offers: the pairs are really read
        kinds = {kind for kind, _ in chosen_facets("anziani", "spesa_farmaci", "capalle")}
        assert kinds == {"need_area", "group"}
        assert [kind for kind, _ in chosen_facets("anziani", None, "capalle")] == ["group_area"]
    assert_facets_true(app)


def test_an_index_built_before_the_pair_rows_is_rebuilt_as_init_and_demo_do(app):
    with app.app_context():
        offer = f.make_offer(db.session, organization_a(db.session), "Spesa a Capalle", ["anziani"], ["spesa_farmaci"])
        offer.areas = ["capalle"]
        db.session.commit()
        assert not facets_missing(db.session.connection())
        db.session.execute(delete(OfferFacet).where(OfferFacet.kind.in_(PAIR_KINDS)))
        db.session.commit()
        assert facets_missing(db.session.connection())
    assert filtered(app, target_group="anziani", area="capalle") == set()  # what an old index would answer
    with app.app_context():
        assert build_index_if_empty(db.session.connection()) is None  # the words are there: only the filters built
        db.session.commit()
    assert filtered(app, target_group="anziani", area="capalle") == {"Spesa a Capalle"}
    assert_facets_true(app)
    with app.app_context():
        assert not facets_missing(db.session.connection())


def test_items_that_cannot_make_a_pair_are_filtered_through_the_rows_of_each_kind(app):
    """An item holding the separator (never a vocabulary code, but the API accepts any string) has no pair row:
    the filter then reads the rows of each kind and still finds what the lists say."""
    with app.app_context():
        offer = f.make_offer(db.session, organization_a(db.session), "Gruppo strano", ["a|b"], ["x"])
        offer.areas = ["capalle"]
        db.session.commit()
        assert pair_value("a|b", "capalle") is None
        assert [kind for kind, _ in chosen_facets("a|b", None, "capalle")] == ["group", "area"]
        pairs = db.session.scalars(select(OfferFacet.value).where(OfferFacet.offer_id == offer.id)).all()
        assert "a|b|capalle" not in pairs and "x|capalle" in pairs
    assert filtered(app, target_group="a|b", area="capalle") == {"Gruppo strano"}
    assert filtered(app, target_group="a", area="b|capalle") == set()
