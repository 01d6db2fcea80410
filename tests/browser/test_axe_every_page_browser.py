"""axe-core on every page type, for every role, in Italian and in English.

A crawler logs in as each demo persona (and as an anonymous visitor), follows the links it is shown, and opens one
page per endpoint of the application ("page type": the case page, the task page, the offer page...). Each page gets
a screenshot and an axe-core run; the test fails on any critical or serious violation, listing them all. So a new
page is checked as soon as a link leads to it, without anybody remembering to add it here; and each role must
reach the page types it works with (MUST_REACH), so a crawl that silently stops early fails too.

The data are the demo's (`flask tessere demo`): every kind of object exists, in every state a person meets.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from tests.browser.conftest import AXE_REPORT, LiveServer, Recorder
from tests.conftest import make_app
from webapp.demo.data import DEMO_PASSWORD
from webapp.demo.loader import load_demo
from webapp.extensions import db
from webapp.workflow import get_engine

pytestmark = pytest.mark.browser

PERSONAS = {
    "anonymous": None,
    "social_worker": "assistente.sociale@demo.tessere.it",
    "association": "operatore@demo.tessere.it",
    "health_service": "ufsmia@demo.tessere.it",
    "manager": "responsabile@demo.tessere.it",
    "admin": "admin@demo.tessere.it",
}

# The page types each role works with: the crawl must have opened each of them (besides whatever else it found).
MUST_REACH = {
    "anonymous": {
        "catalog.offer_list", "catalog.offer_detail", "catalog.organization_detail", "catalog.good_practice_list",
        "membership.call_page", "membership.new_application", "citizen.request_form", "auth.login",
        "security.forgot_password", "info.accessibility_statement", "info.accessibility_feedback",
    },
    "social_worker": {
        "tasks.worklist", "tasks.task_page", "referrals.case_list", "referrals.new_case", "referrals.case_detail",
        "signals.signal_list", "citizen.request_list", "notifications.inbox", "security.account",
    },
    "association": {
        "tasks.worklist", "referrals.case_list", "referrals.referral_detail", "network.my_offers",
        "network.new_offer", "network.edit_offer", "pact.index", "signals.signal_list", "signals.new_signal",
        "citizen.request_list", "monitoring.index", "notifications.inbox", "security.account",
    },
    "health_service": {"tasks.worklist", "referrals.case_list", "referrals.new_case", "referrals.case_detail"},
    "manager": {
        "tasks.worklist", "referrals.case_list", "referrals.case_detail", "membership.application_list",
        "membership.application_detail", "pact.index", "agreements.agreement_list", "agreements.agreement_detail",
        "monitoring.index", "monitoring.period_list", "monitoring.period_report", "monitoring.schedule_page",
        "monitoring.practice_list", "modeler.process_list", "modeler.process_detail", "modeler.edit_process",
        "modeler.instance_detail", "audit.access_log", "signals.signal_list",
    },
    "admin": {"notifications.inbox", "notifications.outbox", "notifications.incidents", "security.account"},
}

MAX_PAGES_PER_ROLE = 90
# Links the crawler does not follow: downloads, machine-readable answers, other sites' pages.
SKIPPED_PATH = re.compile(r"^/(static|api)/|\.(csv|xlsx|pdf|json|bpmn|svg|png|xml)$|/(esporta|export|download|scarica)")


@dataclass
class Crawl:
    role: str
    language: str
    visited: dict[str, str] = field(default_factory=dict)  # endpoint -> the URL opened for it
    blocking: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong_language: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app with the demo data on a SQLite file, served on a free port for the whole module (CSRF on)."""
    app = make_app("sqlite", tmp_path_factory.mktemp("axe-demo"), WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    with app.app_context():
        load_demo(db.session, get_engine())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tessere-axe-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def endpoint_of(server: LiveServer, path: str) -> str | None:
    adapter = server.app.url_map.bind("127.0.0.1")
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def log_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server("/accesso"))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/accesso" not in page.url, f"login failed for {email}: {page.url}"


def links_on(page: Page, server: LiveServer) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)")
    found = []
    for href in hrefs:
        href, _ = urldefrag(href)
        parts = urlsplit(href)
        if not href.startswith(server.url) or SKIPPED_PATH.search(parts.path) or "lang=" in parts.query:
            continue
        found.append(href)
    return found


def crawl(page: Page, server: LiveServer, recorder: Recorder, role: str, language: str) -> Crawl:
    """Breadth first from the home page; one page per endpoint; axe on each."""
    result = Crawl(role, language)
    queue = deque([server("/"), server("/catalogo/offerte"), server("/accessibilita")])
    seen_urls: set[str] = set()
    while queue and len(result.visited) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        path = urlsplit(url).path
        endpoint = endpoint_of(server, path)
        if endpoint is None or endpoint in result.visited or endpoint in ("auth.logout", "static"):
            continue
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file to download (an export), not a page
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 500:
            result.errors.append(f"{response.status} {url}")
            continue
        final_endpoint = endpoint_of(server, urlsplit(page.url).path)
        if final_endpoint != endpoint:
            # Redirected (e.g. a restricted case asks a manager why first): this URL showed another page type, so
            # the one it names is still to be seen through another link.
            if final_endpoint is None or final_endpoint in result.visited:
                queue.extend(links_on(page, server))
                continue
            endpoint = final_endpoint
        result.visited[endpoint] = page.url
        if page.evaluate("() => document.documentElement.lang") != language:
            result.wrong_language.append(page.url)
        name = f"{role}-{language}-{endpoint.replace('.', '-')}"
        recorder.shot(page, name)
        for violation in recorder.axe(page, name):
            result.blocking.append({"role": role, "language": language, "url": page.url, **violation})
        queue.extend(links_on(page, server))
    return result


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("role", list(PERSONAS))
def test_every_page_type_has_no_serious_accessibility_violation(demo_server, new_context, recorder, role, language):
    page = new_context().new_page()
    page.goto(demo_server(f"/catalogo/offerte?lang={language}"))  # the language switch's choice, kept in the session
    if PERSONAS[role]:
        log_in(page, demo_server, PERSONAS[role])
    result = crawl(page, demo_server, recorder, role, language)

    AXE_REPORT.mkdir(parents=True, exist_ok=True)
    (AXE_REPORT / f"crawl-{role}-{language}.json").write_text(
        json.dumps({"visited": result.visited, "blocking": result.blocking, "errors": result.errors,
                    "wrong_language": result.wrong_language},
                   ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert not result.errors, f"server errors while crawling as {role}: {result.errors}"
    assert not result.wrong_language, f"pages not in {language!r} for {role}: {result.wrong_language}"
    missing = MUST_REACH[role] - set(result.visited)
    assert not missing, f"the crawl as {role} never reached {sorted(missing)}; visited {sorted(result.visited)}"
    assert not result.blocking, f"axe-core, {role} ({language}): " + json.dumps(result.blocking, ensure_ascii=False,
                                                                               indent=1)
