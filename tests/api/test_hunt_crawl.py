"""Every form the pages offer, submitted with every option they offer (opt-in: HUNT_CRAWL=1, minutes per role).

Signed in as one person of the demo, the crawl follows the page links from the home page (same origin, a bounded
depth, a few pages of each shape) and the pages a form sends people to; on each page, every POST form is sent once
as the page renders it, once for each option of each of its selects, radios and checkboxes, once emptied and once
with every field garbage. No answer (nor the page a redirect leads to) may be a 5xx, and a refused form (4xx) must
leave the table as it was. This is how the topics page's 500 after saving was found; it is slow (every variant
reads its page again first), so it runs only when asked:

    HUNT_CRAWL=1 .venv/bin/pytest tests/api/test_hunt_crawl.py -q -p no:cacheprovider

HUNT_CRAWL_ROLES="E005 E007" picks the demo people (default: an employee, a manager acting for another, HR).
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from service.adapters.clock import Clock
from service.adapters.store import MemoryTable
from service.config import Settings
from service.demo.scenario import load_demo
from tests.conftest import AuthActions

pytestmark = pytest.mark.skipif(not os.environ.get("HUNT_CRAWL"), reason="slow: set HUNT_CRAWL=1 to crawl")
ROLES = os.environ.get("HUNT_CRAWL_ROLES", "E009 E007 E005").split()
ID = re.compile(r"^(E\d+|[0-9a-f-]{8,}|[A-Za-z]+-[0-9a-f]{12,}|\d+|\d{4}-\d\d-\d\d)$", re.IGNORECASE)
SKIP = re.compile(r"(^/api/|/signout|^/signin|^/session|\.(csv|zip|json|ico|png|pdf)$|^/static/)")
DEPTH, PER_SHAPE, MOST = 5, 3, 150
TYPED = {"date": "2027-01-15", "time": "10:00", "number": "3", "email": "x@example.com", "url": "https://example.com"}
KEEP = ("csrf_token", "version")


class Forms(HTMLParser):
    """The links and forms of a page: each form's action, method, fields and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._text: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self._form["buttons"] = []
            self.forms.append(self._form)
        if self._form is None:
            return
        kind = a.get("type", "text").lower()
        if (tag == "input" and kind in ("submit", "image")) or (tag == "button" and kind in ("submit", "text")):
            self._form["buttons"].append((a.get("name"), a.get("value", "")))
        elif tag == "input" and a.get("name"):
            field = {"name": a["name"], "type": kind, "value": a.get("value", ""), "checked": "checked" in a}
            self._form["fields"].append(field)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "options": [], "value": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a or self._select["value"] is None:
                self._select["value"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._text = {"name": a["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._text)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._text = None
        elif tag == "form":
            self._form = None


def as_sent(form: dict[str, Any]) -> dict[str, list[str]]:
    """The form as a browser sends it untouched, empty text filled in (so that its choices are what is judged)."""
    data: dict[str, list[str]] = {}
    for f in form["fields"]:
        if f["type"] in ("radio", "checkbox"):
            if f["checked"] or (f["type"] == "radio" and f["name"] not in data):
                data[f["name"]] = [f["value"] or "on"]
            continue
        value = f["value"] or ""
        if not value and f["type"] in TYPED:
            value = "" if "offset" in f["name"] else TYPED[f["type"]]
        data.setdefault(f["name"], []).append(value or ("Hunt text" if f["type"] in ("text", "textarea") else ""))
    return data


def variants(form: dict[str, Any]) -> list[Any]:
    """As sent; each option of each choice alone; everything emptied; everything garbage."""
    found: list[Any] = [{}]
    for f in form["fields"]:
        options = f["options"] if f["type"] == "select" else [f["value"] or "on"]
        if f["type"] in ("select", "radio", "checkbox"):
            found += [{f["name"]: [o]} for o in options]
    return [*found, "", "zz-not-valid"]


def key(form: dict[str, Any]) -> tuple[Any, ...]:
    names = sorted(f["name"] for f in form["fields"] if f["name"] not in KEEP)
    hidden = sorted((f["name"], f["value"]) for f in form["fields"] if f["type"] == "hidden" and f["name"] not in KEEP)
    return form["action"], tuple(names), tuple(hidden), tuple(form["buttons"])


def fingerprint(table: MemoryTable) -> dict[Any, str]:
    return {k: json.dumps(v, sort_keys=True, default=str) for k, v in table._items.items()}


def shape(path: str) -> str:
    return "/".join("*" if ID.match(part) else part for part in path.split("/"))


def local(base: str, href: str) -> str | None:
    url, _ = urldefrag(urljoin("http://localhost" + base, href))
    parts = urlsplit(url)
    if parts.netloc != "localhost" or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("employee_id", ROLES)
def test_every_form_with_every_option_answers_no_5xx_and_a_refusal_changes_nothing(employee_id):
    from service.web import create_app

    table, clock = MemoryTable(), Clock()
    load_demo(table, clock)
    app = create_app(Settings(secret_key="hunt-crawl-secret-" + "x" * 20), table=table, clock=clock)
    client = app.test_client()
    AuthActions(client).login(employee_id)
    problems: list[str] = []
    seen, shapes, frontier, visited = {"/"}, {}, ["/"], 0

    def follow(path: str, budget: int) -> None:
        if path not in seen and shapes.get(shape(urlsplit(path).path), 0) < budget:
            seen.add(path)
            shapes[shape(urlsplit(path).path)] = shapes.get(shape(urlsplit(path).path), 0) + 1
            following.append(path)

    def parse(path: str) -> Forms | None:
        page = client.get(path)
        if page.status_code >= 500:
            problems.append(f"GET {path}: {page.status_code}")
        if "text/html" not in page.content_type:
            return None
        parsed = Forms()
        parsed.feed(page.get_data(as_text=True))
        return parsed

    for _depth in range(DEPTH):
        following: list[str] = []
        for path in frontier[: max(0, MOST - visited)]:
            visited += 1
            parsed = parse(path)
            if parsed is None:
                continue
            for link in filter(None, (local(path, h) for h in parsed.links)):
                follow(link, PER_SHAPE)
            for form in (f for f in parsed.forms if f["method"] == "post"):
                action = local(path, form["action"] or path)
                if action is None:
                    continue
                for variant in variants(form):
                    for button in form["buttons"] or [(None, "")]:
                        fresh = parse(path)
                        same = [f for f in (fresh.forms if fresh else []) if key(f) == key(form)]
                        if not same:
                            continue
                        data = as_sent(same[0])
                        if isinstance(variant, str):
                            data = {k: (v if k in KEEP else [variant]) for k, v in data.items()}
                        data.update(variant if isinstance(variant, dict) else {})
                        if button[0]:
                            data[button[0]] = [button[1]]
                        before = fingerprint(table)
                        sent = client.post(action, data=data)
                        shown = {k: v for k, v in data.items() if k != "csrf_token"}
                        if sent.status_code >= 500:
                            problems.append(f"POST {action} {shown}: {sent.status_code} (from {path})")
                        elif 400 <= sent.status_code < 500 and fingerprint(table) != before:
                            problems.append(f"POST {action} {shown}: {sent.status_code} but the table changed")
                        elif sent.status_code in (302, 303) and (target := local(action, sent.location or "")):
                            after = client.get(target)
                            if after.status_code >= 500:
                                problems.append(f"GET {target} after POST {action}: {after.status_code}")
                            follow(target, PER_SHAPE + 2)
        frontier = following
    assert problems == []
