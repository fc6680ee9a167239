"""``ob_participant_search_doc`` calls ``ob_search_text`` by its schema.

pg_restore runs with an empty search path: an unqualified call inside the function's body
did not resolve there, so the generated ``search_document`` column, and with it the whole
participants table, could not be restored from a dump. Same function, qualified call.
"""

from django.db import migrations

QUALIFIED = """
    CREATE OR REPLACE FUNCTION ob_participant_search_doc(
        full_name text, native_name text, organisation text, email text
    ) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT public.ob_search_text(concat_ws(' ', full_name, native_name, organisation, email))
    $$
"""
UNQUALIFIED = QUALIFIED.replace("public.ob_search_text", "ob_search_text")


def _run(statement: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("participants", "0007_exports")]

    operations = [migrations.RunPython(_run(QUALIFIED), _run(UNQUALIFIED))]
