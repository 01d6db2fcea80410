"""Forms the manager uses to record network agreements and their specialist services (no task forms here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters, valid_phone

SERVICE_KINDS: tuple[tuple[str, str], ...] = (
    ("ufsmia", "UFSMIA – Salute mentale infanzia e adolescenza"),
    ("ufsma", "UFSMA – Salute mentale adulti"),
    ("serd", "SerD – Dipendenze"),
    ("consultorio", "Consultorio familiare"),
    ("disabilita", "Servizi per la disabilità"),
    ("altro", "Altro servizio specialistico"),
)


class AgreementForm(ItalianForm):
    title = StringField(_l("Titolo dell'accordo"), [DataRequired(REQUIRED), Length(max=300), no_control_characters])
    counterpart = StringField(
        _l("Ente con cui è stipulato"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Ad esempio: Azienda USL Toscana Centro."),
    )
    reference = StringField(
        _l("Atto di riferimento"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Ad esempio: delibera, protocollo o numero di repertorio."),
    )
    signed_on = DateField(_l("Data di sottoscrizione"), [Optional()])
    valid_from = DateField(_l("In vigore dal"), [InputRequired("Indica da quando è in vigore l'accordo.")])
    valid_until = DateField(_l("In vigore fino al"), [InputRequired("Indica fino a quando è in vigore l'accordo.")])
    note = TextAreaField(_l("Note"), [Optional(), Length(max=4000), no_control_characters])

    def validate_valid_until(self, field) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("La fine della validità non può precedere l'inizio.")


class ServiceForm(ItalianForm):
    name = StringField(
        _l("Nome del servizio"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Ad esempio: UFSMIA Zona Fiorentina Nord-Ovest."),
    )
    kind = SelectField(
        _l("Tipo di servizio"),
        [InputRequired(REQUIRED)],
        choices=choices([("", _l("— scegli —")), *SERVICE_KINDS]),
        default="",
    )
    email = EmailField(_l("E-mail del servizio"), [Optional(), Email("Indirizzo e-mail non valido."), Length(max=200)])
    phone = StringField(_l("Telefono del servizio"), [Optional(), Length(max=40), valid_phone])

    def validate_kind(self, field) -> None:
        if not field.data:
            raise ValidationError("Scegli il tipo di servizio.")
