"""The audit log is append-only in the database, for everyone, admins and raw SQL included.

A trigger refuses every UPDATE and DELETE of ``core_auditevent``, with one exception: the
``ON DELETE SET NULL`` of the actor or content type, which Django performs as an UPDATE when
a user account (or a model) is deleted. That UPDATE may only clear those two columns;
every other column must stay as written.

TRUNCATE does not fire row triggers, so the test suite's flush between transactional tests
still works; nothing in the application truncates.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id
        AND NEW.created_at = OLD.created_at
        AND NEW.action = OLD.action
        AND NEW.object_id = OLD.object_id
        AND NEW.object_repr = OLD.object_repr
        AND NEW.data = OLD.data
        AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
        AND (NEW.content_type_id IS NULL OR NEW.content_type_id = OLD.content_type_id)
    THEN
        -- Only forgetting a deleted user or model (ON DELETE SET NULL).
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % of core_auditevent refused', TG_OP
        USING HINT = 'Audit events are never changed or deleted.';
END;
$$;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""

# The embedded default (make demo) runs on SQLite: the same rule there.
SQLITE_FORWARD = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    WHEN NOT (
        NEW.id = OLD.id
        AND NEW.created_at IS OLD.created_at
        AND NEW.action IS OLD.action
        AND NEW.object_id IS OLD.object_id
        AND NEW.object_repr IS OLD.object_repr
        AND NEW.data IS OLD.data
        AND (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
        AND (NEW.content_type_id IS NULL OR NEW.content_type_id IS OLD.content_type_id)
    )
    BEGIN
        SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE of core_auditevent refused');
    END
    """,
    """
    CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'The audit log is append-only: DELETE of core_auditevent refused');
    END
    """,
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
