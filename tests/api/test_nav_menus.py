"""The main navigation: HR's administration pages are grouped in an HR menu (so that the navigation of
someone who is HR, a manager and in leadership fits one line), which marks the page it leads to."""

from __future__ import annotations

import re

import pytest

from tests.pdf.conftest import build_world


@pytest.fixture(scope="module")
def world():
    return build_world()


def main_nav(page: str) -> str:
    return page[page.index('aria-label="Main"') : page.index("</nav>")]


def test_hr_finds_the_administration_pages_in_the_hr_menu_with_the_current_one_marked(world):
    nav = main_nav(world.client("E2").get("/hr/exports").get_data(as_text=True))
    menu = nav[nav.index('<details class="nav-menu">') : nav.index("</details>")]
    assert re.search(r"<summary aria-current=\"page\">HR</summary>", menu)
    assert re.findall(r">([A-Za-z]+)</a>", menu) == [
        "Cycles",
        "Templates",
        "Schedules",
        "Import",
        "Exports",
        "Notifications",
    ]
    assert re.search(r'aria-current="page">Exports</a>', menu)
    home = main_nav(world.client("E2").get("/").get_data(as_text=True))
    assert "<summary>HR</summary>" in home  # not the current section


def test_people_who_are_not_hr_have_no_hr_menu(world):
    nav = main_nav(world.client("E4").get("/").get_data(as_text=True))
    assert ">HR<" not in nav and "/hr/exports" not in nav
