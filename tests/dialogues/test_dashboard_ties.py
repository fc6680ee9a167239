"""The ties figure counts the pairs of people who came once by arithmetic and groups only the
pairs of people who came again: checked against a pair-by-pair count on a mixed program."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from django.utils import timezone

from dialogues import dashboard
from tests import factories
from workshops.models import AttendanceStatus, WorkshopStatus

pytestmark = pytest.mark.django_db


def test_ties_match_a_pair_by_pair_count(cast):
    rng = random.Random(1974)
    communities = [
        factories.CommunityFactory(name=f"Community {i}", slug=f"c{i}") for i in range(3)
    ]
    people = [
        factories.ParticipantFactory(
            full_name=f"Person {i}", community=rng.choice([*communities, None])
        )
        for i in range(14)
    ]
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    present: dict = {}  # workshop start -> set of people present
    for k in range(6):
        when = start + timedelta(days=20 * k)
        status = WorkshopStatus.CANCELLED if k == 4 else WorkshopStatus.HELD
        workshop = factories.WorkshopFactory(
            program=cast.program, starts_at=when, ends_at=when + timedelta(days=1), status=status
        )
        sessions = [factories.SessionFactory(workshop=workshop) for _ in range(2)]
        here = set()
        for person in rng.sample(people, 7):  # some come once, some again, some to both sessions
            for session in rng.sample(sessions, rng.choice([1, 2])):
                mark = rng.choice([AttendanceStatus.PRESENT] * 3 + [AttendanceStatus.ABSENT])
                factories.AttendanceFactory(session=session, participant=person, status=mark)
                if mark == AttendanceStatus.PRESENT and status != WorkshopStatus.CANCELLED:
                    here.add(person)
        present[when] = here

    first_met: dict = {}
    for when in sorted(present):
        for x, y in combinations(sorted(present[when], key=lambda p: p.pk), 2):
            if x.community_id and y.community_id and x.community_id != y.community_id:
                first_met.setdefault((x.pk, y.pk), when)
    expected = Counter()
    for when in first_met.values():
        expected[timezone.localtime(when).date().replace(day=1)] += 1

    months = dashboard._ties_query(cast.program)
    assert {m.month: m.new for m in months} == dict(expected)
    assert months[-1].cumulative == len(first_met) > 0
    repeat = [p for p in people if sum(p in here for here in present.values()) > 1]
    assert repeat and len(repeat) < len(people)  # both kinds of people are in the example
