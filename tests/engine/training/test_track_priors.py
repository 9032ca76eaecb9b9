"""The VAE's track priors: fitted per style and meter from the posteriors of segments with the track, they move
only their tracks."""

from __future__ import annotations

import numpy as np
import torch

from engine.data.dataset import SegmentArrays
from engine.models.base import Conditioning
from engine.models.vae import MusicVAE, VAEConfig
from engine.training.track_priors import with_track_priors

TINY = VAEConfig(latent_dim=8, enc_hidden=16, conductor_hidden=16, melody_hidden=16, bass_hidden=8,
                 drums_hidden=8, ctx_dim=8)


def _corpus(cells: dict[tuple[int, int], int], present: tuple[int, ...] = (0, 0, 0, 1)) -> SegmentArrays:
    """Training segments with the tracks `present` (default: drums only), `count` random ones per (style, meter)."""
    rng = np.random.default_rng(0)
    n = sum(cells.values())
    style = np.concatenate([[s] * c for (s, _), c in cells.items()])
    meter = np.concatenate([[m] * c for (_, m), c in cells.items()])
    return SegmentArrays(
        melody=np.zeros((n, 8, 16), np.int8), bass=rng.integers(0, 30, (n, 8, 16)).astype(np.int8),
        chords=np.zeros((n, 8, 2), np.int16),
        drums=(rng.random((n, 8, 16, 9)) > 0.8).astype(np.uint8), meter=meter, style=style,
        tonic=np.zeros(n, np.int64), minor=np.zeros(n, np.int64), present=np.tile(present, (n, 1)),
        split=np.zeros(n, np.int64), source=np.array(["groove"] * n), ident=np.array([str(i) for i in range(n)]))


def test_cells_are_fitted_from_their_style_else_their_meter_else_left_alone() -> None:
    torch.manual_seed(0)
    model, report = with_track_priors(MusicVAE(TINY).eval(), _corpus({(2, 1): 12, (0, 1): 3, (1, 0): 4}),
                                    min_segments=10)
    drums = report["drum"]
    assert drums["jazz 3/4"] == {"segments": 12, "from": "style and meter"}
    assert drums["pop 3/4"] == {"segments": 15, "from": "meter, every style"}
    assert drums["rock 4/4"] == {"segments": 4, "from": "unfitted"}
    assert {cell["from"] for cell in report["bass"].values()} == {"unfitted"}  # no segment has a bass line
    fitted = model.drum_prior_fitted
    assert fitted[2, 1] and fitted[0, 1] and not fitted[1, 0] and not fitted[:, 2].any()
    cond = Conditioning(torch.tensor([2, 1]), torch.tensor([1, 0]), torch.tensor([3, 3]), torch.tensor([1, 0]))
    z = torch.randn(2, 8)
    drums = model.prior_latent("drum", z, cond)
    torch.testing.assert_close(drums[0], model.drum_prior_mean[2, 1] + model.drum_prior_std[2, 1] * z[0])
    torch.testing.assert_close(drums[1], z[1])  # unfitted: the piece's own latent
    again = MusicVAE.from_checkpoint(model.checkpoint())
    assert again.config.drum_prior and torch.equal(again.drum_prior_fitted, fitted)
    torch.testing.assert_close(again.drum_prior_mean, model.drum_prior_mean)
    refit, _ = with_track_priors(again, _corpus({(1, 0): 12}), min_segments=10)  # a refit forgets the old cells
    assert refit.drum_prior_fitted[:, 0].all() and not refit.drum_prior_fitted[:, 1:].any()


def test_a_style_short_of_grooves_in_a_meter_borrows_those_of_the_style_nearest_in_four_four() -> None:
    torch.manual_seed(0)
    cells = {(0, 0): 12, (1, 0): 12, (2, 0): 12, (1, 1): 12, (2, 1): 12}  # pop has no 3/4 grooves
    model, report = with_track_priors(MusicVAE(TINY).eval(), _corpus(cells), min_segments=10)
    donor = {"rock's (nearest in 4/4)": 1, "jazz's (nearest in 4/4)": 2}[report["drum"]["pop 3/4"]["from"]]
    torch.testing.assert_close(model.drum_prior_mean[0, 1], model.drum_prior_mean[donor, 1])
    gap = {d: float((model.drum_prior_mean[d, 0] - model.drum_prior_mean[0, 0]).norm()) for d in (1, 2)}
    assert donor == min(gap, key=lambda d: gap[d])
    assert report["drum"]["folk 3/4"]["from"] == "meter, every style"  # no 4/4 grooves of its own to compare


def test_the_bass_prior_is_fitted_where_a_style_has_bass_lines_and_borrows_nothing() -> None:
    torch.manual_seed(0)
    model, report = with_track_priors(MusicVAE(TINY).eval(), _corpus({(5, 0): 12, (0, 0): 4}, present=(0, 1, 0, 0)),
                                      min_segments=10)
    assert report["bass"]["classical 4/4"] == {"segments": 12, "from": "style and meter"}
    assert report["bass"]["pop 4/4"]["from"] == "unfitted"
    assert model.bass_prior_fitted.sum() == 1 and not model.drum_prior_fitted.any()


def test_the_prior_changes_the_drums_and_nothing_else() -> None:
    torch.manual_seed(0)
    plain = MusicVAE(TINY).eval()
    fitted, _ = with_track_priors(plain, _corpus({(2, 1): 12}), min_segments=10)
    with torch.no_grad():
        fitted.drum_prior_mean[2, 1] += 3.0  # a groove far from the prior's centre
    cond = Conditioning.single(2, 1, 5, True, 6)  # a minor key: mode guidance's twin rows too
    a = plain.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(1))
    b = fitted.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(1))
    for track in ("melody", "bass", "chords"):
        assert torch.equal(getattr(a, track), getattr(b, track))
    assert not torch.equal(a.drums, b.drums)


def test_the_bass_prior_changes_the_bass_and_nothing_else() -> None:
    torch.manual_seed(0)
    plain = MusicVAE(TINY).eval()
    fitted, _ = with_track_priors(plain, _corpus({(5, 0): 12}, present=(0, 1, 0, 0)), min_segments=10)
    with torch.no_grad():
        fitted.bass_prior_mean[5, 0] += 50.0  # far enough to move an untrained decoder's odds
    cond = Conditioning.single(5, 0, 0, False, 6)
    a = plain.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(1))
    b = fitted.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(1))
    for track in ("melody", "chords", "drums"):
        assert torch.equal(getattr(a, track), getattr(b, track))
    assert not torch.equal(a.bass, b.bass)
