"""The settings object: each model's latent scale and candidates."""

from __future__ import annotations

import pytest

from engine.settings import Settings


def test_each_model_draws_latents_at_its_own_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENZA_GAN_LATENT_SCALE", "0.6")
    settings = Settings()
    assert settings.latent_scale_for("gan") == 0.6
    assert settings.latent_scale_for("vae") == settings.latent_scale == 0.5


def test_each_model_writes_its_own_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CADENZA_GAN_CANDIDATES", "3")
    settings = Settings()
    assert settings.candidates_for("gan") == (3, settings.gan_extra_candidates)
    assert settings.candidates_for("vae") == (settings.candidates, settings.extra_candidates) == (6, 12)
