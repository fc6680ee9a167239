"""Outreach: the messages Olive Branch sends (invitations, reminders, follow-ups) and the
outbox that sends each of them once."""
