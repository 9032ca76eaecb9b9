"""Both shipped models lean a piece's last chord home (`engine.models.endings`)."""

from __future__ import annotations

import pytest
import torch

from engine.data.encoding import REST, chord_token
from engine.models.base import Conditioning, Generated
from engine.models.endings import HOME_CHORDS, lean_tonics
from engine.models.registry import load_model
from engine.settings import get_settings
from engine.styles import get_style


def _leaned_home(gen: Generated, cond: Conditioning) -> torch.Tensor:
    """[n] bool: each row's last chord is a home chord of the tonic it leaned to, read from every bar before it."""
    so_far = {k: getattr(gen, k).clone() for k in ("melody", "bass", "chords")}
    so_far["melody"][:, -1], so_far["bass"][:, -1] = REST, REST
    so_far["chords"][:, -1, 1] = so_far["chords"][:, -1, 0]
    tonic = lean_tonics(so_far["melody"], so_far["bass"], so_far["chords"], cond)
    return HOME_CHORDS[cond.minor, tonic].gather(1, gen.chords[:, -1, 1:]).squeeze(1) > 0


@pytest.mark.parametrize("name", ["vae", "gan"])
def test_ending_guidance_leans_a_pieces_last_chord_and_no_other_to_the_tonic(monkeypatch: pytest.MonkeyPatch,
                                                                              name: str) -> None:
    """The shipped model, 24 pieces of 12 bars (two sections) per key mode. An overwhelming lean (the GAN's chord
    odds can be e^-50 against its likeliest) makes every last chord a home chord of the key the piece will be
    moved into (the key asked for, moved as the whole piece reads so far, both sections), and leaves the bars
    before it as they were; only the rows that end a piece lean."""
    model = load_model(name, get_settings().checkpoint_dir, torch.device("cpu"))
    guidance = f"engine.models.{name}.ENDING_GUIDANCE"
    for minor in (0, 1):
        cond = Conditioning(torch.full((24,), get_style("pop").index), torch.zeros(24, dtype=torch.long),
                            torch.arange(24) % 12, torch.full((24,), minor))
        written = {}
        for weight in (0.0, 1000.0):
            monkeypatch.setattr(guidance, weight)
            written[weight] = model.sample(cond, 12, latent_scale=0.5, generator=torch.Generator().manual_seed(0))
        assert bool(_leaned_home(written[1000.0], cond).all())
        asked = HOME_CHORDS[minor, cond.tonic].gather(1, written[0.0].chords[:, -1, 1:]).squeeze(1)
        assert not bool(asked.all())
        for track in ("chords", "melody", "bass"):
            assert torch.equal(getattr(written[0.0], track)[:, :-1], getattr(written[1000.0], track)[:, :-1])
    ends = torch.arange(24) % 2 == 0  # rows that end a piece; the others are a part of one (an interpolation's steps)
    latent = model.sample_latents(24, 8, torch.Generator().manual_seed(1), 0.5)
    parts = model.generate(cond, 8, temperature=0.9, generator=torch.Generator().manual_seed(2), latent=latent,
                           ends=ends)
    monkeypatch.setattr(guidance, 0.0)
    unguided = model.generate(cond, 8, temperature=0.9, generator=torch.Generator().manual_seed(2), latent=latent)
    assert bool(_leaned_home(parts, cond)[ends].all())
    assert torch.equal(parts.chords[~ends], unguided.chords[~ends])


def test_the_ending_leans_to_the_tonic_of_the_key_the_piece_will_be_moved_into() -> None:
    """A piece asked for in Eb that reads as Bb so far will be moved up a fourth: its last chord leans to Bb."""
    bb, f7, eb = chord_token(10, "maj"), chord_token(5, "7"), chord_token(3, "maj")
    chords = torch.tensor([[[bb, bb], [eb, f7], [bb, bb], [f7, f7]]])
    rest = torch.zeros(1, 4, 16, dtype=torch.long)
    asked = Conditioning.single(0, 0, 3, False, 1)  # Eb major
    assert lean_tonics(rest, rest, chords, asked).tolist() == [10]
    assert lean_tonics(rest, rest, torch.zeros_like(chords), asked).tolist() == [3]  # nothing to read: as asked
