"""Roster and registry exports: CSV streamed by PostgreSQL's COPY, XLSX in write-only mode.

Every protection is part of the SQL that reads the rows (``protection``): high-risk people
pseudonymised, cells that a spreadsheet would run as a formula neutralised, Chatham House
exports without names or contact details. So the fast path (COPY) and the XLSX writer, in a
web request or a Celery worker, print exactly the same thing.

* ``columns``: the catalogue of columns per export kind, with labels and defaults;
* ``queries``: the export's queryset, one SQL expression per chosen column;
* ``writers``: CSV (COPY, or a plain loop on SQLite) and XLSX;
* ``access``: who may export what (built on ``core.permissions``);
* ``services``: presets, jobs and the audit entry of every export.
"""
