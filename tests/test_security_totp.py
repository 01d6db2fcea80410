"""The second factor's secrets: encrypted at rest, old plaintext ones migrated, and a QR code on the enrolment page."""

from __future__ import annotations

import re
import time
import urllib.parse

import pyotp
import pytest
import segno
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests import factories as f
from tests.conftest import make_app
from webapp.auth.models import User
from webapp.extensions import db
from webapp.security import totp


def _stored_secret(app, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.totp_secret).where(User.email == email))


def _store_raw(app, email: str, value: str | None) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.totp_secret = value
        user.totp_last_step = None
        db.session.commit()


def _enrol(client) -> tuple[str, str]:
    page = client.get("/profilo/due-fattori").get_data(as_text=True)
    secret = re.search(r'id="chiave-totp">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/profilo/due-fattori", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret, page


def _log_in_with_code(app, email: str, secret: str, offset_steps: int = 1) -> int:
    client = app.test_client()
    response = client.post("/accesso", data={"email": email, "password": f.PASSWORD})
    assert response.headers["Location"].endswith("/accesso/codice")
    code = pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)
    return client.post("/accesso/codice", data={"code": code}).status_code


def test_the_secret_is_stored_encrypted_and_still_gives_working_codes(app, login):
    secret, _page = _enrol(login(f.SOCIAL_WORKER))
    stored = _stored_secret(app, f.SOCIAL_WORKER)
    assert stored.startswith(totp.SEALED_PREFIX) and secret not in stored
    with app.app_context():
        assert totp.unseal(stored) == secret
    assert _log_in_with_code(app, f.SOCIAL_WORKER, secret) == 302


def test_the_enrolment_page_shows_the_secret_as_a_qr_code_without_scripts(app, login):
    client = login(f.SOCIAL_WORKER)
    response = client.get("/profilo/due-fattori")
    page = response.get_data(as_text=True)
    secret = re.search(r'id="chiave-totp">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    src = re.search(r'<img src="([^"]+)" id="qr-totp"', page).group(1)
    assert src.startswith("data:image/svg+xml")
    uri = pyotp.TOTP(secret).provisioning_uri(name=f.SOCIAL_WORKER, issuer_name=totp.ISSUER)
    # the QR encodes exactly the provisioning URI of the secret written beside it
    expected = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000000", light="#ffffff")
    assert src.replace("&amp;", "&") == expected
    svg = urllib.parse.unquote(src.split(",", 1)[1])
    assert "<svg" in svg and "<script" not in svg
    assert re.search(r'alt="[^"]*Codice QR', page)
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "<script>" not in page


def test_a_plaintext_secret_from_before_encryption_still_works_and_is_sealed_at_the_next_code(app):
    secret = pyotp.random_base32()
    _store_raw(app, f.SOCIAL_WORKER, secret)
    assert _log_in_with_code(app, f.SOCIAL_WORKER, secret, offset_steps=0) == 302
    stored = _stored_secret(app, f.SOCIAL_WORKER)
    assert stored.startswith(totp.SEALED_PREFIX) and secret not in stored
    assert _log_in_with_code(app, f.SOCIAL_WORKER, secret, offset_steps=1) == 302  # and keeps working


def test_the_command_line_seals_every_plaintext_secret(app, runner):
    secrets = {email: pyotp.random_base32() for email in (f.SOCIAL_WORKER, f.MANAGER)}
    for email, secret in secrets.items():
        _store_raw(app, email, secret)
    result = runner.invoke(args=["tessere", "user", "seal-totp"])
    assert result.exit_code == 0, result.output
    assert "cifrati: 2" in result.output
    for email, secret in secrets.items():
        stored = _stored_secret(app, email)
        assert stored.startswith(totp.SEALED_PREFIX) and secret not in stored
        assert _log_in_with_code(app, email, secret) == 302
    again = runner.invoke(args=["tessere", "user", "seal-totp"])
    assert "cifrati: 0" in again.output  # already sealed ones are left alone


def test_a_dedicated_key_encrypts_the_secret_and_another_key_cannot_read_it(database, tmp_path):
    key = Fernet.generate_key().decode()
    app = make_app(database, tmp_path, TESSERE_TOTP_KEY=key)
    try:
        client = app.test_client()
        client.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
        secret, _page = _enrol(client)
        stored = _stored_secret(app, f.SOCIAL_WORKER)
        assert Fernet(key).decrypt(stored[len(totp.SEALED_PREFIX) :]).decode() == secret

        app.config["TESSERE_TOTP_KEY"] = Fernet.generate_key().decode()  # the key was changed
        assert _log_in_with_code(app, f.SOCIAL_WORKER, secret) == 401  # refused, not a crash
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("material", ["una frase lunga qualsiasi come chiave", None])
def test_seal_and_unseal_round_trip_with_any_key_material(app, material):
    app.config["TESSERE_TOTP_KEY"] = material
    with app.app_context():
        sealed = totp.seal("JBSWY3DPEHPK3PXP")
        assert sealed != totp.seal("JBSWY3DPEHPK3PXP")  # a fresh IV each time: equal secrets do not show
        assert totp.unseal(sealed) == "JBSWY3DPEHPK3PXP"
        assert totp.unseal("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"  # legacy plaintext
        assert totp.unseal(None) is None
