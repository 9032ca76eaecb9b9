"""The GAN on CPU with a tiny configuration: outputs, meters, latents, training, inversion, checkpoints."""

from __future__ import annotations

import math

import pytest
import torch

from engine.data.encoding import (
    BASS_RANGE,
    HOLD,
    MELODY_RANGE,
    METERS,
    N_BASS,
    N_CHORDS,
    N_MELODY,
    PITCH0,
    REST,
    TRACKS,
    chord_token,
)
from engine.models.base import SECTION_WALK, Conditioning
from engine.models.gan import GANConfig, MuseGAN, one_hot_batch
from engine.training.train_gan import PC_SCALE, REPEAT_STAT, gradient_penalty, section_stats, style_match_loss

TINY = GANConfig(shared_dim=4, private_dim=3, bar_dim=4, hidden=16, critic_channels=8)


def _batch(n: int = 6) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return {"melody": torch.randint(0, N_MELODY, (n, 8, 16), generator=g),
            "bass": torch.randint(0, N_BASS, (n, 8, 16), generator=g),
            "chords": torch.randint(0, N_CHORDS, (n, 8, 2), generator=g),
            "drums": (torch.rand(n, 8, 16, 9, generator=g) > 0.8).float()}


def test_outputs_are_distributions_and_padding_is_silent() -> None:
    model = MuseGAN(TINY)
    cond = Conditioning(torch.tensor([0, 1]), torch.tensor([0, METERS.index(METERS[1])]), torch.tensor([0, 3]),
                        torch.tensor([0, 1]))
    out = model.generator(torch.randn(2, TINY.latent_dim), cond)
    for name in ("melody", "bass", "chords"):
        assert torch.allclose(out[name].sum(-1), torch.ones(out[name].shape[:-1]), atol=1e-5)
    assert out["melody"].shape == (2, 8, 16, N_MELODY) and out["chords"].shape == (2, 8, 2, N_CHORDS)
    assert (out["melody"][1, :, 12:].argmax(-1) == REST).all()  # 3/4: the last 4 slots are padding
    assert (out["drums"][1, :, 12:] == 0).all()


def test_each_bar_is_written_from_its_own_inputs_alone() -> None:
    """The ending lean writes the last bar again on its own: the heads over one bar's inputs give that bar of
    the whole section (3/4 padding included)."""
    model = MuseGAN(TINY)
    cond = Conditioning(torch.tensor([0, 4]), torch.tensor([0, 1]), torch.tensor([2, 9]), torch.tensor([0, 1]))
    with torch.no_grad():
        inputs = model.generator.bar_inputs(torch.randn(2, TINY.latent_dim), cond)
        whole = model.generator.heads(inputs, cond)
        for bar in (0, 5, 7):
            alone = model.generator.heads({k: v[:, bar:bar + 1] for k, v in inputs.items()}, cond)
            for track in TRACKS:
                torch.testing.assert_close(alone[track][:, 0], whole[track][:, bar])


def test_tokens_prefer_an_onset_whose_mass_is_spread_over_pitches() -> None:
    probs = torch.zeros(1, 1, 1, N_MELODY)
    probs[..., REST] = 0.3
    probs[..., PITCH0:PITCH0 + 7] = 0.1  # 0.7 on onsets, none of them above 0.3
    tokens = MuseGAN.tokens({"melody": probs, "bass": torch.zeros(1, 1, 1, N_BASS).index_fill(-1, torch.tensor([0]), 1),
                             "chords": torch.zeros(1, 1, 2, N_CHORDS), "drums": torch.zeros(1, 1, 1, 9)})
    assert int(tokens["melody"]) >= PITCH0 and int(tokens["bass"]) == REST


