"""Shared fixtures: sample pages, the shared seed, a temporary store, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli import app
from khabar.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED = ROOT.parent / "shared" / "seeds" / "000_0585ea35918bfb10.txt"
WEB_PAGES = Path(__file__).parent / "fixtures" / "web"


@pytest.fixture(scope="session")
def web_db(tmp_path_factory) -> str:
    """A store built by the CLI from the web fixtures (five outlets' pages, one hostile), stories merged."""
    path = tmp_path_factory.mktemp("web") / "k.db"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(WEB_PAGES), "--db", str(path)]).exit_code == 0
    assert runner.invoke(app, ["stories", "--db", str(path)]).exit_code == 0
    return str(path)


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def seed() -> Path:
    if not SEED.exists():
        pytest.skip(f"shared seed not found at {SEED} (../shared is absent in this checkout)")
    return SEED


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "k.db")
    yield s
    s.close()


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke
