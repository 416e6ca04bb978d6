"""PdfLayer's collect step, run against this machine's own libraries (issue 21).

infra/pdf_layer_collect.py is what infra/pdf-layer.Dockerfile and the CodeBuild project run on Amazon Linux 2023;
here it runs on the test machine (Debian: infra/ensure-system-packages.sh installs WeasyPrint's native libraries)
into a temporary directory. A subprocess whose library path is that directory and whose fontconfig sees only
its fonts then renders an appraisal summary; its /proc/self/maps shows where each library was loaded from.
A library the collector missed would be loaded from the system instead, and the test names it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
DEBIAN_FONTS = "/usr/share/fonts/truetype/dejavu"
FAMILIES = (
    "libpango-",
    "libpangoft2-",
    "libharfbuzz",
    "libfontconfig",
    "libfreetype",
    "libfribidi",
    "libgobject-",
    "libglib-",
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux (/proc/self/maps)")

sys.path.insert(0, str(INFRA))
import pdf_layer_collect as collect  # noqa: E402


@pytest.fixture(scope="module")
def layer(tmp_path_factory) -> Path:
    """The layer collected from this machine: lib/ and fonts/ (two DejaVu Sans faces, no serif)."""
    dest = tmp_path_factory.mktemp("layer")
    fonts = [f"{DEBIAN_FONTS}/DejaVuSans.ttf", f"{DEBIAN_FONTS}/DejaVuSans-Bold.ttf"]
    done = subprocess.run(
        [sys.executable, str(INFRA / "pdf_layer_collect.py"), str(dest), "--fonts", *fonts,
         "--fonts-at", str(dest / "fonts")],
        capture_output=True, text=True, env={"PATH": "/nonexistent"},  # no ldd, ldconfig or awk to lean on
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dest


CHILD = r"""
import json, sys
from service.adapters.unit_of_work import UnitOfWork
from service.pdf.render import render_pdf
from service.pdf.summary_pdf import summary_pdf
from service.services.summaries import summary_for
from tests import factories as f
from tests.pdf.conftest import NOW, build_world

world = build_world()
summary = summary_for(UnitOfWork(world.table), f.principal(world.table, "E2"), world.cycle_id, "E4", NOW)
open(sys.argv[1], "wb").write(summary_pdf(summary))
# A face the layer lacks: fontconfig may only offer what the layer's fonts.conf names.
open(sys.argv[2], "wb").write(render_pdf('<p style="font-family: DejaVu Serif">Serif?</p>', "fonts"))
maps = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line and line.split()[-1].startswith("/")}
print(json.dumps(sorted(maps)))
"""


@pytest.fixture(scope="module")
def rendered(layer, tmp_path_factory) -> dict:
    """A summary and a font probe rendered in a subprocess that sees only the layer's libraries and fonts."""
    out = tmp_path_factory.mktemp("rendered")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "LD_LIBRARY_PATH": str(layer / "lib"),  # as Lambda puts /opt/lib on it
        "FONTCONFIG_PATH": str(layer / "fonts"),  # as PdfFunction's environment does with /opt/fonts
        "FONTCONFIG_FILE": str(layer / "fonts" / "fonts.conf"),
        "XDG_CACHE_HOME": str(out / "cache"),
        "HOME": str(out),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(out / "summary.pdf"), str(out / "probe.pdf")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        "maps": json.loads(done.stdout.splitlines()[-1]),
        "summary": out / "summary.pdf",
        "probe": out / "probe.pdf",
    }


def test_the_layer_holds_every_library_weasyprint_opens_and_all_they_link_to(layer):
    collected = {p.name for p in (layer / "lib").iterdir()}
    assert set(collect.WANTED) <= collected
    for name in sorted(collected):
        unmet = [
            n for n in collect.needed(str(layer / "lib" / name)) if n not in collected and not collect.RUNTIME.match(n)
        ]
        assert not unmet, f"{name} links to {unmet}, which the layer lacks"
    assert not [n for n in collected if collect.RUNTIME.match(n)]  # the runtime's C library is never shadowed


def test_the_fonts_conf_names_the_layers_fonts_and_a_tmp_cache(layer):
    conf = (layer / "fonts" / "fonts.conf").read_text()
    assert f"<dir>{layer / 'fonts'}</dir>" in conf and "<cachedir>/tmp/fontconfig</cachedir>" in conf
    assert sorted(p.name for p in (layer / "fonts").glob("*.ttf")) == ["DejaVuSans-Bold.ttf", "DejaVuSans.ttf"]


