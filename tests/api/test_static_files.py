"""Static files (issue 21): pages reference them under content-hashed names that browsers cache for a year;
plain and outdated names still serve, briefly cached, so a page rendered before a deploy keeps working."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from service.web import TEMPLATES
from service.web.static import IMMUTABLE, SHORT

pytestmark = pytest.mark.usefixtures("launched_state")

STATIC = TEMPLATES / "static"
STATIC_REF = re.compile(r"""["'(](/static/[^"')\s]+)""")
FINGERPRINTED = re.compile(r"^/static/[\w/-]+\.[0-9a-f]{8}\.[A-Za-z0-9]+$")
SKIP = re.compile(r"\.(pdf|csv|zip)$|^/(signout|auth/|session)")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for("static", filename=filename)


def fetch(client, url: str) -> tuple[int, str | None, bytes]:
    with client.get(url) as resp:
        return resp.status_code, resp.headers.get("Cache-Control"), resp.get_data()


def crawl(actor, limit: int = 14) -> dict[str, str]:
    """The home page and the pages it links to: {path: html} of those answering 200 with a page."""
    home = actor.get("/").get_data(as_text=True)
    links = sorted({unescape(h) for h in re.findall(r'href="(/[^"#]*)"', home)} - {"/"})
    pages = {"/": home}
    for link in [u for u in links if not u.startswith("/static/") and not SKIP.search(u)][:limit]:
        resp = actor.get(link)
        if resp.status_code == 200 and resp.mimetype == "text/html":
            pages[link] = resp.get_data(as_text=True)
    return pages


def test_a_fingerprinted_name_is_cached_for_a_year(app, client):
    url = static_url(app, "app.css")
    assert FINGERPRINTED.match(url)
    status, cache, body = fetch(client, url)
    assert (status, cache) == (200, IMMUTABLE)
    assert body == (STATIC / "app.css").read_bytes()


def test_the_plain_name_and_an_outdated_fingerprint_still_serve_briefly_cached(client):
    assert fetch(client, "/static/app.js")[:2] == (200, SHORT)
    status, cache, body = fetch(client, "/static/app.0123abcd.js")  # a page rendered before the last deploy
    assert (status, cache) == (200, SHORT) and body == (STATIC / "app.js").read_bytes()


def test_an_unknown_file_is_a_404_under_either_name(client):
    assert fetch(client, "/static/missing.css")[0] == 404
    assert fetch(client, "/static/missing.0123abcd.css")[0] == 404
    assert fetch(client, "/static/../pages/base.html")[0] == 404


def test_no_template_names_a_static_file_by_its_path():
    literal = [p.name for p in (TEMPLATES / "pages").rglob("*.html") if "/static/" in p.read_text()]
    assert literal == []  # every reference goes through url_for('static', ...), which fingerprints it


@pytest.mark.parametrize("employee_id", ["E4", "E3", "E2", "E1"], ids=["employee", "manager", "hr", "leadership"])
def test_every_static_reference_of_every_page_is_fingerprinted_and_resolves(as_, client, employee_id):
    pages = crawl(as_(employee_id))
    assert len(pages) >= 4
    refs = {path: STATIC_REF.findall(html) for path, html in pages.items()}
    assert all(refs.values()), [p for p, r in refs.items() if not r]  # each page has its stylesheet and script
    unfingerprinted = {p: [u for u in r if not FINGERPRINTED.match(u)] for p, r in refs.items()}
    assert not any(unfingerprinted.values()), unfingerprinted
    for url in sorted({u for r in refs.values() for u in r}):
        status, cache, _ = fetch(client, url)
        assert (status, cache) == (200, IMMUTABLE), url


def test_a_changed_file_gets_a_new_name_and_the_old_one_keeps_working(app, client, tmp_path):
    fingerprints = app.extensions["static_fingerprints"]
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    saved = fingerprints.folder
    fingerprints.folder = str(folder)
    try:
        before = static_url(app, "app.css")
        stylesheet = Path(folder, "app.css")
        stylesheet.write_text(stylesheet.read_text() + "\n.new-rule { color: inherit; }\n")
        after = static_url(app, "app.css")
        assert after != before and FINGERPRINTED.match(after)
        status, cache, body = fetch(client, after)
        assert (status, cache) == (200, IMMUTABLE) and body.endswith(b".new-rule { color: inherit; }\n")
        status, cache, body = fetch(client, before)  # an old page's link: the new content, not cached for long
        assert (status, cache) == (200, SHORT) and b".new-rule" in body
        assert static_url(app, "app.js") == static_url(app, "app.js")  # unchanged files keep their name
    finally:
        fingerprints.folder = saved
