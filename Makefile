# Olive Branch: the two commands README promises, and a few helpers.
#   make demo   the app with demo data on the embedded default (SQLite, filesystem broker)
#   make test   the whole suite on PostgreSQL and Redis at localhost
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test venv services browser-deps lint format migrations-check deploy-check \
	bench messages compilemessages web worker beat clean backup screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
		|| { echo "Olive Branch needs Python 3.11: install it (e.g. apt-get install python3.11 or pyenv install 3.11) or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	bin/demo

test: venv services browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest

services: venv
	@$(BIN)/python bin/check-services

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
			|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
		else \
			echo "Browser tests need Chromium at /usr/bin/chromium: install it (Debian/Ubuntu: sudo apt-get install chromium)"; \
			exit 1; \
		fi; \
	fi

# README's pictures: the demo's key pages as PNGs in docs/screenshots/ (bin/screenshots seeds a
# scratch demo of its own and drives Debian's Chromium). The demo has Burmese names: as root on
# Debian a Burmese font is installed when none is (elsewhere the names show as boxes).
screenshots: venv browser-deps
	@if command -v fc-list >/dev/null && ! fc-list :lang=my | grep -q . \
		&& [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing a Burmese font (fonts-sil-padauk) for the demo's Burmese names..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-sil-padauk >/dev/null || true; \
	fi
	$(BIN)/python bin/screenshots

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production mode must pass Django's deployment checklist with nothing to report.
deploy-check: venv
	DEBUG=false SECRET_KEY=$$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 64) \
		ALLOWED_HOSTS=olive-branch.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Figures for the performance targets of the issues (PostgreSQL at localhost).
bench: venv services
	$(BIN)/python bench/permissions.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/dispatch.py --messages 10000
	$(BIN)/python bench/export.py --rows 100000
	$(BIN)/python bench/load.py

# Catalogues under locale/ (needs GNU gettext): gather new strings, then compile the .mo
# files, which are committed so that running the app needs no gettext.
messages: venv
	$(BIN)/python manage.py makemessages --locale ar --locale fr --locale he \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'static/*' --no-obsolete --add-location file
	$(MAKE) compilemessages

compilemessages: venv
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

web: venv
	$(BIN)/python manage.py runserver 127.0.0.1:8000

worker: venv
	$(BIN)/celery -A config worker --loglevel=info

beat: venv
	$(BIN)/celery -A config beat --loglevel=info --schedule var/celerybeat-schedule

# Backups (SECURITY.md): pg_dump of DATABASE_URL and the media folder into var/backups/,
# then proof that the newest one restores (a scratch database, row counts compared).
backup: venv
	$(BIN)/python bin/backup
	$(BIN)/python bin/restore-check

clean:
	rm -rf var/ .pytest_cache .ruff_cache
