"""Search words: the registry's distinct folded words, so typo tolerance is cheap.

Comparing a misspelt query with every candidate person's whole text costs tens of
microseconds a row, far too much at 100,000 people. Instead the database keeps the set of
distinct words that occur in ``search_document`` (a few per person, shared by many); a
query word is compared with that small dictionary by trigram similarity, and people are
then found with a regular expression over the words it matched, which the trigram index
answers. Statement-level triggers keep the dictionary current on insert and update;
``ob_prune_search_words()`` drops words nobody carries any more (after an erasure or a
merge), run daily by ``participants.tasks.prune_search_words``.

PostgreSQL only, like 0004; nothing happens on SQLite.
"""

from django.db import migrations

CREATE = [
    """
    CREATE TABLE IF NOT EXISTS participant_search_word (word text PRIMARY KEY)
    """,
    """
    CREATE INDEX IF NOT EXISTS participant_search_word_trgm
    ON participant_search_word USING gin (word gin_trgm_ops)
    """,
    # Words shorter than a trigram match as prefixes ("Nw" -> "now").
    """
    CREATE INDEX IF NOT EXISTS participant_search_word_prefix
    ON participant_search_word (word text_pattern_ops)
    """,
    """
    CREATE OR REPLACE FUNCTION ob_search_words(document text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT word
        FROM regexp_split_to_table(coalesce(document, ''), '[^[:alnum:]]+') AS word
        WHERE length(word) > 1
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ob_collect_search_words() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO participant_search_word (word)
        SELECT DISTINCT word FROM new_rows, ob_search_words(new_rows.search_document) AS word
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION ob_prune_search_words() RETURNS integer
    LANGUAGE sql AS $$
        WITH gone AS (
            DELETE FROM participant_search_word
            WHERE word NOT IN (
                SELECT DISTINCT word FROM participants_participant,
                    ob_search_words(search_document) AS word
            )
            RETURNING 1
        )
        SELECT count(*)::integer FROM gone
    $$
    """,
    "DROP TRIGGER IF EXISTS participant_search_words_insert ON participants_participant",
    """
    CREATE TRIGGER participant_search_words_insert AFTER INSERT ON participants_participant
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ob_collect_search_words()
    """,
    "DROP TRIGGER IF EXISTS participant_search_words_update ON participants_participant",
    """
    CREATE TRIGGER participant_search_words_update AFTER UPDATE ON participants_participant
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ob_collect_search_words()
    """,
    """
    INSERT INTO participant_search_word (word)
    SELECT DISTINCT word FROM participants_participant, ob_search_words(search_document) AS word
    ON CONFLICT DO NOTHING
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS participant_search_words_update ON participants_participant",
    "DROP TRIGGER IF EXISTS participant_search_words_insert ON participants_participant",
    "DROP FUNCTION IF EXISTS ob_prune_search_words()",
    "DROP FUNCTION IF EXISTS ob_collect_search_words()",
    "DROP FUNCTION IF EXISTS ob_search_words(text)",
    "DROP TABLE IF EXISTS participant_search_word",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("participants", "0004_search")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
