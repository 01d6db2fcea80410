"""Accounts and transport: headers and CSP, cookies, login throttling, password rules, reset links, TOTP, tokens."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from tests import factories as f
from tests.conftest import make_app
from webapp.auth.models import ApiToken, User
from webapp.extensions import db
from webapp.notifications.models import OutboxMessage
from webapp.security.passwords import password_problem


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


# ------------------------------------------------------------------------------------------ headers, cookies
def test_every_page_carries_the_security_headers_and_a_csp_without_inline_scripts(client, login):
    for response in (client.get("/catalogo"), login(f.SOCIAL_WORKER).get("/attivita"), client.get("/api/openapi.json")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert login(f.SOCIAL_WORKER).get("/attivita").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(login):
    for email, path in ((f.SOCIAL_WORKER, "/casi/nuovo"), (f.MANAGER, "/registro-accessi"), (f.ADMIN, "/profilo")):
        page = login(email).get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert " style=" not in page and "onclick=" not in page, path


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app):
    client = app.test_client()
    response = client.post(
        "/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD}, base_url="https://tessere.example"
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert "Strict-Transport-Security" in response.headers
    plain = app.test_client().post("/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
    assert "Secure" not in plain.headers["Set-Cookie"]  # the demo on http://127.0.0.1 still works


# ------------------------------------------------------------------------------------------------- login
def test_login_failure_message_is_the_same_for_unknown_accounts_and_wrong_passwords(client):
    unknown = client.post("/accesso", data={"email": "nessuno@test.it", "password": "x" * 12})
    wrong = client.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert "E-mail o password non corrette." in unknown.get_data(as_text=True)
    assert "E-mail o password non corrette." in wrong.get_data(as_text=True)


def test_login_does_not_redirect_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/accesso?next={target}", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
        assert response.status_code == 302 and "evil" not in response.headers["Location"]
        client.post("/esci")


def test_failed_logins_are_throttled_per_account_and_per_address(database, tmp_path):
    app = make_app(database, tmp_path, RATELIMIT_ENABLED=True)
    try:
        client = app.test_client()
        for _ in range(5):
            assert client.post("/accesso", data={"email": f.MANAGER, "password": "sbagliata-123"}).status_code == 401
        blocked = client.post("/accesso", data={"email": f.MANAGER, "password": f.PASSWORD})
        assert blocked.status_code == 429 and "Troppi tentativi" in blocked.get_data(as_text=True)
        # the account is slowed from any address; other accounts from other addresses are not
        elsewhere = app.test_client()
        other_addr = {"REMOTE_ADDR": "10.1.2.3"}
        assert (
            elsewhere.post(
                "/accesso", data={"email": f.MANAGER, "password": "x" * 12}, environ_base=other_addr
            ).status_code
            == 429
        )
        ok = elsewhere.post(
            "/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD}, environ_base=other_addr
        )
        assert ok.status_code == 302
        # one address trying many accounts is slowed too
        spray = app.test_client()
        addr = {"REMOTE_ADDR": "10.9.9.9"}
        statuses = [
            spray.post("/accesso", data={"email": f"u{i}@test.it", "password": "x" * 12}, environ_base=addr).status_code
            for i in range(21)
        ]
        assert statuses[-1] == 429 and statuses[0] == 401
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------------------------------------- passwords
@pytest.mark.parametrize(
    "password",
    [
        "corto",
        "password123",
        "Password1234!",
        "qwertyuiop",
        "1234567890",
        "juventus1897",
        "aaaaaaaaaaaa",
        "abcabcabcabc",
    ],
)
def test_short_and_common_passwords_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["tessere-demo-2026", "password-di-prova-123", "cavallo batteria graffetta"])
def test_reasonable_passwords_are_accepted(password):
    assert password_problem(password) is None


def test_user_create_refuses_a_common_password(runner):
    result = runner.invoke(
        args=[
            "tessere",
            "user",
            "create",
            "--email",
            "n@test.it",
            "--name",
            "N",
            "--role",
            "manager",
            "--password",
            "password1234",
        ]
    )
    assert result.exit_code != 0 and "tra le più usate" in result.output


def _mail_link(app, prefix: str) -> str:
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        body = message.body_text
    return re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", body).group(1)


def test_password_reset_by_a_single_use_expiring_link(app, client, login):
    other_session = login(f.SOCIAL_WORKER)
    unknown = client.post("/password/dimenticata", data={"email": "nessuno@test.it"}, follow_redirects=True)
    known = client.post("/password/dimenticata", data={"email": f.SOCIAL_WORKER}, follow_redirects=True)
    assert "Se l&#39;indirizzo corrisponde" in unknown.get_data(as_text=True)
    assert "Se l&#39;indirizzo corrisponde" in known.get_data(as_text=True)  # the same answer: nothing learnt
    link = _mail_link(app, "/password/nuova/")
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 422 and "tra le più usate" in weak.get_data(as_text=True)
    new = "una-nuova-frase-segreta"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert client.get(link).status_code == 404  # single use
    assert client.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": new}).status_code == 302
    assert other_session.get("/attivita").status_code == 302  # sessions opened with the old password are closed


def test_an_expired_reset_link_is_refused(app, client):
    from datetime import UTC, datetime, timedelta

    from webapp.security.links import create_link

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == f.SOCIAL_WORKER))
        token, _ = create_link(db.session, user, "reset", now=datetime.now(UTC) - timedelta(hours=2))
        db.session.commit()
    assert client.get(f"/password/nuova/{token}").status_code == 404


def test_an_invited_user_chooses_a_password_through_the_emailed_link(app, runner, client):
    result = runner.invoke(
        args=["tessere", "user", "invite", "--email", "nuova@test.it", "--name", "Nuova", "--role", "social_worker"]
    )
    assert result.exit_code == 0, result.output
    link = _mail_link(app, "/password/nuova/")
    assert "scegli la password" in client.get(link).get_data(as_text=True)
    assert (
        client.post(link, data={"password": "frase-di-benvenuto", "confirm": "frase-di-benvenuto"}).status_code == 302
    )
    assert client.post("/accesso", data={"email": "nuova@test.it", "password": "frase-di-benvenuto"}).status_code == 302


def test_changing_the_password_needs_the_current_one(login):
    client = login(f.SOCIAL_WORKER)
    wrong = client.post(
        "/profilo/password",
        data={"current": "sbagliata", "password": "nuova-frase-lunga", "confirm": "nuova-frase-lunga"},
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/profilo/password",
        data={"current": f.PASSWORD, "password": "nuova-frase-lunga", "confirm": "nuova-frase-lunga"},
    )
    assert ok.status_code == 302
    assert client.get("/attivita").status_code == 200  # this session follows the new password


# ---------------------------------------------------------------------------------------------------- TOTP
def _enrol(client) -> str:
    page = client.get("/profilo/due-fattori").get_data(as_text=True)
    secret = re.search(r'id="chiave-totp">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/profilo/due-fattori", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return secret


def test_a_manager_must_set_up_totp_when_required_then_logs_in_with_a_code(database, tmp_path):
    app = make_app(database, tmp_path, TESSERE_REQUIRE_TOTP=True)
    try:
        client = app.test_client()
        assert client.post("/accesso", data={"email": f.MANAGER, "password": f.PASSWORD}).status_code == 302
        assert client.get("/casi").headers["Location"].endswith("/profilo/due-fattori")
        assert client.get("/api/v1/tasks").status_code == 401
        secret = _enrol(client)
        assert client.get("/casi").status_code == 200
        client.post("/esci")

        second = app.test_client()
        response = second.post("/accesso", data={"email": f.MANAGER, "password": f.PASSWORD})
        assert response.headers["Location"].endswith("/accesso/codice")
        assert second.get("/casi").status_code == 302  # not logged in yet
        assert second.post("/accesso/codice", data={"code": "000000"}).status_code == 401
        code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the enrolment code is spent
        assert second.post("/accesso/codice", data={"code": code}).status_code == 302
        assert second.get("/casi").status_code == 200
        second.post("/esci")
        third = app.test_client()
        third.post("/accesso", data={"email": f.MANAGER, "password": f.PASSWORD})
        assert third.post("/accesso/codice", data={"code": code}).status_code == 401  # a code works once
        # a social worker is not forced
        worker = app.test_client()
        worker.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
        assert worker.get("/attivita").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_totp_is_optional_for_other_roles_and_can_be_turned_off_with_the_password(app, login):
    client = login(f.SOCIAL_WORKER)
    _enrol(client)
    assert _user(app, f.SOCIAL_WORKER).totp_secret
    client.post("/profilo/due-fattori/disattiva", data={"current": f.PASSWORD})
    assert _user(app, f.SOCIAL_WORKER).totp_secret is None


# -------------------------------------------------------------------------------------------------- tokens
def test_api_tokens_are_listed_per_user_shown_once_and_revocable(app, login):
    client = login(f.OPERATOR_A)
    page = client.post("/profilo/token", data={"label": "Gestionale"}).get_data(as_text=True)
    token = re.search(r'id="nuovo-token"[^>]*>(tes_[^<]+)<', page).group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200
    listing = client.get("/profilo").get_data(as_text=True)
    assert "Gestionale" in listing and token not in listing
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.label == "Gestionale"))
        assert row.token_hash != token and token not in row.token_hash
        token_id = row.id
    assert login(f.OPERATOR_B).post(f"/profilo/token/{token_id}/revoca").status_code == 404  # not theirs
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200
    assert client.post(f"/profilo/token/{token_id}/revoca").status_code == 302
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401


def test_tokens_can_be_listed_and_revoked_from_the_command_line(app, runner):
    created = runner.invoke(args=["tessere", "token", "create", f.MANAGER])
    token = created.output.strip()
    listed = runner.invoke(args=["tessere", "token", "list", f.MANAGER])
    assert listed.exit_code == 0 and token not in listed.output and "attivo" in listed.output
    token_id = listed.output.split("\t", 1)[0]
    assert runner.invoke(args=["tessere", "token", "revoke", token_id]).exit_code == 0
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
