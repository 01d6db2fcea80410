"""The accessibility feedback form: what a person found hard to use, and how to answer them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.referral import ItalianForm


class AccessibilityFeedbackForm(ItalianForm):
    name = StringField(
        _l("Nome e cognome"),
        validators=[Optional(), Length(max=200)],
        description=_l("Facoltativo: ci aiuta a risponderti."),
    )
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Indica un indirizzo e-mail per ricevere la risposta.")), Email(), Length(max=254)],
        description=_l("Ti rispondiamo a questo indirizzo entro 30 giorni."),
    )
    page = StringField(
        _l("Pagina o servizio"),
        validators=[Optional(), Length(max=500)],
        description=_l("L'indirizzo o il nome della pagina in cui hai incontrato il problema."),
    )
    problem = TextAreaField(
        _l("Descrizione del problema"),
        validators=[
            DataRequired(_l("Descrivi il problema che hai incontrato.")),
            Length(min=10, max=5000, message=_l("La descrizione deve avere tra 10 e 5000 caratteri.")),
        ],
        description=_l("Che cosa volevi fare, che cosa è successo, con quale browser o tecnologia assistiva."),
    )
    # A trap for robots: people never see it (hidden from view and from assistive technologies).
    website = StringField(_l("Sito web"), validators=[Optional(), Length(max=200)])
