"""The registry list's filters: every one lives in the URL, so a view can be bookmarked."""

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from participants import safety
from participants.models import (
    Community,
    ConsentScope,
    Language,
    Participant,
    RiskLevel,
    Sector,
    Tag,
    Track,
)
from participants.selectors import search_participants


class ConsentState:
    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    NONE = "none"
    CHOICES = [
        (GIVEN, _("Consent to contact given")),
        (WITHDRAWN, _("Consent to contact withdrawn")),
        (NONE, _("No consent recorded")),
    ]


COUNTRIES_CACHE_KEY = "participants:registry-countries"


def registry_countries() -> list[tuple[str, str]]:
    """(code, name) of the countries in the registry, for ten minutes at a time."""
    codes = cache.get(COUNTRIES_CACHE_KEY)
    if codes is None:
        codes = sorted(
            set(Participant.objects.exclude(country="").values_list("country", flat=True))
        )
        cache.set(COUNTRIES_CACHE_KEY, codes, 600)
    return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])


SORTS = {
    "name": ("full_name", "pk"),
    "-name": ("-full_name", "-pk"),
    "organisation": ("organisation", "full_name", "pk"),
    "community": ("community__name", "full_name", "pk"),
    "sector": ("sector__position", "full_name", "pk"),
    "newest": ("-created_at", "-pk"),
}
SORT_CHOICES = [
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("organisation", _("Organisation")),
    ("community", _("Community")),
    ("sector", _("Sector")),
    ("newest", _("Newest first")),
]


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    # One sector and one community per person: no DISTINCT needed (it costs a sort).
    sector = django_filters.ModelMultipleChoiceFilter(
        queryset=Sector.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    community = django_filters.ModelMultipleChoiceFilter(
        queryset=Community.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    track = django_filters.ModelChoiceFilter(
        queryset=Track.objects.order_by("number"), empty_label=_("Any")
    )
    country = django_filters.ChoiceFilter(choices=[], empty_label=_("Any"))
    language = django_filters.ModelChoiceFilter(
        field_name="languages",
        queryset=Language.objects.order_by("name"),
        label=_("Speaks"),
        empty_label=_("Any"),
    )
    organisation = django_filters.CharFilter(lookup_expr="icontains")
    risk_level = django_filters.ChoiceFilter(
        choices=RiskLevel.choices, label=_("Risk"), empty_label=_("Any")
    )
    consent = django_filters.ChoiceFilter(
        choices=ConsentState.CHOICES,
        method="filter_consent",
        label=_("Consent to contact"),
        empty_label=_("Any"),
    )
    do_not_contact = django_filters.BooleanFilter(
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
        label=_("Do not contact"),
    )
    tags = django_filters.ModelMultipleChoiceFilter(
        queryset=Tag.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Participant
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the countries people in the registry come from: a short list to scan, and
        # a select of 250 options costs more to render than the whole query.
        self.filters["country"].extra["choices"] = registry_countries()

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_participants(queryset, value)

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        queryset = queryset.annotate(contact_consent=safety.latest_consent(ConsentScope.CONTACT))
        if value == ConsentState.GIVEN:
            return queryset.filter(contact_consent=True)
        if value == ConsentState.WITHDRAWN:
            return queryset.filter(contact_consent=False)
        return queryset.filter(contact_consent__isnull=True)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value]) if value in SORTS else queryset

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        cleaned = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if not cleaned.get("q") and not cleaned.get("sort"):
            queryset = queryset.order_by(*SORTS["name"])
        return queryset

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (sorting and paging are not filters)."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name in self.filters
            if name != "sort" and any(value.strip() for value in self.data.getlist(name))
        )