def test_sections_share_fixed_latents_and_walk_their_seeds() -> None:
    model = MuseGAN(TINY).eval()
    gen = model.generate(Conditioning.single(2, 0, 5, True, 3), 20, generator=torch.Generator().manual_seed(1))
    assert gen.melody.shape == (3, 20, 16) and gen.latent.shape == (3, 3, TINY.latent_dim)
    seeds = model._seed_mask()
    assert torch.equal(gen.latent[:, 0, ~seeds], gen.latent[:, 2, ~seeds])
    assert not torch.allclose(gen.latent[:, 0, seeds], gen.latent[:, 1, seeds])


def test_critic_steps_widen_the_gap_between_real_and_fake() -> None:
    torch.manual_seed(0)
    model = MuseGAN(TINY)
    assert model.critic is not None
    batch = _batch()
    cond, present = Conditioning.single(0, 0, 0, False, 6), torch.ones(6, 4)
    real = one_hot_batch(batch)
    with torch.no_grad():
        fake = model.generator(torch.randn(6, TINY.latent_dim), cond)

    @torch.no_grad()
    def gap() -> float:
        return float(model.critic(real, cond, present).mean() - model.critic(fake, cond, present).mean())

    before = gap()
    opt = torch.optim.Adam(model.critic.parameters(), lr=1e-3)
    for _ in range(60):
        loss = -(model.critic(real, cond, present).mean() - model.critic(fake, cond, present).mean()) \
            + 10 * gradient_penalty(model, real, fake, cond, present)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert gap() > before + 0.5


def test_absent_tracks_do_not_reach_the_critic() -> None:
    model = MuseGAN(TINY)
    assert model.critic is not None
    real = one_hot_batch(_batch(2))
    cond, no_drums = Conditioning.single(0, 0, 0, False, 2), torch.tensor([[1.0, 1, 1, 0]] * 2)
    before = model.critic(real, cond, no_drums)
    real["drums"] = 1 - real["drums"]
    assert torch.allclose(model.critic(real, cond, no_drums), before)


