"""Helpers for tests that start real processes (Celery workers, manage.py in another mode)."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Variables that steer settings; a child process starts from none of them unless given.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "TIME_ZONE",
    "CACHE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "OLIVE_BRANCH_VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
    # Set by the browser fixtures for this process only; a child must keep Django's guard.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def child_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(overrides)
    return env


def manage(*args: str, env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def celery_worker(env: Mapping[str, str], queue: str, log: Path) -> Iterator[subprocess.Popen]:
    """A real worker process on ``queue``, stopped (and its log kept) when the block ends."""
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={queue}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def wait_for(condition: Callable[[], bool], timeout: float = 45, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def free_port() -> int:
    """A TCP port nobody listens on right now (for a private server)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_ready(log: Path, worker: subprocess.Popen, timeout: float = 60) -> bool:
    """Wait until the worker's log says it consumes (``celery@… ready.``), or it died."""

    def ready() -> bool:
        return worker.poll() is not None or (log.exists() and " ready." in log.read_text())

    return wait_for(ready, timeout=timeout, interval=0.1) and worker.poll() is None


class RedisServer:
    """A private redis-server on a free port, to stop and start without touching the
    machine's shared Redis. Nothing is persisted: a restart starts empty."""

    binary = "/usr/bin/redis-server"

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import redis

        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        if not wait_for(answers, timeout=10, interval=0.05):
            raise RuntimeError(f"redis-server did not start; its log:\n{self.log.read_text()}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5)
