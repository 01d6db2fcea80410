"""The catalogue page's cards are worked out once per page (webapp/catalog/cards.py): what they print must be exactly
what the template printed from each Offer, in both languages, and the bound date formatter and URL builder must
agree with the `date` filter and `url_for`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string, url_for
from sqlalchemy import select

from tests import factories as f
from webapp.catalog.cards import offer_cards
from webapp.catalog.views import _labels, verification_is_old
from webapp.extensions import db
from webapp.i18n.formatting import day_formatter, format_date
from webapp.network.models import Offer, Organization
from webapp.url_patterns import id_url_builder

# The card as templates/catalog/offer_list.html printed it from the ORM objects before the cards were prepared.
PER_OFFER_TEMPLATE = """{% for offer in offers %}
<h2 class="card-title h5"><a href="{{ url_for('catalog.offer_detail', offer_id=offer.id) }}">{{ offer.title }}</a></h2>
        <p class="text-muted mb-2"><a class="text-muted" href="{{ url_for('catalog.organization_detail', organization_id=offer.organization_id) }}">{{ offer.organization.name }}</a></p>
        <p class="card-text">{{ offer.description|truncate(160) }}</p>
        <p class="mb-1">{% for g in offer.target_groups %}{{ m.status_badge(group_labels.get(g, g), 'primary') }} {% endfor %}</p>
        <p class="mb-1">{% trans available=offer.capacity_available, unit=offer.capacity_unit, total=offer.capacity_total %}<strong>{{ available }}</strong> {{ unit }} disponibili su {{ total }}{% endtrans %}</p>
        <p class="mb-0 small text-muted">
          {%- if offer.verified_at %}{{ _('Dati verificati il %(when)s', when=offer.verified_at|date) }}{% if verification_is_old(offer.verified_at) %} {{ _('(da aggiornare)') }}{% endif %}
          {%- else %}{{ _('Dati non ancora verificati') }}{% endif %}</p>
{% endfor %}"""  # noqa: E501 (the template's own lines)
# The page's own card (templates/catalog/_offer_card.html), printed from the prepared cards.
PREPARED_TEMPLATE = """{% for card in cards %}
{% include "catalog/_offer_card.html" %}
{% endfor %}"""


def _moments() -> list[datetime]:
    """Around Rome's midnight, both daylight-saving changes and the turn of a year; aware and naive (UTC)."""
    starts = [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),
        datetime(2026, 10, 24, 21, 50, tzinfo=UTC),
        datetime(2026, 12, 31, 22, 45, tzinfo=UTC),  # already 2027 in Rome
    ]
    aware = [start + timedelta(minutes=29 * n) for start in starts for n in range(8)]
    return aware + [moment.replace(tzinfo=None) for moment in aware]


@pytest.mark.parametrize("language", ["it", "en"])
def test_bound_day_formatter_prints_what_the_date_filter_prints(app, language):
    with app.test_request_context(f"/?lang={language}", headers={"Accept-Language": language}):
        day = day_formatter()
        for value in [*_moments(), date(2026, 2, 1), None, "", "2026-11-25", "non una data"]:
            assert day(value) == format_date(value), value


def test_url_builder_gives_the_routers_urls(app):
    with app.test_request_context("/"):
        offer_url = id_url_builder("catalog.offer_detail", "offer_id")
        organization_url = id_url_builder("catalog.organization_detail", "organization_id")
        for key in (1, 7, 42, 2_147_483_645, 10**12):
            assert offer_url(key) == url_for("catalog.offer_detail", offer_id=key)
            assert organization_url(key) == url_for("catalog.organization_detail", organization_id=key)


@pytest.fixture
def varied_offers(app):
    """Offers covering every branch of a card: long and short descriptions, markup to escape, unknown group codes,
    never verified, verified long ago and recently, verified just before Rome's midnight."""
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        organization.name = "Associazione <Il Ponte> & amici"
        recent = datetime.now(UTC) - timedelta(days=3)
        cases = [
            ("Spesa <b>solidale</b>", "Parola " * 60, ["anziani", "poverta"], recent),
            ("Doposcuola & merenda", "Breve.", ["infanzia_famiglie"], None),
            ("Trasporto sociale", "x" * 400, ["codice_sconosciuto", "anziani"], datetime(2024, 1, 1, 9, tzinfo=UTC)),
            ("Ascolto notturno", "Un ascolto \"vero\" e 'gentile'", [], datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),
        ]
        ids = []
        for title, description, groups, verified in cases:
            offer = f.make_offer(db.session, organization, title, groups, ["spesa_farmaci"], capacity=7)
            offer.description = description
            offer.capacity_available = 3
            offer.capacity_unit = "ore <settimanali>"
            offer.verified_at = verified
            ids.append(offer.id)
        db.session.commit()
        return sorted(ids, key=lambda key: (db.session.get(Offer, key).title, key))


@pytest.mark.parametrize("language", ["it", "en"])
def test_prepared_cards_print_what_the_per_offer_template_printed(app, varied_offers, language):
    with app.test_request_context(f"/catalogo?lang={language}", headers={"Accept-Language": language}):
        labels = _labels()
        offers = [db.session.get(Offer, key) for key in varied_offers]
        before = render_template_string(
            '{% import "_macros.html" as m %}' + PER_OFFER_TEMPLATE, offers=offers, **labels
        )
        cards = offer_cards(db.session, varied_offers, labels["group_labels"], verification_is_old)
        after = render_template_string(PREPARED_TEMPLATE, cards=cards)
        assert [card.title for card in cards] == [offer.title for offer in offers]
        assert after == before
        assert ("Dati verificati il" in after) == (language == "it") and "(da aggiornare)" in before or language == "en"
        assert "&lt;b&gt;solidale&lt;/b&gt;" in after and "&lt;Il Ponte&gt; &amp; amici" in after  # escaped once


def test_catalogue_page_shows_the_cards_of_the_search(client, varied_offers):
    page = client.get("/catalogo?q=spesa+solidale&lang=it").get_data(as_text=True)
    assert "1 offerta trovata." in page
    assert "Spesa &lt;b&gt;solidale&lt;/b&gt;" in page
    assert "<strong>3</strong> ore &lt;settimanali&gt; disponibili su 7" in page
    assert "Doposcuola" not in page


def test_hsds_basic_page_reads_only_its_columns_and_full_page_everything(client, varied_offers):
    basic = client.get("/api/hsds/services?search=trasporto+sociale").get_json()
    assert basic["total_items"] == 1
    service = basic["contents"][0]
    assert service["name"] == "Trasporto sociale"
    assert service["organization"]["name"] == "Associazione <Il Ponte> & amici"
    assert "attributes" not in service  # the JSON lists are not part of a basic service
    full = client.get("/api/hsds/services?search=trasporto+sociale&full=1").get_json()
    codes = {attribute["taxonomy_term"]["code"] for attribute in full["contents"][0]["attributes"]}
    assert "anziani" in codes
