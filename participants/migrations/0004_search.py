"""Typo-tolerant search across scripts on PostgreSQL: pg_trgm, unaccent and one index.

``ob_search_text`` folds text the way a person searching expects: lower case, no accents
(Latin diacritics, Greek tonos), Greek final sigma as sigma. It must be IMMUTABLE to be
indexed, which ``unaccent`` alone is not (its dictionary could change); we pin the
dictionary, which is what makes the promise safe. ``ob_participant_search_doc`` is the
one text a participant is searched by: name, native-script name, organisation and email,
stored in the PostgreSQL-only generated column ``search_document`` (the model does not
declare it: it exists for the index, and only the search selector reads it).

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
    # Stored, so that matching and ranking read a column instead of folding every
    # candidate row again (unaccent is the expensive part).
    """
    ALTER TABLE participants_participant ADD COLUMN IF NOT EXISTS search_document text
    GENERATED ALWAYS AS (
        ob_participant_search_doc(full_name, native_name, organisation, email)
    ) STORED
    """,
    """
    CREATE INDEX IF NOT EXISTS participant_search_trgm
    ON participants_participant USING gin (search_document gin_trgm_ops)
    """,
    # pg_trgm declares its similarity operators as cheap as an integer comparison, so on a
    # big registry the planner scans every row instead of using the index (1.4 s instead
    # of 0.1 s at 100,000 people). Only an owner of the extension may say otherwise; a
    # database user without that right keeps the default plans.
    """
    DO $$
    BEGIN
        ALTER FUNCTION word_similarity_commutator_op(text, text) COST 200;
        ALTER FUNCTION word_similarity_op(text, text) COST 200;
        ALTER FUNCTION word_similarity(text, text) COST 200;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'pg_trgm operator costs left as they are (not the owner)';
    END
    $$
    """,
    """
    CREATE INDEX IF NOT EXISTS participant_name_trgm
    ON participants_participant USING gin (ob_search_text(full_name) gin_trgm_ops)
    """,
]

DROP = [
    "DROP INDEX IF EXISTS participant_name_trgm",
    "DROP INDEX IF EXISTS participant_search_trgm",
    "ALTER TABLE participants_participant DROP COLUMN IF EXISTS search_document",
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
