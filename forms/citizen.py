"""Forms of the richiesta del cittadino: the public request on an offer's page, the organization's answer, and the
social service's contact when the citizen asked for its support."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters, valid_phone

ANSWERS: tuple[tuple[str, str], ...] = (
    ("accetta", _l("Accogliamo la richiesta")),
    ("proponi", _l("Proponiamo un'altra offerta")),
    ("rifiuta", _l("Non possiamo accogliere la richiesta")),
)

DECLINE_REASONS: tuple[tuple[str, str], ...] = (
    ("posti_esauriti", _l("Posti esauriti")),
    ("non_idoneo", _l("La richiesta non rientra nei requisiti dell'offerta")),
    ("non_attiva", _l("L'attività non è attiva in questo periodo")),
    ("altro", _l("Altro motivo")),
)

SUPPORT_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("contattato", _l("Ho contattato la persona")),
    ("presa_in_carico", _l("Ho avviato una presa in carico")),
    ("non_raggiungibile", _l("La persona non è raggiungibile")),
    ("non_necessario", _l("Il supporto del Servizio sociale non è necessario")),
)

NO_OFFER = ("", _l("— scegli —"))


class RichiestaPartecipazioneForm(ItalianForm):
    """A citizen asks to take part in an offer (public page, no account). `website` is a trap for robots."""

    name = StringField(
        _l("Nome e cognome"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Come ti chiami: lo vede solo l'organizzazione che offre l'attività, per ricontattarti."),
    )
    email = EmailField(
        _l("E-mail"),
        [DataRequired(REQUIRED), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l("Ti scriveremo qui per confermare la richiesta e per darti la risposta."),
    )
    phone = StringField(_l("Telefono"), [Optional(), Length(max=30), valid_phone], description=_l("Facoltativo."))
    message = TextAreaField(
        _l("Messaggio per l'organizzazione"),
        [Optional(), Length(max=1000), no_control_characters],
        description=_l("Facoltativo: ad esempio quando sei disponibile. Non scrivere informazioni sulla salute."),
    )
    support_requested = BooleanField(
        _l("Vorrei essere contattata/o anche dal Servizio sociale del Comune"),
        description=_l(
            "Solo se lo scegli la richiesta sarà visibile al Servizio sociale, che ti contatterà per capire se può "
            "aiutarti in altro modo."
        ),
    )
    consent = BooleanField(
        _l("Acconsento al trattamento dei miei dati per gestire questa richiesta"),
        [DataRequired(_l("Senza il consenso al trattamento dei dati non possiamo inoltrare la richiesta."))],
        description=_l(
            "I dati arrivano solo all'organizzazione che propone l'attività (e al Servizio sociale se lo chiedi)."
        ),
    )
    website = StringField(_l("Lascia vuoto questo campo"), [Optional(), Length(max=200)])


class RispostaRichiestaCittadinoForm(ItalianForm):
    """The organization answers a citizen: accept (with details), propose another offer, or decline."""

    personal_fields = ("messaggio",)

    risposta = RadioField(
        _l("Risposta"),
        [InputRequired(_l("Scegli la risposta."))],
        choices=choices(ANSWERS),
        description=_l("Di' se potete accogliere la persona: riceverà la risposta per e-mail."),
    )
    messaggio = TextAreaField(
        _l("Messaggio per il cittadino"),
        [DataRequired(REQUIRED), Length(max=2000), no_control_characters],
        description=_l("Arriva per e-mail: per esempio dove e quando presentarsi e chi cercare."),
    )
    primo_incontro = DateField(_l("Data del primo incontro"), [Optional()], description=_l("Facoltativa."))
    # Filled by the web application with the catalogue's offers (forms know nothing of the database).
    offerta_proposta = SelectField(
        _l("Offerta da proporre"),
        choices=choices([NO_OFFER]),
        default="",
        description=_l("Obbligatoria se proponi un'altra offerta: anche di un'altra organizzazione della rete."),
    )
    motivo_rifiuto = SelectField(
        _l("Motivo"),
        choices=choices([NO_OFFER, *DECLINE_REASONS]),
        default="",
        description=_l("Obbligatorio se non potete accogliere la richiesta."),
    )

    def validate_offerta_proposta(self, field) -> None:
        if self.risposta.data == "proponi" and not field.data:
            raise ValidationError(_("Scegli l'offerta da proporre."))
        if self.risposta.data != "proponi":
            field.data = ""

    def validate_motivo_rifiuto(self, field) -> None:
        if self.risposta.data == "rifiuta" and not field.data:
            raise ValidationError(_("Indica il motivo."))
        if self.risposta.data != "rifiuta":
            field.data = ""


class ContattoCittadinoForm(ItalianForm):
    """The social service records how it followed up a citizen who asked for its support."""

    esito = RadioField(
        _l("Esito del contatto"),
        [InputRequired(_l("Scegli l'esito."))],
        choices=choices(SUPPORT_OUTCOMES),
        description=_l("Com'è andato il contatto con la persona; resta nella storia della richiesta."),
    )
    nota = TextAreaField(
        _l("Note del servizio sociale"),
        [Optional(), Length(max=2000), no_control_characters],
        description=_l("Restano al Servizio sociale: l'organizzazione non le vede."),
    )
