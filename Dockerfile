# The Olive Branch image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base

RUN useradd --create-home --uid 1000 olive
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected at build time; the manifest makes them cacheable forever.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --no-input -v 0

ENV STATIC_ROOT=/app/staticfiles OLIVE_BRANCH_VAR_DIR=/app/var
RUN mkdir -p /app/var && chown olive /app/var
USER olive
EXPOSE 8000
# No access log: its lines carry registry searches (?q=<a name>) and personal RSVP links.
# Errors still reach the log, through Django's logging and its personal-data filter.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
