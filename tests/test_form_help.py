"""Every field people fill in says, under it, what to write and why (issue #9, "Forms that help").

The check walks the `forms` and `webapp` packages, so a form added tomorrow is checked too; the pages test that the
help text is on screen and tied to its field with `aria-describedby`, so a screen reader reads it with the field.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from html import unescape

import pytest
from wtforms import Form
from wtforms.fields.core import UnboundField

from tests import factories as f

# Fields people never fill in: traps for robots, hidden from view and from assistive technologies.
HONEYPOTS = {
    ("forms.citizen", "RichiestaPartecipazioneForm", "website"),
    ("webapp.info.forms", "AccessibilityFeedbackForm", "website"),
}
NOT_FILLED_IN_BY_PEOPLE = {"SubmitField", "HiddenField", "CSRFTokenField"}


def _form_classes() -> list[type[Form]]:
    classes: dict[str, type[Form]] = {}
    for package_name in ("forms", "webapp"):
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            module = importlib.import_module(module_info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, Form) and cls.__module__.startswith(("forms.", "webapp.")):
                    classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [classes[key] for key in sorted(classes)]


def _declared_fields(cls: type[Form]) -> list[tuple[str, str, UnboundField]]:
    """(module of the class that declares it, field name, unbound field): inherited fields count once."""
    fields = []
    for name in dir(cls):
        unbound = getattr(cls, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        owner = next(klass for klass in cls.__mro__ if name in vars(klass))
        fields.append((f"{owner.__module__}.{owner.__qualname__}", name, unbound))
    return fields


def test_the_walk_finds_the_forms_of_every_area():
    names = {f"{cls.__module__}.{cls.__name__}" for cls in _form_classes()}
    for expected in (
        "forms.referral.PresaInCaricoForm",
        "forms.membership.SchedaRicognizioneForm",
        "webapp.auth.views.LoginForm",
        "webapp.security.views.ChangePasswordForm",
        "webapp.agreements.forms.AgreementForm",
        "webapp.agreements.views.OperatorForm",
        "webapp.referrals.views.AccessReasonForm",
        "webapp.info.forms.AccessibilityFeedbackForm",
    ):
        assert expected in names
    assert len(names) >= 40


def test_every_field_people_fill_in_has_a_help_text(app):
    missing = []
    repeats_label = []
    with app.test_request_context():
        for cls in _form_classes():
            for owner, name, unbound in _declared_fields(cls):
                module, _, class_name = owner.rpartition(".")
                if unbound.field_class.__name__ in NOT_FILLED_IN_BY_PEOPLE or (module, class_name, name) in HONEYPOTS:
                    continue
                description = str(unbound.kwargs.get("description") or "").strip()
                label = str(unbound.args[0] if unbound.args else unbound.kwargs.get("label") or "").strip()
                if not description:
                    missing.append(f"{owner}.{name}")
                elif description.rstrip(".").casefold() == label.rstrip(".").casefold():
                    repeats_label.append(f"{owner}.{name}")
    assert not missing, "campi senza testo di aiuto (description=_l(...)):\n" + "\n".join(sorted(set(missing)))
    assert not repeats_label, "testo di aiuto uguale all'etichetta:\n" + "\n".join(sorted(set(repeats_label)))


def test_honeypots_stay_hidden_from_people():
    """The allow-list above holds only robot traps: each is said to be one in its form's source."""
    for module, class_name, name in HONEYPOTS:
        source = inspect.getsource(getattr(importlib.import_module(module), class_name))
        assert name == "website" and re.search(r"robot", source, re.IGNORECASE), (module, class_name)


def _help_is_linked(html: str, field_id: str, expected_text: str) -> None:
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{field_id}"[^>]*>', html)
    assert tag, f"field {field_id} not on the page"
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described and f"{field_id}-help" in described.group(1).split(), tag.group(0)
    help_block = re.search(rf'<small id="{field_id}-help"[^>]*>(.*?)</small>', html, re.S)
    assert help_block and expected_text in unescape(help_block.group(1)), f"help of {field_id} not shown"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_intake_page_shows_each_help_text_linked_to_its_field(login):
    html = login(f.SOCIAL_WORKER).get("/casi/nuovo").get_data(as_text=True)
    _help_is_linked(html, "first_name", "Il nome della persona presa in carico")
    _help_is_linked(html, "phone", "333 1234567")
    _help_is_linked(html, "email", "la condividi con l'organizzazione solo se lo scegli")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_login_page_shows_help_in_the_language_of_the_page(client):
    html = client.get("/accesso").get_data(as_text=True)
    _help_is_linked(html, "email", "L'indirizzo con cui sei registrato in Tessere.")
    english = client.get("/accesso?lang=en").get_data(as_text=True)
    _help_is_linked(english, "email", "The address you are registered with in Tessere.")
