"""The small form of the «ho perso il link» page (the scheda's own forms live in `forms.membership`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from forms.referral import ItalianForm


class LinkPersoForm(ItalianForm):
    """The referent's e-mail, to send again the link of a draft or of an application to amend."""

    email = EmailField(
        _l("E-mail del referente della domanda"),
        [
            DataRequired(_l("Scrivi l'e-mail del referente indicata nella scheda.")),
            Email(_l("Scrivi un indirizzo e-mail valido, per esempio nome@associazione.it.")),
            Length(max=200),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("L'indirizzo che hai scritto nella scheda come e-mail del referente."),
    )
