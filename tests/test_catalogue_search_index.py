"""The catalogue's word index (webapp/network/search_index.py): words are found by their beginning, ignoring case and
accents; the index follows every edit, deactivation, deletion and organization rename; the CLI rebuilds it."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from tests import factories as f
from tests.test_offers import offer_by_title, offer_form, signed
from webapp.extensions import db
from webapp.network.models import Offer, OfferSearchTerm, Organization
from webapp.network.search_index import build_index_if_empty, search_terms
from webapp.network.services import search_offers


def found(app, words: str) -> set[str]:
    with app.app_context():
        offers, total = search_offers(db.session, words, limit=100)
        assert total == len(offers)
        return {o.title for o in offers}


def catalogue_titles(client, words: str) -> set[str]:
    page = client.get("/catalogo", query_string={"q": words}).get_data(as_text=True)
    return {title for title in ("Pacchi alimentari", "Borse della spesa", "Mensa solidale") if title in page}


def terms_of(app, offer_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(OfferSearchTerm.term).where(OfferSearchTerm.offer_id == offer_id)))


def test_terms_are_lower_case_without_accents_split_on_anything_but_letters_and_digits():
    assert search_terms("Caffè sospeso: l'ORTO in Città, 2° piano; orto!") == [
        "caffe",
        "sospeso",
        "orto",
        "in",
        "citta",
        "piano",
    ]
    assert search_terms("Perché_NO%50") == ["perche", "no", "50"]
    assert search_terms("% _ a") == []
    assert len(search_terms("x" * 80)[0]) == 60


def test_an_edited_title_is_found_by_its_new_word_and_no_longer_by_the_old_one(app, login, client):
    signed(app, f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    assert found(app, "pacchi") == {"Pacchi alimentari"}
    operator = login(f.OPERATOR_A)
    edited = offer_form(offer, title="Borse della spesa", description="Generi di prima necessità")
    assert operator.post(f"/le-nostre-offerte/{offer.id}", data=edited).status_code == 302

    assert found(app, "borse") == {"Borse della spesa"}
    assert found(app, "pacchi") == set()
    assert found(app, "necessita") == {"Borse della spesa"}  # the description too, accent folded
    assert catalogue_titles(client, "Borse") == {"Borse della spesa"}
    assert catalogue_titles(client, "pacchi") == set()
    assert "pacchi" not in terms_of(app, offer.id) and {"borse", "spesa"} <= terms_of(app, offer.id)


def test_a_deactivated_offer_is_not_found_until_it_is_put_back(app, login):
    signed(app, f.OPERATOR_A)
    offer = offer_by_title(app, "Pacchi alimentari")
    operator = login(f.OPERATOR_A)
    assert operator.post(f"/le-nostre-offerte/{offer.id}/disattiva").status_code == 302
    assert found(app, "pacchi") == set()
    assert operator.post(f"/le-nostre-offerte/{offer.id}/riattiva").status_code == 302
    assert found(app, "pacchi") == {"Pacchi alimentari"}


def test_a_deleted_offer_leaves_no_terms_behind(app):
    offer_id = offer_by_title(app, "Mensa solidale").id
    assert "mensa" in terms_of(app, offer_id)
    with app.app_context():
        db.session.delete(db.session.get(Offer, offer_id))
        db.session.commit()
    assert terms_of(app, offer_id) == set()
    assert found(app, "mensa") == set()


def test_renaming_an_organization_reindexes_its_offers_and_only_approved_ones_are_found(app):
    assert found(app, "emporio") == {"Pacchi alimentari", "Ascolto donne"}
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        organization.name = "Banco Alimentare Bisenzio"
        db.session.commit()
    assert found(app, "emporio") == set()
    assert found(app, "banco bisenzio") == {"Pacchi alimentari", "Ascolto donne"}
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        organization.status = "suspended"
        db.session.commit()
    assert found(app, "banco") == set()


def test_words_match_the_beginning_of_words_ignoring_case_and_accents_and_all_must_match(app):
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_B_CF))
        f.make_offer(db.session, organization, "Caffè sospeso in città", ["poverta"], ["mensa"])
        db.session.commit()
    for words in ("caffe", "CAFFÈ", "Caf", "città", "CITTA", "sosp citt", "  caffè,  "):
        assert found(app, words) == {"Caffè sospeso in città"}, words
    # a word must begin a word of the offer: inside a word (the old substring search) no longer matches
    assert found(app, "ffe") == set()
    assert found(app, "caffe mensa") == set()  # every word must match...
    assert found(app, "mensa solidale") == {"Mensa solidale"}  # ...wherever it is
    assert found(app, "prova") == {
        "Pacchi alimentari",
        "Ascolto donne",
        "Mensa solidale",
        "Compagnia agli anziani",
        "Caffè sospeso in città",
    }  # organization names


def test_percent_and_underscore_typed_by_a_visitor_are_never_wildcards(app):
    # as LIKE patterns these would match "Pacchi alimentari" ('pac_hi', 'p%i', 'alim_ntari') and everything ('%', '_')
    for words in ("%", "_", "%%", "pac_hi", "p%i", "alim_ntari"):
        assert found(app, words) == set(), words
    assert found(app, "pacchi%") == {"Pacchi alimentari"}  # punctuation separates words, as a space would


def test_offers_written_around_the_orm_are_found_after_the_cli_reindex_which_is_idempotent(app, runner):
    with app.app_context():
        organization_id = db.session.scalar(select(Organization.id).where(Organization.codice_fiscale == f.ORG_A_CF))
        db.session.execute(
            insert(Offer),
            [f.laundry_offer_row(organization_id, areas=[])],
        )
        db.session.execute(delete(OfferSearchTerm).where(OfferSearchTerm.term == "pacchi"))
        db.session.commit()
    assert found(app, "lavanderia") == set() and found(app, "pacchi") == set()

    first = runner.invoke(args=["tessere", "catalog", "reindex"])
    assert first.exit_code == 0, first.output
    assert found(app, "lavanderia") == {"Lavanderia sociale"} and found(app, "pacchi") == {"Pacchi alimentari"}
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(OfferSearchTerm))
    second = runner.invoke(args=["tessere", "catalog", "reindex"])
    assert second.exit_code == 0 and second.output == first.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OfferSearchTerm)) == count
    assert f"{count} parole" in second.output


def test_an_empty_index_is_built_once_as_init_and_demo_do(app):
    with app.app_context():
        db.session.execute(delete(OfferSearchTerm))
        db.session.commit()
    assert found(app, "compagnia") == set()
    with app.app_context():
        assert build_index_if_empty(db.session.connection()) > 0
        db.session.commit()
        assert build_index_if_empty(db.session.connection()) is None  # not empty any more: left alone
    assert found(app, "compagnia") == {"Compagnia agli anziani"}
