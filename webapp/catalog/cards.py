"""The offer cards of the public catalogue page: what each card prints, read and worked out once per page.

Why a module: at 10,000 offers a search fills its page with 20 cards where a small catalogue shows a few, so the
per-card work is what makes a search slower as the catalogue grows (issue #8, bench/catalogue.py). Per card the
template used to load an Offer and its whole Organization as ORM objects (every column, the JSON lists decoded),
build two URLs through the router, format a date through Flask-Babel (locale and time zone looked up again) and
translate four messages. Here one SELECT reads only the columns a card prints, the URLs are filled into a pattern
built once (webapp/url_patterns.py), the date formatter and the messages are bound once per page, and the template
prints finished texts. What it prints is the same as before, byte for byte (tests/test_catalogue_cards.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from jinja2.filters import do_truncate
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.i18n.formatting import day_formatter
from webapp.network.models import Offer, Organization
from webapp.url_patterns import id_url_builder

SUMMARY_LENGTH = 160  # characters of the description on a card (Jinja's `truncate`, which ends on a whole word)
# The badge of a target group, as `_macros.status_badge(label, 'primary')` writes it.
GROUP_BADGE = Markup('<span class="badge bg-primary tessere-badge">{}</span>')


@dataclass(frozen=True, slots=True)
class OfferCard:
    """One card of the catalogue page, every text ready to print (plain strings are escaped by the template)."""

    url: str
    title: str
    organization_url: str
    organization_name: str
    summary: str
    badges: Markup
    capacity: Markup
    verification: Markup


def offer_cards(
    session: Session,
    offer_ids: list[int],
    group_labels: dict[str, str],
    is_outdated: Callable[[datetime | None], bool],
) -> list[OfferCard]:
    """The cards of these offers (one page of a search), in the catalogue's order (title, then id).

    `group_labels`: target group code -> label in the reader's language; `is_outdated`: whether a verification date
    is too old (the page says "(da aggiornare)")."""
    if not offer_ids:
        return []
    rows = session.execute(
        select(
            Offer.id,
            Offer.title,
            Offer.organization_id,
            Organization.name,
            Offer.description,
            Offer.target_groups,
            Offer.capacity_available,
            Offer.capacity_unit,
            Offer.capacity_total,
            Offer.verified_at,
        )
        .join(Organization, Organization.id == Offer.organization_id)
        .where(Offer.id.in_(offer_ids))
        .order_by(Offer.title, Offer.id)
    ).all()
    offer_url = id_url_builder("catalog.offer_detail", "offer_id")
    organization_url = id_url_builder("catalog.organization_detail", "organization_id")
    day = day_formatter()
    environment = current_app.jinja_env
    badges: dict[str, Markup] = {}
    capacity_text = Markup(gettext("<strong>%(available)s</strong> %(unit)s disponibili su %(total)s"))
    verified_text = Markup(gettext("Dati verificati il %(when)s"))
    outdated_text = Markup(" ") + Markup(gettext("(da aggiornare)"))
    unverified_text = Markup(gettext("Dati non ancora verificati"))
    cards = []
    for row in rows:
        for code in row.target_groups or ():
            if code not in badges:
                badges[code] = GROUP_BADGE.format(group_labels.get(code, code)) + Markup(" ")
        if row.verified_at:
            verification = verified_text % {"when": day(row.verified_at)}
            if is_outdated(row.verified_at):
                verification += outdated_text
        else:
            verification = unverified_text
        cards.append(
            OfferCard(
                url=offer_url(row.id),
                title=row.title,
                organization_url=organization_url(row.organization_id),
                organization_name=row.name,
                summary=do_truncate(environment, row.description, SUMMARY_LENGTH),
                badges=Markup("").join(badges[code] for code in row.target_groups or ()),
                capacity=capacity_text
                % {"available": row.capacity_available, "unit": row.capacity_unit, "total": row.capacity_total},
                verification=verification,
            )
        )
    return cards
