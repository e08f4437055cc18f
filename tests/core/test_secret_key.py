"""No public keys: development makes its own random key once and keeps it; production refuses a short one."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
from pathlib import Path

import pytest

import config
from app import create_app
from config import MIN_SECRET_KEY_BYTES, DevelopmentConfig, ProductionConfig, development_secret_key

ROOT = Path(__file__).resolve().parents[2]


def _development(monkeypatch, tmp_path):
    """A development config whose instance/ is tmp_path, with no SECRET_KEY anywhere."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    return type(
        "Development",
        (DevelopmentConfig,),
        {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}},
    )


def test_development_makes_a_random_key_once_and_keeps_it(monkeypatch, tmp_path):
    first = create_app(_development(monkeypatch, tmp_path)).config["SECRET_KEY"]
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first
    assert len(first.encode()) >= MIN_SECRET_KEY_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # its owner's only
    assert first != "dev-only-secret-change-me"
    again = create_app(_development(monkeypatch, tmp_path)).config["SECRET_KEY"]
    assert again == first  # sessions survive a restart
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left behind


def test_each_install_has_a_key_of_its_own(tmp_path):
    assert development_secret_key(tmp_path / "one") != development_secret_key(tmp_path / "two")


def test_the_environment_wins_over_the_file(monkeypatch, tmp_path):
    cls = _development(monkeypatch, tmp_path)
    monkeypatch.setenv("SECRET_KEY", "e" * 40)
    assert create_app(cls).config["SECRET_KEY"] == "e" * 40
    assert not (tmp_path / "secret_key").exists()


def _key_in_a_process(directory: str, queue) -> None:
    queue.put(development_secret_key(Path(directory)))


def test_processes_starting_together_agree_on_the_key(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_key_in_a_process, args=(str(tmp_path), queue)) for _ in range(6)]
    for process in processes:
        process.start()
    keys = {queue.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=60)
    assert keys == {(tmp_path / "secret_key").read_text().strip()}


def test_a_truncated_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(RuntimeError, match="shorter than 32 bytes"):
        development_secret_key(tmp_path)


def test_production_refuses_a_missing_or_short_key(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SOCKETIO_ALLOWED_ORIGINS", "https://yishi.example.org")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * (MIN_SECRET_KEY_BYTES - 1))
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app(ProductionConfig)


def test_no_public_key_is_left_in_the_code():
    assert config.Config.SECRET_KEY in (None, os.environ.get("SECRET_KEY"))
    tracked = subprocess.run(
        ["git", "grep", "-l", "dev-only-secret", "--", ":!tests"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.stdout == "", tracked.stdout


def test_instance_is_not_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "instance/secret_key"], cwd=ROOT, capture_output=True, text=True
    )
    assert ignored.returncode == 0
