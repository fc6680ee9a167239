"""Programs and their teams: the database refuses rows that make no sense."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dialogues.models import Process, Program, ProgramMembership, ProgramRole
from tests import factories

pytestmark = pytest.mark.django_db


def rejected():
    return pytest.raises(IntegrityError)


class TestProgram:
    def test_cannot_end_before_it_starts(self):
        with rejected(), transaction.atomic():
            Program.objects.create(
                name="Backwards",
                slug="backwards",
                starts_on=date(2027, 5, 1),
                ends_on=date(2027, 4, 30),
            )

    def test_may_end_the_day_it_starts_or_be_open_ended(self):
        Program.objects.create(
            name="One day", slug="one-day", starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 1)
        )
        Program.objects.create(name="Open", slug="open", starts_on=date(2027, 5, 1), ends_on=None)
        assert Program.objects.filter(slug__in=["one-day", "open"]).count() == 2

    def test_end_date_constraint_holds_for_bulk_updates(self):
        program = factories.ProgramFactory(starts_on=date(2027, 5, 1))
        with rejected(), transaction.atomic():
            Program.objects.filter(pk=program.pk).update(ends_on=date(2027, 1, 1))

    def test_balance_tolerance_is_at_most_one_hundred_points(self):
        with rejected(), transaction.atomic():
            factories.ProgramFactory(balance_tolerance=101)
        assert factories.ProgramFactory(balance_tolerance=100).balance_tolerance == 100

    def test_slug_is_unique(self):
        factories.ProgramFactory(slug="cyprus")
        with rejected(), transaction.atomic():
            factories.ProgramFactory(slug="cyprus")

    def test_full_clean_explains_the_dates(self):
        program = factories.ProgramFactory.build(
            starts_on=timezone.localdate(), ends_on=timezone.localdate() - timedelta(days=1)
        )
        with pytest.raises(ValidationError) as excinfo:
            program.full_clean(exclude=["communities"])
        assert "A program cannot end before it starts." in excinfo.value.messages

    def test_str_and_archive_flag(self):
        program = factories.ProgramFactory(name="Cyprus bi-communal dialogue 2027")
        assert str(program) == "Cyprus bi-communal dialogue 2027"
        assert program.is_archived is False
        program.archived_at = timezone.now()
        assert program.is_archived is True


class TestProcess:
    def test_slug_and_name_are_unique(self):
        existing = Process.objects.first()
        with rejected(), transaction.atomic():
            Process.objects.create(slug="another", name=existing.name)
        with rejected(), transaction.atomic():
            Process.objects.create(slug=existing.slug, name="Another")

    def test_str_is_the_name(self):
        process = Process.objects.get(slug="public-opinion")
        assert str(process) == "Shifting public opinion"


class TestMembership:
    def test_one_role_per_person_per_program(self):
        membership = factories.MembershipFactory(role=ProgramRole.MANAGER)
        with rejected(), transaction.atomic():
            ProgramMembership.objects.create(
                program=membership.program, user=membership.user, role=ProgramRole.OBSERVER
            )

    def test_one_role_per_program_holds_for_bulk_create(self):
        membership = factories.MembershipFactory()
        with rejected(), transaction.atomic():
            ProgramMembership.objects.bulk_create(
                [
                    ProgramMembership(
                        program=membership.program, user=membership.user, role="observer"
                    )
                ]
            )

    def test_same_person_may_serve_in_two_programs(self):
        user = factories.UserFactory()
        factories.MembershipFactory(user=user, role=ProgramRole.MANAGER)
        factories.MembershipFactory(user=user, role=ProgramRole.OBSERVER)
        assert user.program_memberships.count() == 2

    def test_full_clean_explains_the_duplicate(self):
        membership = factories.MembershipFactory()
        duplicate = ProgramMembership(
            program=membership.program, user=membership.user, role=ProgramRole.FACILITATOR
        )
        with pytest.raises(ValidationError) as excinfo:
            duplicate.full_clean()
        assert "This person already has a role in this program." in excinfo.value.messages

    def test_str_names_person_role_and_program(self):
        user = factories.UserFactory(first_name="Ayşe", last_name="Kaya")
        program = factories.ProgramFactory(name="Cyprus dialogue")
        membership = factories.MembershipFactory(
            user=user, program=program, role=ProgramRole.FACILITATOR
        )
        assert str(membership) == "Ayşe Kaya · Facilitator · Cyprus dialogue"
