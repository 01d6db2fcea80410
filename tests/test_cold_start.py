"""What the cold-start shortcuts (issue #8) must not change: the URLs built, the pages rendered, the collector.

webapp/lazy_routes.py compiles URL builders at first use, webapp/template_cache.py keeps compiled templates on
disk, webapp/startup_gc.py pauses the garbage collector while the first app is built.
"""

from __future__ import annotations

import gc
import os
import shutil
import stat

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

from tests.conftest import make_app
from webapp import lazy_routes, template_cache
from webapp.extensions import db

ROUTES = [
    ("/casi", "cases", {}),
    ("/casi/<int:case_id>", "case", {"case_id": 7}),
    ("/casi/<int:case_id>/invii/<slug>", "referral", {"case_id": 7, "slug": "a b/è"}),
    ("/file/<path:name>", "file", {"name": "a/b c.pdf"}),
    ("/catalogo/", "catalogue", {"page": 2, "q": "caffè"}),  # unknown arguments become the query string
    ("/pagina/<int:n>", "page", {}),  # n from the defaults
]


def _urls(rule_class: type[Rule]) -> list[str]:
    app = Flask(__name__)
    app.url_rule_class = rule_class
    for path, endpoint, _values in ROUTES:
        defaults = {"n": 1} if endpoint == "page" else None
        app.add_url_rule(path, endpoint, lambda **_: "", defaults=defaults)
    with app.test_request_context():
        built = []
        for _repeat in range(2):  # the first call compiles the builder, the second uses it
            for _path, endpoint, values in ROUTES:
                built.append(url_for(endpoint, **values))
                built.append(url_for(endpoint, _external=True, **values))
        return built


def test_lazy_url_builders_build_the_same_urls_as_werkzeug():
    assert _urls(lazy_routes.LazyBuilderRule) == _urls(Rule)


def test_the_app_matches_and_builds_urls_with_lazy_rules(app, client):
    assert all(isinstance(rule, lazy_routes.LazyBuilderRule) for rule in app.url_map.iter_rules("catalog.offer_list"))
    with app.test_request_context():
        assert url_for("catalog.offer_list") == "/catalogo"
    assert client.get("/catalogo").status_code == 200


def _app(tmp_path, directory) -> Flask:
    tmp_path.mkdir(exist_ok=True)
    return make_app("sqlite", tmp_path, TESSERE_TEMPLATE_CACHE_DIR=str(directory))


def _page_with_cache(tmp_path, directory) -> tuple[str, object]:
    app = _app(tmp_path, directory)
    try:
        body = app.test_client().get("/catalogo").get_data(as_text=True)
        return body, app.jinja_env.bytecode_cache
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_compiled_templates_are_kept_private_and_give_the_same_pages(tmp_path):
    directory = tmp_path / "compiled"
    first, cache = _page_with_cache(tmp_path / "one", directory)
    assert isinstance(cache, template_cache.FingerprintedBytecodeCache)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    written = sorted(os.listdir(directory))
    assert written  # the layout, the page and its macros
    again, _ = _page_with_cache(tmp_path / "two", directory)
    assert again == first
    assert sorted(os.listdir(directory)) == written  # read back, nothing compiled again


def test_a_cache_directory_others_may_write_is_not_used(tmp_path):
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o777)
    directory.chmod(0o777)
    body, cache = _page_with_cache(tmp_path / "app", directory)
    assert cache is None
    assert "catalogo" in body.lower()
    assert os.listdir(directory) == []


def test_a_cache_that_cannot_be_written_never_fails_a_page(tmp_path):
    directory = tmp_path / "gone"
    app = _app(tmp_path / "app", directory)
    try:
        shutil.rmtree(directory)  # e.g. cleaned up while the server runs
        assert app.test_client().get("/catalogo").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_cache_can_be_turned_off(tmp_path):
    _, cache = _page_with_cache(tmp_path, "")
    assert cache is None


def test_the_fingerprint_follows_the_way_templates_compile(app):
    before = template_cache.compile_fingerprint(app.jinja_env)
    assert template_cache.compile_fingerprint(app.jinja_env) == before
    app.jinja_env.policies["ext.i18n.trimmed"] = False
    assert template_cache.compile_fingerprint(app.jinja_env) != before


@pytest.mark.parametrize("database", ["sqlite"])
def test_the_garbage_collector_runs_after_the_app_is_built(app):
    assert gc.isenabled()
