"""Static files under content-hashed names, cached by browsers for a year.

`url_for('static', filename='app.css')` gives `/static/app.<8 hex of its SHA-256>.css`. The digest of each file is
computed on first use and kept while the file's size and modification time stay the same (a Lambda's files never
change; the local run's do). A name with the current digest is served `Cache-Control: public, max-age=31536000,
immutable`: browsers never ask again, and a changed file gets a new name. The plain name, or a digest that is no
longer current (a page rendered before a deploy), still serves the current file, with a short cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from stat import S_ISREG
from typing import Any

from flask import Flask, send_from_directory
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
FAVICON = "favicon.ico"
FAVICON_CACHE = "public, max-age=86400"  # a fixed name browsers ask for: a day, so a new icon shows the next day
DIGEST_CHARS = 8
FINGERPRINTED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_CHARS}}})(?P<ext>\.[A-Za-z0-9]+)$")


class Fingerprints:
    """Content digests of the files in one folder, each computed once per version of the file."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = str(folder)
        self._known: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        """The file's digest, or None when there is no such file."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(filename)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_CHARS]
        with self._lock:
            self._known[filename] = (stamp, digest)
        return digest

    def name(self, filename: str) -> str:
        """The fingerprinted name of a file (the name itself when there is no such file)."""
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, ext = os.path.splitext(filename)
        return f"{stem}.{digest}{ext}"

    def resolve(self, requested: str) -> tuple[str, str]:
        """(the file to send, its Cache-Control) for a requested name."""
        if self.digest(requested) is not None:
            return requested, SHORT  # a plain name (or a file whose own name looks fingerprinted)
        match = FINGERPRINTED.match(requested)
        if match is None:
            return requested, SHORT  # no such file: sending it answers 404
        filename = match["stem"] + match["ext"]
        current = self.digest(filename)
        return filename, IMMUTABLE if current == match["digest"] else SHORT


def install(app: Flask) -> None:
    """Fingerprint the app's static URLs and serve them with their cache headers."""
    if app.static_folder is None:
        return
    fingerprints = app.extensions["static_fingerprints"] = Fingerprints(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint: str | None, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = fingerprints.name(values["filename"])

    def static(filename: str) -> Any:
        """A static file: immutable under its current fingerprint, briefly cached under any other name."""
        name, cache_control = fingerprints.resolve(filename)
        response = send_from_directory(fingerprints.folder, name)  # NotFound (404) when there is no such file
        response.headers["Cache-Control"] = cache_control
        return response

    app.view_functions["static"] = static

    @app.get("/favicon.ico")
    def favicon() -> Any:
        """The site's icon at the address browsers ask for on their own, cached for a day."""
        response = send_from_directory(fingerprints.folder, FAVICON, mimetype="image/vnd.microsoft.icon")
        response.headers["Cache-Control"] = FAVICON_CACHE
        return response
