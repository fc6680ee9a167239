"""What keeps an export safe, expressed in SQL so that COPY applies it row by row.

* ``neutralised``: a text cell that a spreadsheet would run as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe.
* ``Pseudonym``: ``participants.safety.pseudonym`` computed by the database: HMAC-SHA256
  with the server's ``SECRET_KEY`` over ``participant:<pk>``, "P-" and 8 hex digits.
  PostgreSQL composes the HMAC from its built-in ``sha256()`` (no extension needed); the
  key's two padded halves reach the session through ``set_config`` with bound parameters,
  so the secret is never part of a statement's text (server logs, ``pg_stat_activity``).
  Without the key (outside ``export_transaction``) the pseudonym is NULL: an empty cell,
  never a name, and never a code computed with an empty key. SQLite calls the Python
  function.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Expression, Func, TextField, Value, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import In

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

_IPAD_SETTING = "olive_branch.export_hmac_ipad"
_OPAD_SETTING = "olive_branch.export_hmac_opad"
_BLOCK = 64  # SHA-256's block size, in bytes
# An export sorts by the printed name (a pseudonym sorts as itself), which no index serves:
# enough memory for the transaction to sort the whole registry without spilling to disk.
SORT_MEMORY = "64MB"


def neutralise(value: str) -> str:
    """The Python twin of ``neutralised``, for the cells Python writes (headers)."""
    return NEUTRALISER + value if value.startswith(FORMULA_STARTS) else value


def neutralised(expression: Expression) -> Case:
    """``expression`` (text) with a leading apostrophe when it starts like a formula."""
    return Case(
        When(
            In(Left(expression, 1), list(FORMULA_STARTS)),
            then=Concat(Value(NEUTRALISER), expression, output_field=TextField()),
        ),
        default=expression,
        output_field=TextField(),
    )


def hmac_pads(secret: str | None = None) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 (RFC 2104) for ``secret``."""
    key = (secret if secret is not None else settings.SECRET_KEY).encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


class Pseudonym(Func):
    """The pseudonym of the participant whose primary key is the argument."""

    output_field = CharField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra_context):
        inner = (
            f"sha256(decode(nullif(current_setting('{_IPAD_SETTING}', true), ''), 'hex') "
            "|| convert_to('participant:' || (%(expressions)s)::text, 'UTF8'))"
        )
        template = (
            "('P-' || upper(left(encode(sha256("
            f"decode(nullif(current_setting('{_OPAD_SETTING}', true), ''), 'hex') || {inner}"
            "), 'hex'), 8)))"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="ob_pseudonym", **extra_context)


def _python_pseudonym(pk: int | None) -> str | None:
    import hmac

    if pk is None:
        return None
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"participant:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    return f"P-{digest[:8].upper()}"


def install_pseudonym_key() -> None:
    """Give the current transaction what ``Pseudonym`` needs (and the sort its memory).
    Call it inside ``transaction.atomic``: on PostgreSQL both last until it ends."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        import psycopg

        inner, outer = hmac_pads()
        # A plain psycopg cursor binds on the server (Django's binds on the client), so the
        # key travels as a parameter, never inside the statement's text.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, true), set_config(%s, %s, true),"
                " set_config('work_mem', %s, true)",
                [_IPAD_SETTING, inner.hex(), _OPAD_SETTING, outer.hex(), SORT_MEMORY],
            )
    elif connection.vendor == "sqlite":
        connection.connection.create_function(
            "ob_pseudonym", 1, _python_pseudonym, deterministic=True
        )


@contextmanager
def export_transaction() -> Iterator[None]:
    """One transaction for reading an export: one snapshot, and the pseudonym key set."""
    with transaction.atomic():
        install_pseudonym_key()
        yield
