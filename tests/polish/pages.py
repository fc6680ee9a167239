"""Helpers of the polish tests: read a page's title, breadcrumbs and forms from its HTML."""

from dataclasses import dataclass
from xml.etree.ElementTree import Element

import html5lib

SITE = "Olive Branch"


def parse(html: str) -> Element:
    return html5lib.parse(html, namespaceHTMLElements=False)


def text_of(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def title_of(document: Element) -> str:
    return text_of(document.find(".//head/title"))


@dataclass
class Crumb:
    text: str
    href: str | None
    current: bool


def breadcrumbs(document: Element) -> list[Crumb] | None:
    """The trail below the navbar, or None when the page has none."""
    navs = [n for n in document.iter("nav") if n.get("aria-label") == "Breadcrumb"]
    if not navs:
        return None
    assert len(navs) == 1, "one breadcrumb trail per page"
    crumbs = []
    for item in navs[0].iter("li"):
        link = item.find("a")
        crumbs.append(
            Crumb(
                text=text_of(item),
                href=link.get("href") if link is not None else None,
                current=item.get("aria-current") == "page",
            )
        )
    return crumbs


def in_breadcrumb_block(document: Element) -> bool:
    """The trail sits in base.html's block below the navbar, not inside <main>."""
    holder = next(
        (d for d in document.iter("div") if "ob-breadcrumbs" in (d.get("class") or "")), None
    )
    return holder is not None and any(
        n.get("aria-label") == "Breadcrumb" for n in holder.iter("nav")
    )


def forms_posting_to(document: Element, action: str) -> list[Element]:
    return [
        f
        for f in document.iter("form")
        if f.get("action") == action and (f.get("method") or "").lower() == "post"
    ]


def submit_buttons(document: Element, form: Element) -> list[Element]:
    """The buttons that send ``form``: inside it, or elsewhere with form="its id"."""
    inside = [b for b in form.iter("button") if (b.get("type") or "submit") == "submit"]
    outside = [
        b for b in document.iter("button") if form.get("id") and b.get("form") == form.get("id")
    ]
    return inside + outside


def parents(document: Element) -> dict[Element, Element]:
    return {child: parent for parent in document.iter() for child in parent}


def inside_confirm_disclosure(document: Element, element: Element) -> bool:
    """Whether ``element`` is hidden in a closed <details class="ob-confirm"> until the
    person opens it: one click cannot send it."""
    up = parents(document)
    node = element
    while node in up:
        node = up[node]
        if node.tag == "details" and "ob-confirm" in (node.get("class") or "").split():
            return node.get("open") is None
    return False
