"""Registry search: partial, typo-tolerant and accent-blind across scripts."""

import pytest

from participants.models import Participant
from participants.selectors import _plain_search, fold, search_participants
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    people = {
        "abdelaziz": factories.ParticipantFactory(
            full_name="Abdelaziz Rantisi",
            native_name="عبد العزيز",
            organisation="Al-Quds University",
        ),
        "andreas": factories.ParticipantFactory(
            full_name="Andreas Charalambous",
            native_name="Ανδρέας Χαραλάμπους",
            organisation="University of Cyprus",
        ),
        "journalist": factories.ParticipantFactory(
            full_name="Noa Levi", native_name="נועה לוי", organisation="Jerusalem Post"
        ),
        "zoe": factories.ParticipantFactory(
            full_name="Zoë Müller", organisation="Swisspeace", email="zoe.mueller@example.org"
        ),
        "ayse": factories.ParticipantFactory(full_name="Ayşe Ağaoğlu", organisation="Sabancı"),
    }
    return people


def found(query: str) -> list[str]:
    return list(
        search_participants(Participant.objects.all(), query).values_list("full_name", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Abdel Aziz", "Abdelaziz Rantisi"),
        ("abdelaziz", "Abdelaziz Rantisi"),
        ("Jeruslem Post", "Noa Levi"),
        ("Andreas Charalambus", "Andreas Charalambous"),
        ("Chara", "Andreas Charalambous"),
        ("Ανδρέας", "Andreas Charalambous"),
        ("ανδρεας", "Andreas Charalambous"),
        ("ΧΑΡΑΛΑΜΠΟΥΣ", "Andreas Charalambous"),
        ("עבד", None),
        ("נועה", "Noa Levi"),
        ("العزيز", "Abdelaziz Rantisi"),
        ("zoe muller", "Zoë Müller"),
        ("ZOË", "Zoë Müller"),
        ("zoe.mueller@example", "Zoë Müller"),
        ("Ayse Agaoglu", "Ayşe Ağaoğlu"),
        ("sabanci", "Ayşe Ağaoğlu"),
    ],
)
def test_search_finds_people_across_scripts_typos_and_accents(registry, query, expected):
    results = found(query)
    if expected is None:
        assert results == []
    else:
        assert results and results[0] == expected, results


def test_unrelated_queries_find_nobody(registry):
    assert found("Kowalczyk") == []


def test_best_match_comes_first(registry):
    factories.ParticipantFactory(full_name="Andreas Georgiou", organisation="PRIO Cyprus Centre")
    assert found("Andreas Charalambous")[0] == "Andreas Charalambous"


def test_empty_query_returns_everyone(registry):
    assert len(found("   ")) == len(registry)


def test_search_keeps_the_callers_scope(registry):
    scope = Participant.objects.exclude(pk=registry["andreas"].pk)
    assert list(search_participants(scope, "Andreas Charalambous")) == []


def test_plain_fallback_matches_substrings_case_insensitively(registry):
    """What the embedded SQLite default runs: no typo tolerance, but case-blind."""
    plain = _plain_search(Participant.objects.all(), "jerusalem")
    assert list(plain.values_list("full_name", flat=True)) == ["Noa Levi"]
    assert not _plain_search(Participant.objects.all(), "Jeruslem").exists()


def test_fold_matches_the_database_function():
    assert fold("Ανδρέας ΧΑΡΑΛΑΜΠΟΥΣ") == "ανδρεασ χαραλαμπουσ"
    assert fold("Zoë Ağaoğlu") == "zoe agaoglu"


def test_a_renamed_person_is_found_by_the_new_name(registry):
    zoe = registry["zoe"]
    zoe.full_name = "Zoë Hartmann"
    zoe.save()
    assert found("Hartman") == ["Zoë Hartmann"]


def test_words_nobody_carries_are_pruned(registry):
    from django.db import connection

    registry["journalist"].delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ob_prune_search_words()")
        cursor.execute("SELECT count(*) FROM participant_search_word WHERE word = 'noa'")
        assert cursor.fetchone()[0] == 0
    assert found("Noa Levi") == []


def test_a_query_word_absent_from_the_registry_narrows_nothing(registry):
    assert found("Swisspeace Xq") == ["Zoë Müller"]


def test_the_daily_prune_task_reports_what_it_removed(registry):
    from participants.tasks import prune_search_words

    registry["ayse"].delete()
    assert prune_search_words() >= 2  # "ayse", "agaoglu", "sabanci" were hers alone
    assert prune_search_words() == 0
