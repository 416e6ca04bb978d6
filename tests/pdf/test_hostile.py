"""A hostile page cannot make the renderer fetch, embed or leak anything: the URL fetcher serves only the
packaged stylesheet, fonts and images, and the output has no attachments and no author."""

from __future__ import annotations

import pytest

from service.pdf.documents import PDF_ROOT
from service.pdf.render import Refused, packaged_file, render_pdf
from tests.pdf.conftest import embedded_files, pdf_info, pdf_text

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">'
    '<image xlink:href="http://169.254.169.254/latest/meta-data/iam" width="40" height="40"/>'
    '<image href="file:///etc/passwd" width="10" height="10"/>'
    '<use href="http://attacker.example/sprite.svg#x"/></svg>'
)
HOSTILE = f"""<!DOCTYPE html><html><head>
<meta name="author" content="Reviewer Peer-Seven">
<meta name="description" content="written by Reviewer Peer-Seven">
<meta name="keywords" content="peer, Peer-Seven">
<link rel="attachment" href="file:///etc/passwd">
<link rel="stylesheet" href="http://169.254.169.254/latest/style.css">
<style>@import url("http://attacker.example/import.css"); @import "file:///etc/hostname";
body {{ background: url("file:///etc/shadow"); }}</style>
</head><body>
<h1>Hostile corpus</h1>
<p style="background-image: url('http://169.254.169.254/latest/meta-data/');
  list-style: url(data:image/png;base64,AAAA)">inline url()</p>
<img src="http://169.254.169.254/latest/meta-data/iam/security-credentials/">
<img src="file:///etc/passwd">
<img src="fonts/../../../service/config.py">
<a rel="attachment" href="file:///etc/passwd">attach passwd</a>
<a rel="attachment" href="data:text/plain,secret-inline-attachment">attach data</a>
<object data="file:///etc/passwd"></object>
<embed src="file:///etc/passwd">
<iframe src="http://169.254.169.254/"></iframe>
{SVG}
<img src="data:image/svg+xml;utf8,{SVG.replace('"', "'")}">
<p>end of corpus</p>
</body></html>"""


@pytest.fixture(scope="module")
def rendered():
    """The hostile corpus rendered once, with the URLs the renderer refused."""
    refused: list[str] = []
    return render_pdf(HOSTILE, "Appraisal summary", refused), refused


def test_the_corpus_renders_and_nothing_outside_the_package_is_read(rendered, tmp_path):
    data, _refused = rendered
    body = pdf_text(data, tmp_path)
    assert "Hostile corpus" in body and "end of corpus" in body
    assert "root:" not in body and "secret-inline-attachment" not in body
    assert b"root:x:0:0" not in data


def test_every_remote_and_local_url_was_refused(rendered):
    _data, refused = rendered
    joined = "\n".join(refused)
    for url in (
        "http://169.254.169.254/latest/style.css",
        "http://attacker.example/import.css",
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "file:///etc/passwd",
        "file:///etc/shadow",
        "file:///etc/hostname",
    ):
        assert url in joined, url
    assert any(u.endswith("/service/config.py") for u in refused)


def test_the_output_has_no_attachments(rendered, tmp_path):
    data, _ = rendered
    assert embedded_files(data, tmp_path).startswith("0 embedded files")
    assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data


def test_the_metadata_names_nobody(rendered, tmp_path):
    data, _ = rendered
    info = pdf_info(data, tmp_path)
    assert info["Title"] == "Appraisal summary"
    assert "Author" not in info and "Keywords" not in info and "Subject" not in info
    assert b"Peer-Seven" not in data


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "data:text/css,body{}",
        "ftp://example.com/font.ttf",
        (PDF_ROOT / "fonts" / ".." / ".." / ".." / "service" / "config.py").as_uri(),
        (PDF_ROOT / "summary.html").as_uri(),  # inside the package, but not a stylesheet, font or image
        (PDF_ROOT / "fonts" / "missing.ttf").as_uri(),
        "file://attacker.example" + (PDF_ROOT / "summary.css").as_posix(),
        (PDF_ROOT / "summary.css").as_uri() + "?x=1",
    ],
)
def test_the_fetcher_refuses_anything_but_a_packaged_file(url):
    with pytest.raises(Refused):
        packaged_file(url)


def test_the_fetcher_serves_the_packaged_stylesheet_and_fonts():
    assert packaged_file((PDF_ROOT / "summary.css").as_uri()).name == "summary.css"
    assert packaged_file((PDF_ROOT / "fonts" / "DejaVuSans.ttf").as_uri()).suffix == ".ttf"
