"""Required fields: the asterisk is for eyes only. A screen reader learns that a field is
required from the control's own ``required`` attribute; reading the mark out made every
label "Title star". A group of checkboxes cannot carry the attribute, so its legend says
"(required)" in words (templates/bootstrap5/field.html overrides crispy-bootstrap5's)."""

from pathlib import Path

import crispy_bootstrap5
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.core.test_browser import sign_in
from tests.polish.pages import parse, text_of
from tests.polish.test_titles_and_breadcrumbs import PAGES, fetch

MARK = '<span class="asteriskField">*</span>'
HIDDEN_MARK = '<span class="asteriskField" aria-hidden="true">*</span>'
GROUP_MARK = (
    HIDDEN_MARK + "{% if field|is_checkboxselectmultiple %}"
    '<span class="visually-hidden"> {% translate "(required)" %}</span>{% endif %}'
)


def test_the_override_is_the_packages_field_template_with_the_mark_hidden():
    """Upgrading crispy-bootstrap5 fails here until the override is redone from the new
    template: ours must differ from the package's in the marks alone."""
    package = Path(crispy_bootstrap5.__file__).parent / "templates" / "bootstrap5" / "field.html"
    ours = Path(settings.BASE_DIR) / "templates" / "bootstrap5" / "field.html"
    comment, body = ours.read_text(encoding="utf-8").split("\n", 1)
    assert comment.startswith("{#") and comment.endswith("#}")
    upstream = package.read_text(encoding="utf-8")
    assert upstream.count(MARK) == 2  # a label or legend, then a lone checkbox's label
    expected = (
        upstream.replace("{% load crispy_forms_field %}", "{% load crispy_forms_field i18n %}")
        .replace(MARK, GROUP_MARK, 1)
        .replace(MARK, HIDDEN_MARK)
    )
    assert body == expected


def marks_in(element) -> list:
    return [s for s in element.iter("span") if "asteriskField" in (s.get("class") or "")]


def always_chosen(control) -> bool:
    """A select without an empty first option always has a value: Django leaves out its
    ``required`` (HTML allows it only with an empty placeholder), and nothing is missing."""
    options = list(control.iter("option"))
    return control.tag == "select" and bool(options) and bool(options[0].get("value"))


def test_every_required_mark_is_hidden_from_screen_readers_and_said_another_way(
    client, cast, world
):
    labels = groups = 0
    for who, name, args, _trail in PAGES:
        document = parse(fetch(client, cast, world, who, name, args).content.decode())
        controls = {
            element.get("id"): element
            for element in document.iter()
            if element.tag in {"input", "select", "textarea"} and element.get("id")
        }
        for label in document.iter("label"):
            if not (marks := marks_in(label)):
                continue
            labels += 1
            assert all(mark.get("aria-hidden") == "true" for mark in marks), (name, label.text)
            control = controls.get(label.get("for"))
            assert control is not None, (name, label.get("for"))
            assert control.get("required") is not None or always_chosen(control), (
                name,
                label.get("for"),
            )
        for fieldset in document.iter("fieldset"):
            legend = fieldset.find("legend")
            if legend is None or not (marks := marks_in(legend)):
                continue
            groups += 1
            assert all(mark.get("aria-hidden") == "true" for mark in marks), (name, legend.text)
            choices = [i for i in fieldset.iter("input") if i.get("type") in {"checkbox", "radio"}]
            assert choices, (name, text_of(legend))
            if all(choice.get("required") is not None for choice in choices):
                continue  # radios: each says it
            assert text_of(legend).endswith("* (required)"), (name, text_of(legend))
            hidden = [s for s in legend.iter("span") if s.get("class") == "visually-hidden"]
            assert [text_of(s) for s in hidden] == ["(required)"], (name, text_of(legend))
    assert labels >= 20 and groups >= 1, "the forms in PAGES have required fields and groups"


def test_a_required_group_says_so_in_the_users_language(client, cast):
    cast.staff.language = "fr"
    cast.staff.save()
    client.force_login(cast.staff)
    html = client.get(reverse("dialogues:edit", args=[cast.program.pk])).content.decode()
    assert '<span class="visually-hidden"> (obligatoire)</span>' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_screen_reader_hears_names_without_the_star(page, live_server, cast):
    """What Chromium computes as the controls' accessible names."""
    sign_in(page, live_server, "staff-user")
    page.goto(f"{live_server.url}{reverse('dialogues:edit', args=[cast.program.pk])}")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_attribute("required", "")
    expect(page.get_by_role("group", name="Communities (required)", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Status", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Name*")).to_have_count(0)
