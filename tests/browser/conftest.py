"""Fixtures of the browser tests: a live server, Debian's chromium through Playwright, screenshots and axe-core.

The app runs for real (werkzeug on 127.0.0.1, a free port, one thread per request) on a fresh SQLite file, with
CSRF protection ENABLED: the browser submits the tokens the pages render, as people's browsers do.
Playwright drives /usr/bin/chromium (installed by `make test`); its own browser is never downloaded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import make_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_REPORT = ROOT / "test-artifacts" / "axe"
AXE_JS = ROOT / "webapp" / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """The app on http://127.0.0.1:<free port>, SQLite only, CSRF on; stopped and disposed at the end."""
    app = make_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tessere-live-server", daemon=True)
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


def _chromium_missing() -> str:
    return (
        f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
        "Install it with `make chromium` (or run `make test`, which does it), "
        "or `sudo apt-get install chromium`. Playwright's own browser download is not used."
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser | None]:
    """Debian's chromium, or None when it is not installed (new_context() then FAILS the test: never a skip)."""
    if not CHROMIUM.is_file():
        yield None
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, for new_context's screenshots of the pages as they were."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def new_context(browser, request) -> Iterator:
    """new_context() -> a fresh browser context (own cookies: one person each), closed at the end of the test.

    When the test fails, every open page is saved as test-artifacts/screenshots/<test>-FAILED-<n>.png first.
    """
    contexts: list[BrowserContext] = []

    def _new_context() -> BrowserContext:
        if browser is None:
            pytest.fail(_chromium_missing(), pytrace=False)
        # bypass_csp: axe-core is injected as a <script>, which the planned CSP would otherwise block.
        # reduced_motion: bootstrap-italia then skips its colour transitions, so axe never measures the contrast of
        # a button caught half-way through one (a flaky "serious" finding on the header's language button).
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="it-IT", timezone_id="Europe/Rome", bypass_csp=True,
            reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new_context
    if request.node.stash.get(CALL_FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pages = [page for context in contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            path = SCREENSHOTS / f"{_safe_name(request.node.name)}-FAILED-{number}.png"
            page.screenshot(path=str(path), full_page=True)
    for context in contexts:
        context.close()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")


@dataclass
class Recorder:
    """Full-page screenshots (numbered, per test) and axe-core checks of the pages the test visits."""

    test_name: str
    step: int = 0
    findings: list[dict] = field(default_factory=list)

    def shot(self, page: Page, name: str) -> Path:
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self, page: Page, name: str) -> list[dict]:
        """Run axe-core in the page; remember every violation, return the blocking ones (critical, serious)."""
        if not AXE_JS.is_file():
            pytest.fail(f"{AXE_JS} is missing: run `make install` (scripts/copy_assets.py copies it from npm).")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate(
            """async () => {
                const results = await axe.run();
                const brief = v => ({
                    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                });
                return {violations: results.violations.map(brief), incomplete: results.incomplete.map(brief)};
            }"""
        )
        violations = results["violations"]
        # "incomplete": what axe could not decide (e.g. contrast over an image); kept in the report for people to check
        self.findings.append({"page": name, "url": page.url, **results})
        return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]

    def check(self, page: Page, name: str) -> None:
        """Screenshot, then axe: the page of this step has no critical or serious accessibility violation."""
        self.shot(page, name)
        blocking = self.axe(page, name)
        assert not blocking, f"axe-core on {name} ({page.url}): " + json.dumps(blocking, ensure_ascii=False, indent=1)

    def save(self) -> None:
        AXE_REPORT.mkdir(parents=True, exist_ok=True)
        report = AXE_REPORT / f"{self.test_name}.json"
        report.write_text(json.dumps(self.findings, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture
def recorder(request) -> Iterator[Recorder]:
    recorder = Recorder(_safe_name(request.node.name))
    yield recorder
    recorder.save()  # written even when the test failed, to see every finding
