"""Forms the manager uses to record network agreements and their specialist services (no task forms here)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters, valid_phone

SERVICE_KINDS: tuple[tuple[str, str], ...] = (
    ("ufsmia", _l("UFSMIA – Salute mentale infanzia e adolescenza")),
    ("ufsma", _l("UFSMA – Salute mentale adulti")),
    ("serd", _l("SerD – Dipendenze")),
    ("consultorio", _l("Consultorio familiare")),
    ("disabilita", _l("Servizi per la disabilità")),
    ("altro", _l("Altro servizio specialistico")),
)


class AgreementForm(ItalianForm):
    title = StringField(
        _l("Titolo dell'accordo"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Il nome dell'accordo come negli atti, per esempio il protocollo d'intesa con l'ASL."),
    )
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
    signed_on = DateField(
        _l("Data di sottoscrizione"),
        [Optional()],
        description=_l("Facoltativa; la data della firma dell'accordo."),
    )
    valid_from = DateField(
        _l("In vigore dal"),
        [InputRequired(_l("Indica da quando è in vigore l'accordo."))],
        description=_l("Dal giorno indicato il servizio può inviare persone alla rete."),
    )
    valid_until = DateField(
        _l("In vigore fino al"),
        [InputRequired(_l("Indica fino a quando è in vigore l'accordo."))],
        description=_l("Dopo questa data i nuovi invii si fermano."),
    )
    note = TextAreaField(
        _l("Note"),
        [Optional(), Length(max=4000), no_control_characters],
        description=_l("Facoltative; visibili solo ai responsabili."),
    )

    def validate_valid_until(self, field) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_("La fine della validità non può precedere l'inizio."))


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
        description=_l("Il tipo di servizio specialistico che aderisce all'accordo."),
    )
    email = EmailField(
        _l("E-mail del servizio"),
        [Optional(), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l("Facoltativa; l'indirizzo del servizio per le comunicazioni."),
    )
    phone = StringField(
        _l("Telefono del servizio"),
        [Optional(), Length(max=40), valid_phone],
        description=_l("Facoltativo; per esempio 055 1234567."),
    )

    def validate_kind(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli il tipo di servizio."))
