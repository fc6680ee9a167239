"""Required fields: the asterisk is for eyes only. A screen reader learns that a field is
required from the control's own ``required`` attribute; reading the mark out made every
label "Title star" (templates/bootstrap5/field.html overrides crispy-bootstrap5's)."""

from pathlib import Path

import crispy_bootstrap5
from django.conf import settings

from tests.polish.pages import parse
from tests.polish.test_titles_and_breadcrumbs import PAGES, fetch

MARK = '<span class="asteriskField">*</span>'
HIDDEN_MARK = '<span class="asteriskField" aria-hidden="true">*</span>'


def always_chosen(control) -> bool:
    """A select without an empty first option always has a value: Django leaves out its
    ``required`` (HTML allows it only with an empty placeholder), and nothing is missing."""
    options = list(control.iter("option"))
    return control.tag == "select" and bool(options) and bool(options[0].get("value"))


def test_the_override_is_the_packages_field_template_with_the_mark_hidden():
    """Upgrading crispy-bootstrap5 fails here until the override is redone from the new
    template: ours must differ from the package's in the mark alone."""
    package = Path(crispy_bootstrap5.__file__).parent / "templates" / "bootstrap5" / "field.html"
    ours = Path(settings.BASE_DIR) / "templates" / "bootstrap5" / "field.html"
    comment, body = ours.read_text(encoding="utf-8").split("\n", 1)
    assert comment.startswith("{#") and comment.endswith("#}")
    upstream = package.read_text(encoding="utf-8")
    assert MARK in upstream
    assert body == upstream.replace(MARK, HIDDEN_MARK)


def test_every_required_mark_is_hidden_from_screen_readers_and_its_control_is_required(
    client,
    cast,
    world,  # noqa: F811
):
    marked = 0
    for who, name, args, _trail in PAGES:
        document = parse(fetch(client, cast, world, who, name, args).content.decode())
        controls = {
            element.get("id"): element
            for element in document.iter()
            if element.tag in {"input", "select", "textarea"} and element.get("id")
        }
        for label in document.iter("label"):
            marks = [s for s in label.iter("span") if "asteriskField" in (s.get("class") or "")]
            if not marks:
                continue
            marked += 1
            assert all(mark.get("aria-hidden") == "true" for mark in marks), (name, label.text)
            control = controls.get(label.get("for"))
            assert control is not None, (name, label.get("for"))
            assert control.get("required") is not None or always_chosen(control), (
                name,
                label.get("for"),
            )
    assert marked >= 20, "the forms in PAGES have required fields"
