"""The VAE on CPU with a tiny configuration: losses, sampling, continuation, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.data.encoding import HOLD, METERS, N_CHORDS, PITCH0, REST
from engine.models.base import Conditioning
from engine.models.vae import CHORD_REPEAT_BIAS, MusicVAE, TrackDecoder, VAEConfig, draw
from engine.styles import STYLES, get_style

TINY = VAEConfig(latent_dim=8, enc_hidden=16, conductor_hidden=16, melody_hidden=16, bass_hidden=8,
                 drums_hidden=8, ctx_dim=8)


def _batch(n: int = 4, bars: int = 8) -> tuple[dict[str, torch.Tensor], Conditioning]:
    g = torch.Generator().manual_seed(0)
    batch = {
        "melody": torch.randint(0, 20, (n, bars, 16), generator=g),
        "bass": torch.randint(0, 20, (n, bars, 16), generator=g),
        "chords": torch.randint(0, N_CHORDS, (n, bars, 2), generator=g),
        "drums": (torch.rand(n, bars, 16, 9, generator=g) > 0.8).float(),
        "present": torch.tensor([[1, 1, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0], [1, 1, 1, 1]], dtype=torch.float)[:n],
    }
    return batch, Conditioning.single(0, 0, 0, False, n)


def test_losses_are_finite_and_training_reduces_them() -> None:
    torch.manual_seed(0)
    model = MusicVAE(TINY)
    batch, cond = _batch()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = model(batch, cond)["recon"].item()
    for _ in range(60):
        loss = model(batch, cond)["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert np.isfinite(first)
    assert model(batch, cond)["recon"].item() < first * 0.8


def test_missing_tracks_do_not_contribute_to_the_loss() -> None:
    model = MusicVAE(TINY)
    batch, cond = _batch(2)
    batch["present"] = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 0]], dtype=torch.float)
    before = model(batch, cond)
    batch["drums"] = 1 - batch["drums"]
    assert float(model(batch, cond)["drums"]) == pytest.approx(float(before["drums"])) == 0.0


@pytest.mark.parametrize("meter", range(len(METERS)))
def test_sampling_respects_meter_and_token_grammar(meter: int) -> None:
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(2, meter, 5, True, 3)
    out = model.generate(cond, 12, generator=torch.Generator().manual_seed(1))
    assert out.melody.shape == (3, 12, 16) and out.drums.shape == (3, 12, 16, 9)
    assert out.latent.shape == (3, 2, 8)
    spb = METERS[meter].steps_per_bar
    assert (out.melody[:, :, spb:] == REST).all() and (out.drums[:, :, spb:] == 0).all()
    flat = out.melody.reshape(3, -1)
    after_rest = flat[:, 1:][(flat[:, :-1] == REST)]
    assert not (after_rest == HOLD).any(), "a hold may only follow a note"
    assert (flat[:, 0] != HOLD).all()


def test_same_seed_same_output_and_every_style_samples() -> None:
    model = MusicVAE(TINY).eval()
    for style in STYLES:
        cond = Conditioning.single(style.index, 0, 0, False)
        a = model.generate(cond, 4, generator=torch.Generator().manual_seed(7))
        b = model.generate(cond, 4, generator=torch.Generator().manual_seed(7))
        assert torch.equal(a.melody, b.melody) and torch.equal(a.drums, b.drums)


def test_continuation_and_checkpoint_round_trip() -> None:
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(0, 0, 0, False)
    prompt = model.generate(cond, 8, generator=torch.Generator().manual_seed(3))
    cont = model.generate_continuation(prompt, cond, 4, generator=torch.Generator().manual_seed(3))
    assert cont.melody.shape == (1, 4, 16)
    clone = MusicVAE.from_checkpoint(model.checkpoint())
    again = clone.generate(cond, 8, generator=torch.Generator().manual_seed(3))
    assert torch.equal(again.melody, prompt.melody)
    assert (prompt.melody >= PITCH0).any()



def test_a_one_row_prompt_is_continued_once_for_every_row_of_the_condition() -> None:
    """Derived pieces write several continuations of one piece in one batch, ranked like compositions."""
    model = MusicVAE(TINY).eval()
    prompt = model.generate(Conditioning.single(0, 0, 0, False), 8, generator=torch.Generator().manual_seed(3))
    more = model.generate_continuation(prompt, Conditioning.single(0, 0, 0, False, 3), 8, latent_scale=1.0,
                                       generator=torch.Generator().manual_seed(4))
    assert more.melody.shape == (3, 8, 16)
    assert not torch.allclose(more.latent[0], more.latent[1])  # each walks on towards its own noise


def test_continuation_draws_its_fresh_latents_at_the_latent_scale() -> None:
    """At latent scale 0 the continuation's latents are the prompt's, walked towards no noise: the same
    whatever the seed; at 1 they differ with it."""
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(0, 0, 0, False)
    prompt = model.generate(cond, 8, generator=torch.Generator().manual_seed(3))

    def latents(scale: float, seed: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed)
        return model.generate_continuation(prompt, cond, 12, latent_scale=scale, generator=gen).latent

    assert torch.equal(latents(0.0, 1), latents(0.0, 2))
    assert not torch.allclose(latents(1.0, 1), latents(1.0, 2))

def test_a_bars_first_chord_is_predicted_from_the_chord_before_it() -> None:
    torch.manual_seed(0)
    model = MusicVAE(TINY).eval()
    batch, cond = _batch(1)
    z = torch.zeros(1, TINY.latent_dim)
    before = model.decode_logits(batch, cond, z)["chord_first"]
    batch["chords"][0, 2, 1] = (batch["chords"][0, 2, 1] + 1) % N_CHORDS
    after = model.decode_logits(batch, cond, z)["chord_first"]
    changed = [not torch.allclose(before[bar], after[bar]) for bar in range(8)]
    assert changed == [False, False, False, True, False, False, False, False]


def test_continuation_reads_the_prompts_last_chord() -> None:
    """With a chord head that only copies the chord before, the continuation opens on the prompt's last chord."""
    model = MusicVAE(TINY).eval()
    with torch.no_grad():
        emb = model.chord_emb.weight
        emb.copy_(emb / emb.norm(dim=-1, keepdim=True))
        model.chord_first.weight.zero_()
        model.chord_first.bias.zero_()
        model.chord_first.weight[:, TINY.conductor_hidden:] = 10 * emb[:N_CHORDS]
    cond = Conditioning.single(0, 0, 0, False, 3)
    prompt = model.generate(cond, 8, temperature=0.0)
    prompt.chords[:, -1, 1] = torch.tensor([5, 17, 40])
    cont = model.generate_continuation(prompt, cond, 2, temperature=0.0)
    assert cont.chords[:, 0, 0].tolist() == [5, 17, 40]