def test_weasyprint_renders_a_summary_with_the_layers_libraries(rendered, layer):
    from pypdf import PdfReader

    reader = PdfReader(rendered["summary"])
    assert len(reader.pages) >= 1 and "Appraisal summary" in (reader.metadata.title or "")
    assert "Katherine Johnson" in "".join(page.extract_text() for page in reader.pages)
    lib = str(layer / "lib") + "/"
    for family in FAMILIES:
        loaded = [m for m in rendered["maps"] if Path(m).name.startswith(family)]
        assert loaded, f"no {family}* library was loaded"
        assert all(m.startswith(lib) for m in loaded), f"{family}* loaded from outside the layer: {loaded}"
    # What the layer's libraries link to must come from the layer too (or be the runtime's C library).
    needs = {p.name for p in (layer / "lib").iterdir()}
    needs |= {n for p in (layer / "lib").iterdir() for n in collect.needed(str(p))}
    elsewhere = [
        m for m in rendered["maps"]
        if Path(m).name in needs and not m.startswith(lib) and not collect.RUNTIME.match(Path(m).name)
    ]  # fmt: skip
    assert not elsewhere, f"libraries loaded from the system instead of the layer: {elsewhere}"


def test_fontconfig_offers_only_the_layers_fonts(rendered):
    from pypdf import PdfReader

    page = PdfReader(rendered["probe"]).pages[0]
    fonts = [str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    # The system has DejaVu Serif (fonts-dejavu-core); the layer's fontconfig must fall back to its DejaVu Sans.
    assert any(name.endswith("+DejaVu-Sans") for name in fonts) and not any("Serif" in n for n in fonts), fonts


# --- building the layer without Docker: the zip the CodeBuild project makes --------------------------------


def zipped(layer: Path, target: Path, leave_out: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(layer.rglob("*")):
            name = str(path.relative_to(layer))
            if path.is_file() and name != leave_out:
                archive.write(path, name)
    return target


def build_layer(zip_path: Path, artifacts: Path, platform: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PDF_LAYER_ZIP": str(zip_path), "LAMBDA_PLATFORM": platform, "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(INFRA / "build-pdf-layer.sh"), str(artifacts)], capture_output=True, text=True, env=env
    )


def machine_platform() -> str:
    return {183: "linux/arm64", 62: "linux/amd64"}[collect.elf_machine(os.path.realpath(sys.executable))[2]]


def test_make_build_takes_a_built_layer_zip_instead_of_docker(layer, tmp_path):
    done = build_layer(zipped(layer, tmp_path / "pdf-layer.zip"), tmp_path / "artifacts", machine_platform())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "artifacts" / "lib" / "libpango-1.0.so.0").read_bytes() == (
        layer / "lib" / "libpango-1.0.so.0"
    ).read_bytes()
    assert (tmp_path / "artifacts" / "fonts" / "fonts.conf").exists()


def test_a_layer_zip_for_another_architecture_or_incomplete_is_refused(layer, tmp_path):
    other = "linux/amd64" if machine_platform() == "linux/arm64" else "linux/arm64"
    done = build_layer(zipped(layer, tmp_path / "a.zip"), tmp_path / "a", other)
    assert done.returncode != 0 and "another architecture" in done.stderr
    assert not (tmp_path / "a" / "lib").exists()
    done = build_layer(zipped(layer, tmp_path / "b.zip", "lib/libharfbuzz.so.0"), tmp_path / "b", machine_platform())
    assert done.returncode != 0 and "lib/libharfbuzz.so.0" in done.stderr


def test_the_codebuild_project_collects_natively_on_arm64_and_lints_clean():
    from cfnlint.api import lint_file

    from service.adapters.table_setup import load_template

    path = INFRA / "pdf-layer-codebuild.yaml"
    assert [str(m) for m in lint_file(path)] == []
    resources = load_template(path)["Resources"]
    project = resources["LayerBuild"]["Properties"]
    assert project["Environment"]["Type"] == "ARM_CONTAINER"
    assert "amazonlinux-aarch64" in project["Environment"]["Image"]  # AL2023, as the python3.13 runtime
    buildspec = yaml.safe_load(project["Source"]["BuildSpec"])
    assert 'bash infra/pdf-layer-collect.sh "$CODEBUILD_SRC_DIR/layer"' in buildspec["phases"]["build"]["commands"]
    assert buildspec["artifacts"]["base-directory"] == "layer"  # the zip holds lib/ and fonts/ at its root
    assert project["Artifacts"]["Name"] == "pdf-layer.zip" and project["Artifacts"]["Packaging"] == "ZIP"
    policy = resources["BuildRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert all(
        "*" not in action for s in policy for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )


def test_the_collect_step_leans_on_no_tool_the_lambda_image_may_lack():
    for path in (INFRA / "pdf-layer-collect.sh", INFRA / "pdf-layer.Dockerfile"):
        code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
        words = set(" ".join(code).replace("/", " ").split())
        assert not words & {"awk", "ldd", "readelf", "ldconfig", "find"}, path.name
