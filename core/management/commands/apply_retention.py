"""``manage.py apply_retention [--dry-run]``: the retention rules, by hand.

The same service as the daily Celery beat job (``core.retention``). The plan lists ids and
pseudonyms, never names.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.retention import RetentionPlan, retention_apply, retention_plan


class Command(BaseCommand):
    help = (
        "Erase participants inactive for RETENTION_PARTICIPANT_INACTIVE_YEARS and delete the "
        "notes of programs concluded RETENTION_NOTES_AFTER_PROGRAM_DAYS ago (audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be done; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        if dry_run:
            plan = retention_plan()
            if verbose:
                self._print_plan(plan)
            self.stdout.write("Dry run: nothing was changed.")
            return
        result = retention_apply(trigger="command")
        if verbose:
            self._print_plan(result.plan)
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied: {counts['participants_erased']} participant(s) erased"
                f" ({counts['participants_skipped']} active again or already erased, skipped),"
                f" {counts['notes_deleted']} note(s) deleted with"
                f" {counts['note_revisions_deleted']} revision(s) and"
                f" {counts['note_drafts_deleted']} draft(s). Audited as retention.applied."
            )
        )

    def _print_plan(self, plan: RetentionPlan) -> None:
        out = self.stdout.write
        if plan.participant_cutoff is None:
            out("Participants: rule off (RETENTION_PARTICIPANT_INACTIVE_YEARS=0).")
        else:
            out(
                f"Participants inactive for {plan.inactive_years} year(s), no activity since "
                f"{plan.participant_cutoff:%Y-%m-%d %H:%M %Z}: {len(plan.participants)} to erase."
            )
            for person in plan.participants:
                out(f"  participant #{person.id} {person.pseudonym}")
        if plan.notes_cutoff is None:
            out("Notes: rule off (RETENTION_NOTES_AFTER_PROGRAM_DAYS=0).")
        else:
            counts = plan.counts
            out(
                f"Notes of programs concluded on or before {plan.notes_cutoff:%Y-%m-%d} "
                f"({plan.notes_after_days} days): {counts['notes']} note(s), "
                f"{counts['note_revisions']} revision(s), {counts['note_drafts']} draft(s) "
                f"in {counts['programs']} program(s) to delete."
            )
            for program in plan.programs:
                out(
                    f"  program #{program.id} concluded {program.concluded_on:%Y-%m-%d}: "
                    f"{len(program.note_ids)} note(s) "
                    f"{', '.join(f'#{pk}' for pk in program.note_ids) or '-'}, "
                    f"{program.revisions} revision(s), {program.drafts} draft(s)"
                )
