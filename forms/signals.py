"""Forms of the segnalazione (an organization signals a person to the social service)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters, valid_phone
from forms.vocabulary import NEED_GROUP, need_choices, target_group_choices

MAX_INFO_REQUESTS = 3  # the diagram's loop allows MAX_INFO_REQUESTS + 1 evaluations (loopMaximum)

CLOSING_REASONS: tuple[tuple[str, str], ...] = (
    ("gia_in_carico", _l("La persona è già seguita dal Servizio sociale")),
    ("altro_servizio", _l("Indirizzata a un altro servizio")),
    ("non_di_competenza", _l("Non di competenza del Servizio sociale")),
    ("nessun_bisogno", _l("Dal colloquio non emergono bisogni di sostegno")),
    ("non_raggiungibile", _l("La persona non è raggiungibile")),
    ("rinuncia", _l("La persona non desidera essere seguita")),
    ("altro", _l("Altro motivo")),
)

DECISIONS: tuple[tuple[str, str], ...] = (
    ("presa_in_carico", _l("Avviare la presa in carico")),
    ("richiedi_informazioni", _l("Chiedere altre informazioni all'organizzazione")),
    ("chiudi", _l("Chiudere la segnalazione")),
)


class SegnalazioneForm(ItalianForm):
    """The association signals a person: who, how to reach them, why; and that the person agreed."""

    personal_fields = ("first_name", "last_name", "phone", "email", "address", "contact_notes", "description")

    first_name = StringField(
        _l("Nome"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        description=_l("Il nome della persona che segnali; lo vede solo il Servizio sociale."),
    )
    last_name = StringField(
        _l("Cognome"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        description=_l("Il cognome della persona; lo vede solo il Servizio sociale."),
    )
    phone = StringField(
        _l("Telefono"),
        [Optional(), Length(max=30), valid_phone],
        description=_l("Facoltativo; per esempio 333 1234567, per essere ricontattata."),
    )
    email = EmailField(
        _l("E-mail"),
        [Optional(), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l("Facoltativa; la vede solo il Servizio sociale."),
    )
    contact_notes = StringField(
        _l("Come e quando contattarla"),
        [Length(max=500), no_control_characters],  # no Optional(): it would skip validate_contact_notes
        description=_l("Ad esempio: al punto di ascolto il martedì mattina. Serve almeno un recapito."),
    )
    address = StringField(
        _l("Indirizzo o zona"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Facoltativo."),
    )
    listening_point = StringField(
        _l("Dove avete incontrato la persona"),
        [Optional(), Length(max=200), no_control_characters],
        description=_l("Ad esempio: punto di ascolto, distribuzione alimentare, sportello."),
    )
    target_group = SelectField(
        _l("Gruppo di riferimento"),
        [Optional()],
        choices=choices([("", _l("Non so: lo valuterà il Servizio sociale")), *target_group_choices()]),
        default="",
        description=_l("Se non sei sicuro, lascia «Non so»."),
    )
    needs = SelectMultipleField(
        _l("Bisogni che avete notato"),
        [Optional()],
        choices=choices(need_choices()),
        description=_l("Facoltativo: scegli solo bisogni del gruppo indicato."),
    )
    description = TextAreaField(
        _l("Perché segnalate la persona"),
        [DataRequired(REQUIRED), Length(max=2000), no_control_characters],
        description=_l(
            "La situazione in poche righe. Non scrivere diagnosi né altri dati sanitari: li raccoglierà, se "
            "servono, il Servizio sociale."
        ),
    )
    urgent = BooleanField(
        _l("La situazione è urgente"),
        description=_l("Spunta solo se la persona ha bisogno di aiuto entro pochi giorni."),
    )
    consent = BooleanField(
        _l("La persona ha acconsentito a essere segnalata al Servizio sociale con questi dati"),
        [DataRequired(_l("Senza il consenso della persona non è possibile segnalarla."))],
        description=_l("Chiedi il consenso alla persona prima di inviare: senza, la segnalazione non parte."),
    )

    def validate_contact_notes(self, field) -> None:
        if not any((value or "").strip() for value in (self.phone.data, self.email.data, field.data)):
            raise ValidationError(_("Indica almeno un recapito: telefono, e-mail oppure come contattare la persona."))

    def validate_needs(self, field) -> None:
        if not field.data:
            return
        group = self.target_group.data
        if not group:
            raise ValidationError(_("Per indicare dei bisogni scegli anche il gruppo di riferimento."))
        if any(NEED_GROUP.get(need) != group for need in field.data):
            raise ValidationError(_("Alcuni bisogni scelti non appartengono al gruppo di riferimento indicato."))


class ValutazioneSegnalazioneForm(ItalianForm):
    """The social service decides: take the person in charge, ask the organization more, or close."""

    decisione = RadioField(
        _l("Decisione"),
        [InputRequired(_l("Scegli come proseguire."))],
        choices=choices(DECISIONS),
        description=_l("L'organizzazione che ha segnalato vede la decisione, non le note interne."),
    )
    # No Optional() on the fields below: it would stop the chain before the inline validators that require them.
    domanda = TextAreaField(
        _l("Cosa chiedere all'organizzazione"),
        [Length(max=2000), no_control_characters],
        description=_l("Obbligatorio se chiedi altre informazioni."),
    )
    motivo_chiusura = SelectField(
        _l("Motivo della chiusura"),
        choices=choices([("", _l("— scegli —")), *CLOSING_REASONS]),
        default="",
        description=_l("Obbligatorio se chiudi la segnalazione: l'organizzazione lo vedrà."),
    )
    messaggio = TextAreaField(
        _l("Messaggio per l'organizzazione"),
        [Length(max=2000), no_control_characters],
        description=_l("Facoltativo; obbligatorio con «Altro motivo». Non inserire dati sanitari."),
    )

    def validate_domanda(self, field) -> None:
        if self.decisione.data == "richiedi_informazioni" and not (field.data or "").strip():
            raise ValidationError(_("Scrivi cosa vuoi sapere dall'organizzazione."))

    def validate_motivo_chiusura(self, field) -> None:
        if self.decisione.data == "chiudi" and not field.data:
            raise ValidationError(_("Indica il motivo della chiusura."))

    def validate_messaggio(self, field) -> None:
        if self.decisione.data == "chiudi" and self.motivo_chiusura.data == "altro" and not (field.data or "").strip():
            raise ValidationError(_("Spiega il motivo all'organizzazione."))


class IntegrazioneSegnalazioneForm(ItalianForm):
    """The organization answers the social service's question about its signal."""

    personal_fields = ("risposta",)

    risposta = TextAreaField(
        _l("Risposta per il Servizio sociale"),
        [DataRequired(REQUIRED), Length(max=2000), no_control_characters],
        description=_l("Non inserire diagnosi né altri dati sanitari."),
    )
