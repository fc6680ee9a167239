"""Settings in each mode, read by a fresh process so the environment is really what decides."""

import json
import secrets

from tests.processes import child_env, manage

PROBE = (
    "import json\n"
    "from django.conf import settings as s\n"
    "print(json.dumps({\n"
    "  'engine': s.DATABASES['default']['ENGINE'],\n"
    "  'db_name': str(s.DATABASES['default']['NAME']),\n"
    "  'db_host': s.DATABASES['default'].get('HOST', ''),\n"
    "  'broker': s.CELERY_BROKER_URL,\n"
    "  'broker_options': getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', {}),\n"
    "  'email_backend': s.EMAIL_BACKEND,\n"
    "  'email_path': str(getattr(s, 'EMAIL_FILE_PATH', '')),\n"
    "  'email_host': s.EMAIL_HOST,\n"
    "  'debug': s.DEBUG,\n"
    "  'session_engine': s.SESSION_ENGINE,\n"
    "  'storage': s.STORAGES['default']['BACKEND'],\n"
    "  'time_zone': s.TIME_ZONE,\n"
    "  'site_url': s.SITE_URL,\n"
    "  'from': s.DEFAULT_FROM_EMAIL,\n"
    "}))\n"
)


def read_settings(**env: str) -> dict:
    result = manage("shell", "-v0", "-c", PROBE, env=child_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_nothing_set(tmp_path):
    var = tmp_path / "var"
    s = read_settings(OLIVE_BRANCH_VAR_DIR=str(var))
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(var / "olive-branch.sqlite3")
    assert s["broker"] == "filesystem://"
    assert s["broker_options"]["data_folder_in"] == str(var / "celery" / "queue")
    assert s["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert s["email_path"] == str(var / "mail")
    assert s["session_engine"] == "django.contrib.sessions.backends.db"
    assert s["storage"] == "django.core.files.storage.FileSystemStorage"
    assert s["debug"] is True


def test_embedded_default_migrates_and_passes_checks(tmp_path):
    env = child_env(OLIVE_BRANCH_VAR_DIR=str(tmp_path / "var"))
    migrate = manage("migrate", "--no-input", "-v0", env=env)
    assert migrate.returncode == 0, migrate.stderr
    check = manage("check", "--fail-level", "WARNING", env=env)
    assert check.returncode == 0, check.stderr
    assert (tmp_path / "var" / "olive-branch.sqlite3").exists()


def test_postgres_and_redis_mode_from_the_environment():
    s = read_settings(
        DATABASE_URL="postgres://olive:pw@db.internal:5432/olive_branch",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        EMAIL_URL="smtp://mailer.internal:25",
        DEFAULT_FROM_EMAIL="Olive Branch <dialogue@ngo.example.org>",
        SITE_URL="https://olive.ngo.example.org/",
        TIME_ZONE="Asia/Nicosia",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert (s["db_name"], s["db_host"]) == ("olive_branch", "db.internal")
    assert s["broker"] == "redis://redis.internal:6379/0"
    # Redis redelivers an unacknowledged task after the visibility timeout; the outbox never
    # publishes with an ETA, and a broker that is down fails fast instead of hanging a request.
    assert s["broker_options"]["visibility_timeout"] == 3600
    assert s["broker_options"]["socket_connect_timeout"] <= 5
    assert s["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["email_host"] == "mailer.internal"
    assert s["from"] == "Olive Branch <dialogue@ngo.example.org>"
    assert s["site_url"] == "https://olive.ngo.example.org"
    assert s["time_zone"] == "Asia/Nicosia"


def test_s3_storage_when_a_bucket_is_configured():
    s = read_settings(AWS_STORAGE_BUCKET_NAME="olive-exports")
    assert s["storage"] == "storages.backends.s3.S3Storage"


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", env=child_env(DEBUG="false", ALLOWED_HOSTS="olive.example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "DEBUG=false" in result.stderr


def test_production_mode_passes_the_deployment_checklist():
    env = child_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="olive.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/olive_branch",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