def test_a_bar_the_melody_head_silences_has_no_melody() -> None:
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(0, 0, 0, False, 4)
    with torch.no_grad():
        model.melody_sounds.weight.zero_()
        model.melody_sounds.bias.fill_(-50.0)
    assert (model.generate(cond, 8, generator=torch.Generator().manual_seed(0)).melody == REST).all()
    with torch.no_grad():
        model.melody_sounds.bias.fill_(50.0)
    assert (model.generate(cond, 8, generator=torch.Generator().manual_seed(0)).melody != REST).any()


def test_the_repeat_bonus_can_hold_one_chord_throughout() -> None:
    model = MusicVAE(TINY).eval()
    with torch.no_grad():
        model.chord_repeat.bias.fill_(50.0)
    cond = Conditioning.single(0, 0, 0, False, 3)
    chords = model.generate(cond, 12, generator=torch.Generator().manual_seed(2)).chords
    assert (chords == chords[:, :1, :1]).all()


@pytest.mark.parametrize("table", ["CHORD_TEMPERATURE", "CHORD_REPEAT_BIAS"])
def test_each_style_draws_its_chords_by_its_own_row_of_a_per_style_table(table: str) -> None:
    from engine.models import vae

    values = getattr(vae, table)
    assert set(values) == {s.name for s in STYLES}
    rows = torch.tensor([s.index for s in STYLES] * 2)
    assert vae.per_style(values, rows).tolist() == pytest.approx([values[s.name] for s in STYLES] * 2)


def test_a_colder_chord_temperature_repeats_chords_more() -> None:
    """Rock (0.5) against pop (1.0) with the same weights and latents: fewer chord changes."""
    torch.manual_seed(0)
    model = MusicVAE(TINY).eval()
    with torch.no_grad():
        model.cond.style.weight.zero_()  # the two styles differ only in their chord temperature
        for head in (model.chord_first, model.chord_second):
            head.weight.zero_()
            head.bias.zero_()
        model.chord_repeat.weight.zero_()
        model.chord_repeat.bias.fill_(4.0)  # repeating the chord before: e^4 against 1 for each other chord
    changes = {}
    for name in ("pop", "rock"):
        cond = Conditioning.single(get_style(name).index, 0, 0, False, 64)
        gen = model.generate(cond, 8, generator=torch.Generator().manual_seed(1))
        flat = gen.chords.reshape(64, -1)
        changes[name] = float((flat[:, 1:] != flat[:, :-1]).float().mean())
    assert changes["rock"] < changes["pop"]


