"""`cadenza evaluate` (quality, the default): one JSON object; bad style or missing model exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from engine.data.dataset import CACHE_VERSION
from engine.settings import get_settings
from engine.training.common import DEFAULT_SOURCES
from tests.cli.test_cli import run


def _have_training_data() -> bool:
    settings = get_settings()
    cached = all((settings.cache_dir / f"segments-v{CACHE_VERSION}-{s}.npz").exists() for s in DEFAULT_SOURCES)
    return cached or settings.datasets_dir.exists()


@pytest.mark.skipif(not _have_training_data(), reason="training data (or its segment caches) not present")
def test_evaluate_quality_json(capsys: pytest.CaptureFixture[str]) -> None:
    # The GAN: its training data is the six sources other tests cache too (the VAE's adds two more, minutes of
    # cache-building on a clean machine for this one test); both models go through the same code.
    code, out, err = run(capsys, "evaluate", "--model", "gan", "--style", "folk", "--n", "2", "--bars", "8", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"model", "style", "n", "generated", "data", "within_25pct", "novelty"} <= set(data)
    assert data["model"] == "gan" and data["style"] == "folk" and data["n"] == 2
    shipped = torch.load(get_settings().checkpoint_dir / "gan.pt", map_location="cpu", weights_only=False)
    assert data["data_sources"] == list(shipped["train_config"]["sources"])  # the data the model learnt from
    assert data["generated"]["segments"] == 2 and data["data"]["segments"] > 100
    assert data["data"]["drum_pattern_pct"] is None  # folk's sources have no drums
    assert data["within_25pct"]["drum_pattern_pct"] is None
    assert data["data"]["qualified_notes_pct"]["melody"] == 100.0  # by construction on a 16th grid
    assert 0.0 <= data["novelty"] <= 1.0
    assert set(data["within_25pct"]) >= {"empty_bars_pct.melody", "tonal_distance.melody-chords", "polyphony"}


@pytest.mark.parametrize(("argv", "needle"), [
    (["evaluate", "--style", "jaz"], "unknown style 'jaz'"),
    (["evaluate", "--model", "rnn"], "invalid choice"),
    (["evaluate", "quality", "--bars", "12"], "multiple of 8"),
    (["evaluate", "--n", "0"], "1–1000"),
    (["evaluate", "jsb", "--samples", "0"], "--samples must be at least 1"),
])
def test_evaluate_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1


def test_evaluate_missing_checkpoint_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "checkpoint_dir", tmp_path)
    code, out, err = run(capsys, "evaluate", "--model", "gan", "--style", "pop", "--n", "1", "--bars", "8")
    assert code == 2 and out == ""
    assert "gan.pt is missing" in err and err.count("\n") == 1
