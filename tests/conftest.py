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