@pytest.mark.parametrize("bias", [2.0, -2.0])
def test_a_repeat_bias_makes_a_style_hold_its_chords_longer_or_shorter(bias: float,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same weights, latents and draws, with and without a bias on the chord before: fewer changes for a
    positive bias, more for a negative one."""
    torch.manual_seed(0)
    model = MusicVAE(TINY).eval()
    with torch.no_grad():
        for head in (model.chord_first, model.chord_second):
            head.weight.zero_()
            head.bias.zero_()
        model.chord_repeat.weight.zero_()
        model.chord_repeat.bias.fill_(3.0)
    cond = Conditioning.single(get_style("folk").index, 0, 0, False, 64)
    changes = {}
    for weight in (0.0, bias):
        monkeypatch.setitem(CHORD_REPEAT_BIAS, "folk", weight)
        flat = model.generate(cond, 8, generator=torch.Generator().manual_seed(1)).chords.reshape(64, -1)
        changes[weight] = float((flat[:, 1:] != flat[:, :-1]).float().mean())
    assert (changes[bias] < changes[0.0]) if bias > 0 else (changes[bias] > changes[0.0])


def test_mode_guidance_leaves_major_keys_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(0, 0, 5, False, 4)
    written = {}
    for weight in (0.0, 2.0):
        monkeypatch.setattr("engine.models.vae.MODE_GUIDANCE", weight)
        written[weight] = model.generate(cond, 8, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(getattr(written[0.0], f), getattr(written[2.0], f)) for f in ("melody", "bass", "chords"))


def test_mode_guidance_writes_in_the_minor_mode_asked_for_more_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped VAE, 24 folk pieces asked for in minor keys (every tonic twice), the same latents."""
    from engine.candidates import read_key
    from engine.models.registry import load_model
    from engine.music.score import Meter
    from engine.settings import get_settings

    model = load_model("vae", get_settings().checkpoint_dir, torch.device("cpu"))
    cond = Conditioning(torch.full((24,), get_style("folk").index), torch.zeros(24, dtype=torch.long),
                        torch.arange(24) % 12, torch.ones(24, dtype=torch.long))
    minor = {}
    for weight in (0.0, 2.0):
        monkeypatch.setattr("engine.models.vae.MODE_GUIDANCE", weight)
        gen = model.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(0))
        keys = [read_key(gen.row(i), Meter(4, 4)) for i in range(24)]
        minor[weight] = sum(k is not None and k.is_minor for k in keys)
    assert minor[2.0] >= minor[0.0] + 6  # measured: 4 → 14 of 24


@pytest.mark.parametrize("multi_hot", [False, True])
def test_a_track_decoder_stepped_one_step_at_a_time_computes_what_it_does_over_a_whole_bar(multi_hot: bool) -> None:
    """Sampling steps the decoder one 16th at a time (through the bare GRU cell); training runs whole bars."""
    torch.manual_seed(0)
    decoder = TrackDecoder(10, 24, ctx_dim=6, chord_dim=5, multi_hot=multi_hot).eval()
    prev = torch.rand(3, 16, 11) if multi_hot else torch.randint(0, 12, (3, 16))
    chord, ctx = torch.randn(3, 16, 5), torch.randn(3, 6)
    with torch.no_grad():
        whole, h_whole = decoder(prev, chord, ctx)
        inputs, h, steps = decoder.bar_inputs(chord, ctx), decoder.initial_state(ctx), []
        for s in range(16):
            logits, h = decoder.step(prev[:, s], inputs[:, s], h)
            steps.append(logits)
    torch.testing.assert_close(torch.stack(steps, 1), whole)
    torch.testing.assert_close(h, h_whole[0])


def test_draw_picks_what_torch_multinomial_picks_for_the_same_generator() -> None:
    """Sampling's draws skip `torch.multinomial`'s checks, not its numbers: a seed writes the same piece."""
    probs = torch.softmax(torch.randn(36, 90, generator=torch.Generator().manual_seed(1)) * 3, -1)
    probs[:, :5] = 0  # tokens ruled out, as a hold after a rest is
    for seed in range(20):
        ours, theirs = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        assert torch.equal(draw(probs, ours), torch.multinomial(probs, 1, generator=theirs).squeeze(-1))
        assert torch.equal(torch.rand(4, generator=ours), torch.rand(4, generator=theirs))  # as many numbers used


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_a_seeds_cpu_generator_writes_the_piece_it_writes_on_the_cpu() -> None:
    """Composition seeds a CPU generator; the model may sit on a GPU (random numbers are drawn on the CPU)."""
    model = MusicVAE(TINY).eval()
    cond = Conditioning.single(1, 0, 9, True, 3).cat(Conditioning.single(0, 1, 0, False, 2))  # minor: guided
    on_cpu = model.sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(3))
    on_gpu = model.to("cuda").sample(cond, 8, latent_scale=0.5, generator=torch.Generator().manual_seed(3))
    assert on_gpu.melody.device.type == "cpu" and torch.equal(on_cpu.latent, on_gpu.latent)
    assert (on_cpu.chords == on_gpu.chords).float().mean() > 0.9  # the GPU's arithmetic may flip a rare draw
