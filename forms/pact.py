"""Forms of the patto di rete: the manager's publication (a user task of `fase2_patto`), signature and withdrawal.

The plan ("Linee operative", fase 2) asks for a pact "di durata almeno triennale": the end date is the last day
the pact is in force, so a pact from 1 January 2026 to 31 December 2028 lasts three years and is accepted.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters
from webapp.i18n.formatting import format_date

MINIMUM_YEARS = 3
MAX_TEXT_LENGTH = 100_000


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest_end(valid_from: date) -> date:
    """The first end date (included) that gives the pact at least three years."""
    return add_years(valid_from, MINIMUM_YEARS) - timedelta(days=1)


def duration_problem(valid_from: date, valid_until: date, today: date | None = None) -> str | None:
    """Why these dates cannot be a pact's validity, in the user's language; None when they can."""
    minimum = earliest_end(valid_from)
    if valid_until < minimum:
        return _(
            "Il patto di rete deve durare almeno tre anni: con inizio il %(start)s "
            "la scadenza deve essere il %(end)s o successiva.",
            start=format_date(valid_from),
            end=format_date(minimum),
        )
    if valid_until < (today or date.today()):
        return _("La data di scadenza è già passata: indica una data futura.")
    return None


class PubblicazionePattoForm(ItalianForm):
    """The manager publishes a new version of the pact: its text and how long it is in force."""

    title = StringField(
        _l("Titolo"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        default="Patto di rete Tessere – Reti di comunità",
        description=_l("Il titolo che le organizzazioni vedono quando firmano."),
    )
    text = TextAreaField(
        _l("Testo del patto"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT_LENGTH), no_control_characters],
        description=_l("Il testo che le organizzazioni leggono e sottoscrivono. Una volta pubblicato non cambia più."),
    )
    valid_from = DateField(
        _l("In vigore dal"),
        [InputRequired(_l("Indica la data di inizio (giorno, mese e anno)."))],
        description=_l("Primo giorno di validità."),
    )
    valid_until = DateField(
        _l("In vigore fino al"),
        [InputRequired(_l("Indica la data di scadenza (giorno, mese e anno)."))],
        description=_l("Ultimo giorno di validità: il patto dura almeno tre anni."),
    )
    change_note = TextAreaField(
        _l("Cosa cambia rispetto alla versione precedente"),
        [Optional(), Length(max=4000), no_control_characters],
        description=_l("Facoltativo: un riassunto per le organizzazioni che hanno firmato la versione precedente."),
    )

    def validate_valid_until(self, field) -> None:
        if field.data is None or self.valid_from.data is None:
            return
        problem = duration_problem(self.valid_from.data, field.data)
        if problem:
            raise ValidationError(problem)


class FirmaPattoForm(ItalianForm):
    """An operator signs the pact on behalf of their organization."""

    signer_role = StringField(
        _l("Firmo in qualità di"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Per esempio: presidente, legale rappresentante, referente delegato."),
    )
    confirm = BooleanField(
        _l("Ho letto il patto di rete e lo sottoscrivo a nome della mia organizzazione"),
        [DataRequired(_l("Per firmare devi confermare di aver letto il patto."))],
        description=_l("Con la firma le vostre offerte pubblicate entrano nel catalogo della rete."),
    )


class RitiroFirmaForm(ItalianForm):
    """An operator withdraws their organization's signature."""

    reason = TextAreaField(
        _l("Motivo del ritiro"),
        [Optional(), Length(max=2000), no_control_characters],
        description=_l("Facoltativo: resta visibile all'ufficio di piano."),
    )
    confirm = BooleanField(
        _l("Confermo il ritiro della firma: le nostre offerte escono dal catalogo"),
        [DataRequired(_l("Per ritirare la firma devi confermare."))],
        description=_l("Le persone già accolte restano seguite; potrete firmare di nuovo."),
    )
