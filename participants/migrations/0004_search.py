"""Typo-tolerant search across scripts on PostgreSQL: pg_trgm, unaccent and one index.

``ob_search_text`` folds text the way a person searching expects: lower case, no accents
(Latin diacritics, Greek tonos), Greek final sigma as sigma. It must be IMMUTABLE to be
indexed, which ``unaccent`` alone is not (its dictionary could change); we pin the
dictionary, which is what makes the promise safe. ``ob_participant_search_doc`` is the
one text a participant is searched by: name, native-script name, organisation and email.

On SQLite (the embedded default) this migration does nothing; the search selector falls
back to plain case-insensitive matching there.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    CREATE OR REPLACE FUNCTION ob_search_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT translate(lower(public.unaccent('public.unaccent'::regdictionary,
                                             coalesce(value, ''))), 'ς', 'σ')
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ob_participant_search_doc(
        full_name text, native_name text, organisation text, email text
    ) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ob_search_text(concat_ws(' ', full_name, native_name, organisation, email))
    $$
    """,
    """
    CREATE INDEX IF NOT EXISTS participant_search_trgm
    ON participants_participant
    USING gin (ob_participant_search_doc(full_name, native_name, organisation, email)
               gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS participant_name_trgm
    ON participants_participant USING gin (ob_search_text(full_name) gin_trgm_ops)
    """,
]

DROP = [
    "DROP INDEX IF EXISTS participant_name_trgm",
    "DROP INDEX IF EXISTS participant_search_trgm",
    "DROP FUNCTION IF EXISTS ob_participant_search_doc(text, text, text, text)",
    "DROP FUNCTION IF EXISTS ob_search_text(text)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("participants", "0003_erasure_and_imports")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
