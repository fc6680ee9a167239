"""bin/screenshots (make screenshots) stays in step with the app, the demo and README, without
running it (it takes a minute and a browser): its pages resolve to URLs, its lookups name rows
the demo seeds, and README shows every PNG it writes, each of which is committed."""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from core.demo.programs import PROGRAMS, USERS
from core.demo.workshops import WORKSHOPS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def script():
    """bin/screenshots as a module (it has no .py suffix); importing it starts nothing."""
    name = "ob_screenshots_script"
    loader = importlib.machinery.SourceFileLoader(name, str(ROOT / "bin" / "screenshots"))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    try:
        loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def test_every_page_resolves_to_a_url_of_the_app(script):
    assert len(script.PAGES) >= 6
    for page in script.PAGES:
        # One placeholder per lookup: the URL pattern takes exactly the arguments given.
        url = reverse(page.url_name, args=[1] * len(page.args))
        assert url.startswith("/"), page.name


def test_the_lookups_name_rows_and_users_the_demo_seeds(script):
    titles = {workshop["title"] for workshop in WORKSHOPS}
    slugs = {program["slug"] for program in PROGRAMS}
    usernames = {user[0] for user in USERS}
    for page in script.PAGES:
        assert page.user is None or page.user in usernames, page.name
        for lookup in (*page.args, *([page.query] if page.query else [])):
            if isinstance(lookup, script.Program):
                assert lookup.slug in slugs, page.name
            elif isinstance(lookup, script.Workshop):
                assert lookup.title in titles, page.name
            else:
                assert lookup.workshop in titles, page.name
            if isinstance(lookup, script.NoteBy):
                assert lookup.author in usernames, page.name


def test_the_required_views_are_there(script):
    pages = {page.name: page for page in script.PAGES}
    assert pages["delegation"].url_name == "workshops:delegation"
    assert pages["rsvp-arabic"].user is None
    assert pages["rsvp-arabic"].args[0].language == "ar"
    assert pages["attendance-phone"].phone
    assert script.PHONE["width"] == 375


def test_readme_shows_every_png_and_each_is_committed(script):
    readme = (ROOT / "README.md").read_text()
    names = [page.name for page in script.PAGES]
    assert len(names) == len(set(names))
    for name in names:
        assert f"](docs/screenshots/{name}.png)" in readme, name
        png = ROOT / "docs" / "screenshots" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    # README opens with the two set-up commands; the pictures come after them, as the
    # script's --readme prints them from its list of pages (captions included).
    assert readme.index("make demo") < readme.index("## Screenshots")
    assert script.readme_section() in readme
    assert "make screenshots" in script.readme_section()


def test_an_unknown_page_name_is_refused(script, capsys):
    with pytest.raises(SystemExit) as stop:
        script.main(["no-such-page"])
    assert stop.value.code == 2
    assert "no such page: no-such-page" in capsys.readouterr().err
