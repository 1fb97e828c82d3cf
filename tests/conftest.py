"""Shared fixtures: the real knowledge base, loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.dialogue import Brain
from bot.knowledge import load_snapshot
from bot.model import Snapshot

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    return load_snapshot(KNOWLEDGE)


@pytest.fixture(scope="session")
def brain(snapshot: Snapshot) -> Brain:
    return Brain(snapshot)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge folder, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target
