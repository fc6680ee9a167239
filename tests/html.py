"""Checks every page must pass: valid HTML5, a title, a language and landmarks."""

import html5lib
from django.http import HttpResponse
from html5lib.constants import namespaces

XHTML = namespaces["html"]


def assert_valid_page(response: HttpResponse) -> None:
    """Parse strictly (any parse error fails) and check the accessibility basics."""
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    document = parser.parse(response.content.decode())

    def find(tag: str) -> list:
        return document.findall(f".//{{{XHTML}}}{tag}")

    root = document
    assert root.get("lang"), "<html> has no lang attribute"
    titles = find("title")
    assert len(titles) == 1 and (titles[0].text or "").strip(), "missing or empty <title>"
    assert "<" not in titles[0].text, (
        f"markup in <title> (an unclosed block?): {titles[0].text[:80]}"
    )
    assert len(find("main")) == 1, "a page has exactly one <main> landmark"
    assert find("header"), "no <header> (banner) landmark"
    assert find("footer"), "no <footer> (contentinfo) landmark"
    assert len(find("h1")) == 1, "a page has exactly one <h1>"
    ids = [el.get("id") for el in document.iter() if el.get("id")]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
