"""The offer an organization publishes in the catalogue, and the yearly confirmation of its data.

The plan asks to "quantify the offers": every offer states its capacity (places or hours, how many in all and how
many free now); referrals accepted by the organization reserve it. Zones and languages are small controlled
vocabularies so the catalogue can filter on them and the HSDS export can name them.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters
from forms.vocabulary import NEED_GROUP, need_choices, target_group_choices

WHOLE_TERRITORY = "tutto_il_comune"

# Zones (frazioni and quarters) of Campi Bisenzio where an offer is available.
AREAS: tuple[tuple[str, str], ...] = (
    (WHOLE_TERRITORY, _l("Tutto il territorio comunale")),
    ("centro", _l("Campi Bisenzio centro")),
    ("capalle", "Capalle"),
    ("fornello", "Fornello"),
    ("il_rosi", "Il Rosi"),
    ("limite", "Limite"),
    ("palagetta", "Palagetta"),
    ("san_donnino", "San Donnino"),
    ("san_lorenzo", _l("San Lorenzo e Villa Montalvo")),
    ("san_martino", "San Martino"),
    ("san_piero_a_ponti", "San Piero a Ponti"),
    ("sant_angelo_a_lecore", "Sant'Angelo a Lecore"),
    ("zona_industriale", _l("Zona industriale")),
)
AREA_LABELS: dict[str, str] = dict(AREAS)

# Languages spoken with the people (ISO 639-1 codes), the most common in the Piana fiorentina first.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("it", _l("Italiano")),
    ("en", _l("Inglese")),
    ("fr", _l("Francese")),
    ("es", _l("Spagnolo")),
    ("ar", _l("Arabo")),
    ("zh", _l("Cinese")),
    ("sq", _l("Albanese")),
    ("ro", _l("Rumeno")),
    ("ur", _l("Urdu")),
    ("bn", _l("Bengalese")),
    ("pa", _l("Punjabi")),
    ("uk", _l("Ucraino")),
    ("ru", _l("Russo")),
    ("pt", _l("Portoghese")),
    ("de", _l("Tedesco")),
    ("wo", _l("Wolof")),
)
LANGUAGE_LABELS: dict[str, str] = dict(LANGUAGES)

CAPACITY_UNITS: tuple[tuple[str, str], ...] = (("posti", _l("Posti (persone)")), ("ore", _l("Ore")))
MAX_CAPACITY = 10_000


INVALID_CHOICE = _l("Una delle scelte non è valida: ricaricate la pagina e riprovate.")


class WholeNumberField(IntegerField):
    """An integer with one clear message when the text is not a whole number (and no second one)."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # blank: left to InputRequired / Optional
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_("Scrivi un numero intero, senza lettere né decimali.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def area_matches(offer_areas: list[str] | None, area: str) -> bool:
    """An offer available in the whole territory matches every zone."""
    areas = offer_areas or []
    return area in areas or WHOLE_TERRITORY in areas


class OfferForm(ItalianForm):
    """What an organization publishes about one of its offers."""

    title = StringField(
        _l("Titolo"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Un nome breve e chiaro, come apparirà nel catalogo pubblico."),
    )
    description = TextAreaField(
        _l("Descrizione"),
        [DataRequired(REQUIRED), Length(max=5000), no_control_characters],
        description=_l("Cosa si fa, con chi, come si svolge. Non inserire dati di persone."),
    )
    target_groups = SelectMultipleField(
        _l("Per chi (gruppi di destinatari)"),
        choices=choices(target_group_choices()),
        invalid_choice_message=INVALID_CHOICE,
        description=_l("Le tipologie di beneficiari del progetto Tessere a cui si rivolge l'offerta."),
    )
    needs = SelectMultipleField(
        _l("Bisogni a cui risponde"),
        choices=choices(need_choices()),
        invalid_choice_message=INVALID_CHOICE,
        description=_l("Solo bisogni dei gruppi di destinatari scelti."),
    )
    eligibility = TextAreaField(
        _l("Requisiti per accedere"),
        [Optional(), Length(max=2000), no_control_characters],
        description=_l("Per esempio: età, residenza, ISEE."),
    )
    location = StringField(
        _l("Dove (sede operativa)"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Indirizzo della sede dove si svolge, oppure «A domicilio»."),
    )
    areas = SelectMultipleField(
        _l("Zone del comune servite"),
        choices=choices(AREAS),
        invalid_choice_message=INVALID_CHOICE,
        description=_l("Il catalogo permette di cercare le offerte per zona."),
    )
    schedule = StringField(
        _l("Quando (giorni e orari)"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Per esempio: martedì e venerdì 9:00-12:30."),
    )
    languages = SelectMultipleField(
        _l("Lingue parlate"),
        choices=choices(LANGUAGES),
        default=["it"],
        invalid_choice_message=INVALID_CHOICE,
        description=_l("Le lingue in cui le persone possono essere accolte."),
    )
    cost = StringField(
        _l("Costo"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Per esempio: gratuito, oppure la quota e le eventuali riduzioni."),
    )
    how_to_access = TextAreaField(
        _l("Come accedere"),
        [DataRequired(REQUIRED), Length(max=2000), no_control_characters],
        description=_l("Per esempio: su invio del Servizio sociale, iscrizione diretta, colloquio."),
    )
    capacity_unit = RadioField(
        _l("La disponibilità si misura in"),
        [InputRequired(_l("Scegli se la disponibilità è in posti o in ore."))],
        choices=choices(CAPACITY_UNITS),
        default="posti",
        invalid_choice_message=INVALID_CHOICE,
        description=_l("Posti per le attività a persone, ore per i servizi a tempo."),
    )
    capacity_total = WholeNumberField(
        _l("Disponibilità massima"),
        [
            InputRequired(_l("Indica la disponibilità massima con un numero intero.")),
            NumberRange(min=1, max=MAX_CAPACITY, message=_l("Indica un numero tra %(min)s e %(max)s.")),
        ],
        description=_l("Quanti posti (o ore) mette a disposizione l'offerta in tutto."),
    )
    capacity_available = WholeNumberField(
        _l("Disponibili ora"),
        [Optional(), NumberRange(min=0, max=MAX_CAPACITY, message=_l("Indica un numero tra %(min)s e %(max)s."))],
        description=_l("Quanti sono liberi adesso. Lascia vuoto se sono liberi tutti quelli non occupati."),
    )

    def validate_target_groups(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno un gruppo di destinatari."))

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno un bisogno."))
        groups = set(self.target_groups.data or [])
        if groups and any(NEED_GROUP.get(need) not in groups for need in field.data):
            raise ValidationError(_("Alcuni bisogni scelti non appartengono ai gruppi di destinatari indicati."))

    def validate_areas(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno una zona (o tutto il territorio comunale)."))

    def validate_languages(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno una lingua."))

    def validate_capacity_available(self, field) -> None:
        total = self.capacity_total.data
        if field.data is not None and isinstance(total, int) and field.data > total:
            raise ValidationError(_("I disponibili non possono superare la disponibilità massima."))


class ConfermaDatiForm(ItalianForm):
    """The yearly check: the organization confirms that what the catalogue shows about it is still true."""

    confirm = BooleanField(
        _l("Confermo che i dati della nostra organizzazione e delle nostre offerte sono aggiornati"),
        [DataRequired(_l("Per confermare i dati spunta la casella."))],
        description=_l("Controlla la scheda e le offerte prima di confermare; la verifica si ripete ogni anno."),
    )
