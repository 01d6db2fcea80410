"""Forms of the referral journey (percorso beneficiario)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from forms.choices import choices
from forms.validators import no_control_characters, valid_codice_fiscale, valid_phone
from forms.vocabulary import (
    CLOSING_OUTCOMES,
    DECLINE_REASONS,
    INTERVENTION_OUTCOMES,
    NEED_GROUP,
    need_choices,
    target_group_choices,
)

REQUIRED = _l("Campo obbligatorio.")


class ItalianForm(Form):
    """Base of every form: WTForms' own messages (for example an invalid choice) in the page's language.

    Italian is the source language and the default; outside a request (tests, CLI, the worker) it stays Italian.
    """

    class Meta:
        locales = ("it_IT", "it")

        def get_translations(self, form):
            locale = get_locale()
            if locale is not None and locale.language != "it":
                self.locales = (str(locale), locale.language)
            return super().get_translations(form)


class PresaInCaricoForm(ItalianForm):
    """The social worker takes a person in charge: who, which target group, which needs, and consent."""

    first_name = StringField(
        _l("Nome"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        description=_l("Il nome della persona presa in carico, come nel documento."),
    )
    last_name = StringField(
        _l("Cognome"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        description=_l("Il cognome, come nel documento; all'organizzazione va solo se lo condividi."),
    )
    codice_fiscale = StringField(
        _l("Codice fiscale"),
        [Optional(), valid_codice_fiscale],
        description=_l("Facoltativo; se indicato viene verificato."),
    )
    birth_date = DateField(_l("Data di nascita"), [Optional()], description=_l("Facoltativa."))
    phone = StringField(
        _l("Telefono"),
        [Optional(), Length(max=30), valid_phone],
        description=_l("Facoltativo; per esempio 333 1234567. Lo vede l'organizzazione solo se lo condividi."),
    )
    email = EmailField(
        _l("E-mail"),
        [Optional(), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l("Facoltativa; la condividi con l'organizzazione solo se lo scegli all'invio."),
    )
    address = StringField(
        _l("Indirizzo"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Facoltativo; via, numero civico e comune di residenza o domicilio."),
    )
    target_group = SelectField(
        _l("Gruppo di riferimento"),
        [InputRequired(REQUIRED)],
        choices=choices(target_group_choices()),
        description=_l("Una delle sei tipologie di beneficiari del progetto Tessere."),
    )
    needs = SelectMultipleField(
        _l("Bisogni rilevati"),
        [InputRequired(_l("Scegli almeno un bisogno."))],
        choices=choices(need_choices()),
        description=_l("Scegli uno o più bisogni del gruppo di riferimento."),
    )
    notes = TextAreaField(
        _l("Note del servizio sociale"),
        [Optional(), Length(max=4000), no_control_characters],
        description=_l("Restano al servizio sociale: non vengono mai condivise con le organizzazioni."),
    )
    consent_share = BooleanField(
        _l("La persona acconsente a condividere i propri dati con l'organizzazione a cui viene inviata"),
        description=_l("Senza consenso il caso può essere preso in carico ma non inviato alla rete."),
    )

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno un bisogno."))
        group = self.target_group.data
        wrong = [need for need in field.data if NEED_GROUP.get(need) != group]
        if wrong:
            raise ValidationError(_("Alcuni bisogni scelti non appartengono al gruppo di riferimento indicato."))


class SceltaOffertaForm(ItalianForm):
    """The social worker picks an offer of the catalogue and sends the person there."""

    offer_id = SelectField(
        _l("Offerta della rete"),
        [InputRequired(_l("Scegli un'offerta."))],
        coerce=int,
        choices=[],
        description=_l("Offerte con posti disponibili, adatte al gruppo e ai bisogni della persona."),
    )
    message = TextAreaField(
        _l("Messaggio per l'organizzazione"),
        [DataRequired(REQUIRED), Length(max=2000), no_control_characters],
        description=_l("Cosa serve alla persona e come contattarla. Non inserire dati sanitari."),
    )
    share_last_name = BooleanField(
        _l("Condividi il cognome"),
        default=True,
        description=_l("Se non spunti, l'organizzazione vede solo il nome."),
    )
    share_phone = BooleanField(
        _l("Condividi il telefono"),
        default=True,
        description=_l("Se spunti, l'organizzazione può chiamare la persona."),
    )
    share_email = BooleanField(
        _l("Condividi l'e-mail"),
        default=False,
        description=_l("Se spunti, l'organizzazione vede l'e-mail della persona."),
    )


class RispostaInvioForm(ItalianForm):
    """The receiving organization accepts the person or declines with a coded reason."""

    answer = RadioField(
        _l("Risposta"),
        [InputRequired(_l("Indica se accogli la persona."))],
        choices=choices([("accetta", _l("Accolgo la persona")), ("rifiuta", _l("Non posso accoglierla"))]),
        description=_l("Il servizio sociale riceve subito la vostra risposta."),
    )
    decline_reason = SelectField(
        _l("Motivo del rifiuto"),
        choices=choices([("", _l("— scegli —")), *DECLINE_REASONS]),
        default="",
        description=_l("Obbligatorio se non accogli la persona."),
    )
    first_appointment = DateField(_l("Data del primo incontro"), [Optional()], description=_l("Facoltativa."))
    # No Optional(): it would stop the chain on an empty note and skip validate_note below.
    note = TextAreaField(
        _l("Note per il servizio sociale"),
        [Length(max=2000), no_control_characters],
        description=_l("Facoltative; se non potete accogliere la persona, spiegate perché."),
    )

    def validate_decline_reason(self, field) -> None:
        if self.answer.data == "rifiuta" and not field.data:
            raise ValidationError(_("Indica il motivo per cui non puoi accogliere la persona."))
        if self.answer.data == "accetta":
            field.data = ""

    def validate_note(self, field) -> None:
        if self.answer.data == "rifiuta" and self.decline_reason.data == "altro" and not (field.data or "").strip():
            raise ValidationError(_("Spiega il motivo nelle note."))


class DopoRifiutoForm(ItalianForm):
    """After a decline or a missed deadline, the social worker re-refers or closes."""

    decisione = RadioField(
        _l("Come proseguire"),
        [InputRequired(_l("Scegli come proseguire."))],
        choices=choices([("reinvia", _l("Inviare a un'altra offerta")), ("chiudi", _l("Chiudere il caso"))]),
        description=_l("L'organizzazione non può accogliere la persona: scegli un'altra offerta o chiudi il caso."),
    )
    note = TextAreaField(
        _l("Note"),
        [Optional(), Length(max=2000), no_control_characters],
        description=_l("Facoltative; restano nella storia del caso."),
    )


class EsitoInterventoForm(ItalianForm):
    """The organization reports how the person's path went."""

    outcome = SelectField(
        _l("Esito"),
        [InputRequired(REQUIRED)],
        choices=choices([("", _l("— scegli —")), *INTERVENTION_OUTCOMES]),
        default="",
        description=_l("Com'è andato il percorso della persona presso la vostra organizzazione."),
    )
    outcome_note = TextAreaField(
        _l("Descrizione dell'esito"),
        [DataRequired(REQUIRED), Length(max=4000), no_control_characters],
        description=_l("Cosa è stato fatto con la persona e come è andata."),
    )

    def validate_outcome(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli l'esito."))


class ChiusuraCasoForm(ItalianForm):
    """The social worker reviews the feedback and closes the case."""

    closing_outcome = SelectField(
        _l("Esito della chiusura"),
        choices=choices([("", _l("— scegli —")), *CLOSING_OUTCOMES]),
        default="",
        description=_l("Come si conclude il percorso della persona; serve al monitoraggio."),
    )
    closing_note = TextAreaField(
        _l("Note di chiusura"),
        [Optional(), Length(max=4000), no_control_characters],
        description=_l("Facoltative; visibili solo al servizio sociale e ai responsabili."),
    )

    def validate_closing_outcome(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli l'esito della chiusura."))
