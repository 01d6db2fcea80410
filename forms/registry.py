"""The form-key registry, and the two translations every form needs: JSON in, task data out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired

from forms.choices import choice_pairs
from forms.citizen import ContattoCittadinoForm, RispostaRichiestaCittadinoForm
from forms.membership import EsameDomandaForm, IntegrazioneDomandaForm
from forms.monitoring import QuestionarioMonitoraggioForm, RevisioneMonitoraggioForm
from forms.pact import PubblicazionePattoForm
from forms.referral import (
    ChiusuraCasoForm,
    DopoRifiutoForm,
    EsitoInterventoForm,
    PresaInCaricoForm,
    RispostaInvioForm,
    SceltaOffertaForm,
)
from forms.signals import IntegrazioneSegnalazioneForm, SegnalazioneForm, ValutazioneSegnalazioneForm

FORM_CLASSES: dict[str, type[Form]] = {
    "presa_in_carico": PresaInCaricoForm,
    "scelta_offerta": SceltaOffertaForm,
    "risposta_invio": RispostaInvioForm,
    "dopo_rifiuto": DopoRifiutoForm,
    "esito_intervento": EsitoInterventoForm,
    "chiusura_caso": ChiusuraCasoForm,
    "pubblicazione_patto": PubblicazionePattoForm,
    "esame_domanda_adesione": EsameDomandaForm,
    "integrazione_domanda": IntegrazioneDomandaForm,
    "questionario_monitoraggio": QuestionarioMonitoraggioForm,
    "revisione_monitoraggio": RevisioneMonitoraggioForm,
    "segnalazione": SegnalazioneForm,
    "valutazione_segnalazione": ValutazioneSegnalazioneForm,
    "integrazione_segnalazione": IntegrazioneSegnalazioneForm,
    "risposta_richiesta_cittadino": RispostaRichiestaCittadinoForm,
    "contatto_cittadino": ContattoCittadinoForm,
}


def form_class(form_key: str) -> type[Form]:
    return FORM_CLASSES[form_key]


def formdata_from_json(data: Mapping[str, Any]) -> MultiDict:
    """Turn a JSON object into form data WTForms can validate (lists stay lists, booleans become y/empty)."""
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                if item:
                    pairs.append((name, "y"))
                continue
            pairs.append((name, item if isinstance(item, str) else str(item)))
    return MultiDict(pairs)


def form_to_task_data(form: Form) -> dict[str, Any]:
    """Validated form data as JSON-safe task data (dates as ISO strings)."""
    data = {}
    for field in form:
        value = field.data
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        elif value is not None and not isinstance(value, (int, float, bool, list)):
            value = str(value)
        data[field.name] = value
    return data


def _field_type(field) -> str:
    if isinstance(field, SelectMultipleField):
        return "multichoice"
    if isinstance(field, (SelectField, RadioField)):
        return "choice"
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, IntegerField):
        return "integer"
    if isinstance(field, DecimalField):
        return "decimal"
    if isinstance(field, EmailField):
        return "email"
    if isinstance(field, TextAreaField):
        return "text"
    return "string"


def describe_form(form: Form) -> list[dict[str, Any]]:
    """The fields of a form for API clients: name, label, type, required, choices."""
    fields = []
    for field in form:
        entry = {
            "name": field.name,
            "label": str(field.label.text),
            "type": _field_type(field),
            "required": any(isinstance(v, (DataRequired, InputRequired)) for v in field.validators),
            "help": str(field.description) if field.description else "",
        }
        if entry["type"] in ("choice", "multichoice"):
            entry["choices"] = [[value, str(label)] for value, label in choice_pairs(field.choices) if value != ""]
        fields.append(entry)
    return fields