def test_inversion_finds_a_latent_that_writes_the_section_again() -> None:
    torch.manual_seed(0)
    model = MuseGAN(TINY).eval()
    cond = Conditioning.single(0, 0, 0, False, 1)
    target = model.generate(cond, 8, generator=torch.Generator().manual_seed(3))
    section = target.sections(8)[0]
    found = model.invert(section, cond, generator=torch.Generator().manual_seed(4))
    fresh = torch.randn(1, TINY.latent_dim, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        loss_found = model._match_loss(model.generator(found, cond), section)
        loss_fresh = model._match_loss(model.generator(fresh, cond), section)
    assert float(loss_found) < float(loss_fresh)
    assert model.embed(target, cond).shape == (1, 1, TINY.latent_dim)


def test_continuation_writes_the_bars_asked_for() -> None:
    model = MuseGAN(TINY).eval()
    cond = Conditioning.single(1, 0, 2, False, 2)
    prompt = model.generate(cond, 6, generator=torch.Generator().manual_seed(0))
    more = model.generate_continuation(prompt, cond, 10, generator=torch.Generator().manual_seed(1))
    assert more.melody.shape == (2, 10, 16) and more.latent.shape == (2, 2, TINY.latent_dim)



def test_a_one_row_prompt_is_inverted_once_and_continued_for_every_row_of_the_condition(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = MuseGAN(TINY).eval()
    prompt = model.generate(Conditioning.single(1, 0, 2, False), 8, generator=torch.Generator().manual_seed(0))
    inverted: list[int] = []
    invert = MuseGAN.invert
    monkeypatch.setattr(MuseGAN, "invert", lambda self, section, cond, **k: (inverted.append(len(cond)),
                                                                             invert(self, section, cond, **k))[1])
    more = model.generate_continuation(prompt, Conditioning.single(1, 0, 2, False, 3), 8, latent_scale=1.0,
                                       generator=torch.Generator().manual_seed(1))
    assert inverted == [1] and more.melody.shape == (3, 8, 16)
    seeds = model._seed_mask()
    assert not torch.allclose(more.latent[0, 0, seeds], more.latent[1, 0, seeds])  # each walks its own seeds


def test_continuation_draws_its_fresh_seeds_at_the_latent_scale() -> None:
    """At latent scale 0 the walk adds no noise: each section's seeds are the last's, shrunk by the walk."""
    model = MuseGAN(TINY).eval()
    cond = Conditioning.single(1, 0, 2, False, 2)
    prompt = model.generate(cond, 8, generator=torch.Generator().manual_seed(0))
    more = model.generate_continuation(prompt, cond, 16, latent_scale=0.0, generator=torch.Generator().manual_seed(1))
    seeds = model._seed_mask()
    first, second = more.latent[:, 0], more.latent[:, 1]
    assert torch.allclose(second[:, seeds], first[:, seeds] * math.cos(SECTION_WALK), atol=1e-6)
    assert torch.equal(second[:, ~seeds], first[:, ~seeds])
    noisy = model.generate_continuation(prompt, cond, 16, latent_scale=1.0, generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(noisy.latent[:, 1, seeds], noisy.latent[:, 0, seeds] * math.cos(SECTION_WALK))

@pytest.mark.parametrize("meter", range(len(METERS)))
def test_checkpoint_round_trip_keeps_the_generator(meter: int) -> None:
    model = MuseGAN(TINY).eval()
    loaded = MuseGAN.from_checkpoint(model.checkpoint())
    assert loaded.critic is None
    cond = Conditioning.single(0, meter, 0, False, 1)
    z = torch.randn(1, 1, TINY.latent_dim)
    a, b = model.generate(cond, 8, latent=z), loaded.generate(cond, 8, latent=z)
    assert torch.equal(a.melody, b.melody) and torch.equal(a.drums, b.drums)


def test_the_critic_is_shown_chord_tones_and_repeated_chords() -> None:
    """C major held for bars 0-1, then G major; melody C (a chord tone, then not), bass G (a tone of both)."""
    batch = {k: v[:1].clone() for k, v in _batch(1).items()}
    c, g = chord_token(0, "maj"), chord_token(7, "maj")
    batch["chords"][0] = torch.tensor([[c, c], [c, c]] + [[g, g]] * 6)
    batch["melody"][0] = PITCH0 + 72 - MELODY_RANGE[0]  # C5
    batch["bass"][0] = PITCH0 + 43 - BASS_RANGE[0]  # G2
    present = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    features = MuseGAN(TINY).critic.harmony(one_hot_batch(batch), present)[0].view(8, 16, 3)
    assert (features[:2, :, 0] == 1).all() and (features[2:, :, 0] == 0).all()
    assert (features[..., 1] == 1).all()
    assert features[:, 0, 2].tolist() == [0, 1, 0, 1, 1, 1, 1, 1]
    assert (MuseGAN(TINY).critic.harmony(one_hot_batch(batch), torch.tensor([[1.0, 1.0, 0.0, 0.0]])) == 0).all()


def _held_c_major_section() -> dict[str, torch.Tensor]:
    """C major held for bars 0-1, then G major; melody C5 struck each beat and held (a chord tone, then not),
    but E5 on bar 2's third beat; bass G2 struck on each bar's first step and held (a tone of both chords)."""
    batch = {k: v[:1].clone() for k, v in _batch(1).items()}
    c, g = chord_token(0, "maj"), chord_token(7, "maj")
    batch["chords"][0] = torch.tensor([[c, c], [c, c]] + [[g, g]] * 6)
    beat = torch.tensor([PITCH0 + 72 - MELODY_RANGE[0], HOLD, HOLD, HOLD])
    batch["melody"][0] = beat.repeat(4)
    batch["melody"][0, 2, 8] = PITCH0 + 76 - MELODY_RANGE[0]  # E5 on bar 2's third beat
    batch["bass"][0] = HOLD
    batch["bass"][0, :, 0] = PITCH0 + 43 - BASS_RANGE[0]
    return batch


def test_section_stats_read_chord_tones_repeats_and_held_steps() -> None:
    model = MuseGAN(TINY)
    present, in_c, in_g = torch.tensor([[1.0, 1.0, 1.0, 0.0]]), Conditioning.single(0, 0, 0, False), \
        Conditioning.single(0, 0, 7, False)
    stats, applies = section_stats(model, one_hot_batch(_held_c_major_section()), in_c, present)
    melody_on_tones, bass_on_tones, repeats, melody_held, bass_held, melody_pcs, bass_pcs = stats[0, :7].tolist()
    assert melody_on_tones == pytest.approx(2 / 8) and bass_on_tones == pytest.approx(1.0)
    assert repeats == pytest.approx(6 / 7)  # bars 1, 3, 4, 5, 6, 7 repeat the previous bar's chords
    assert melody_held == pytest.approx(0.75) and bass_held == pytest.approx(15 / 16)
    assert melody_pcs * PC_SCALE == pytest.approx(9 / 8) and bass_pcs * PC_SCALE == pytest.approx(1.0)
    melody_profile, bass_profile = stats[0, 7:19], stats[0, 19:]
    assert melody_profile[0] == pytest.approx(31 / 32) and melody_profile[4] == pytest.approx(1 / 32)
    assert bass_profile[7] == pytest.approx(1.0)
    assert applies[0].tolist() == [1] * 31
    from_g, _ = section_stats(model, one_hot_batch(_held_c_major_section()), in_g, present)
    assert from_g[0, 7 + 5] == pytest.approx(31 / 32) and from_g[0, 19] == pytest.approx(1.0)  # C is G's 4th
    _, no_chords = section_stats(model, one_hot_batch(_held_c_major_section()), in_c,
                                 torch.tensor([[1.0, 1.0, 0.0, 0.0]]))
    assert no_chords[0].tolist() == [0, 0, 0, 1, 1, 1, 1] + [1] * 24


def test_style_matching_steps_bring_generated_stats_toward_the_data() -> None:
    torch.manual_seed(0)
    model = MuseGAN(TINY)
    real = one_hot_batch({k: v.repeat(4, *([1] * (v.dim() - 1))) for k, v in _held_c_major_section().items()})
    cond, present = Conditioning.single(3, 0, 0, False, 4), torch.ones(4, 4)
    z = torch.randn(4, TINY.latent_dim)
    opt = torch.optim.Adam(model.generator.parameters(), lr=3e-3)

    def loss() -> torch.Tensor:
        return style_match_loss(model, model.generator(z, cond), real, cond, present)

    before = loss().item()
    for _ in range(40):
        step = loss()
        opt.zero_grad()
        step.backward()
        opt.step()
    assert loss().item() < 0.5 * before


def test_the_repeat_weight_weighs_the_chord_repeat_gap_alone() -> None:
    """A section that changes chords every bar against one that holds them: only the repeat share differs
    in weight, so raising its weight from 1 to 5 adds 4 times its squared gap."""
    model = MuseGAN(TINY)
    held = _held_c_major_section()
    moving = {k: v.clone() for k, v in held.items()}
    moving["chords"][0] = torch.tensor([[chord_token(root, "maj")] * 2 for root in (0, 7, 0, 7, 0, 7, 0, 7)])
    cond, present = Conditioning.single(3, 0, 0, False), torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    fake, real = one_hot_batch(moving), one_hot_batch(held)
    gap = (section_stats(model, fake, cond, present)[0] - section_stats(model, real, cond, present)[0])[0, REPEAT_STAT]
    assert float(gap) == pytest.approx(-6 / 7)
    plain = style_match_loss(model, fake, real, cond, present)
    weighted = style_match_loss(model, fake, real, cond, present, repeat_weight=5.0)
    assert float(weighted - plain) == pytest.approx(4 * float(gap) ** 2, rel=1e-5)
