"""Variation, continuation, interpolation and remix with the shipped VAE, from generations and from files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.candidates import read_key
from engine.compose import Composer, Composition
from engine.derive import Deriver, Parent, parent_of_upload, slerp, tokens_of
from engine.models.registry import load_style_tagger
from engine.music.midi import read_midi, write_midi
from engine.music.score import Meter, Note, Role, Score, Track
from engine.requests import RequestError, parse_request


@pytest.fixture(scope="module")
def pieces(composer: Composer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Composition]:
    out = tmp_path_factory.mktemp("parents")
    return {name: composer.compose(parse_request(text), out / name) for name, text in
            (("folk", "folk 8 bars seed 11"), ("jazz", "jazz 8 bars seed 12"), ("waltz", "waltz 8 bars seed 13"),
             ("minor", "folk in E minor 8 bars seed 14"))}


def _parent(comp: Composition) -> Parent:
    return Parent.of_generation(comp.id, comp.request, comp.seed, comp.model, read_midi(comp.files["midi"]),
                                comp.latent.numpy())


def _cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.dot(a.flatten(), b.flatten()) / (a.norm() * b.norm()))


def test_parent_recovers_the_key_compose_chose(pieces: dict[str, Composition]) -> None:
    comp = pieces["folk"]
    assert comp.request.key is None
    assert _parent(comp).request.key == comp.score.key


def test_variation_stays_near_its_parent(composer: Composer, pieces: dict[str, Composition], tmp_path: Path) -> None:
    parent = _parent(pieces["folk"])
    var = Deriver(composer).variation(parent, 5, out_dir=tmp_path)
    assert var.parents == (pieces["folk"].id,)
    assert (var.score.bars, var.score.meter, var.score.key) == (8, parent.score.meter, parent.request.key)
    assert _cosine(var.latent, pieces["folk"].latent) == pytest.approx(math.cos(0.5), abs=0.2)
    other = Deriver(composer).variation(parent, 6, out_dir=tmp_path / "b")
    assert _cosine(var.latent, pieces["folk"].latent) > _cosine(var.latent, torch.randn_like(var.latent))
    assert var.files["midi"].read_bytes() != other.files["midi"].read_bytes()


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_variation_and_remix_are_written_in_the_parents_key(composer: Composer, pieces: dict[str, Composition],
                                                            tmp_path: Path, seed: int) -> None:
    parent = _parent(pieces["folk"])
    asked = parent.request.key
    assert asked is not None
    var = Deriver(composer).variation(parent, seed, out_dir=tmp_path / "var")
    remix = Deriver(composer).remix(parent, parse_request("jazz"), seed, out_dir=tmp_path / "remix")
    for piece in (var, remix):
        written = read_key(tokens_of(piece.score), piece.score.meter)
        assert written is not None and set(written.scale) == set(asked.scale)  # its key or the relative one


def test_continuation_keeps_the_parent_and_adds_bars(composer: Composer, pieces: dict[str, Composition],
                                                      tmp_path: Path) -> None:
    parent = _parent(pieces["jazz"])
    cont = Deriver(composer).continuation(parent, 4, 7, out_dir=tmp_path)
    assert cont.score.bars == cont.request.bars == 12
    assert read_midi(cont.files["midi"]).bars == 12
    melody, before = cont.score.track(Role.MELODY), parent.score.track(Role.MELODY)
    assert melody is not None and before is not None
    first_bars = [n for n in melody.notes if n.start < 8 * 16]
    assert [(n.pitch, n.start) for n in first_bars] == [(n.pitch, n.start) for n in before.notes]
    assert any(n.start >= 8 * 16 for n in melody.notes)
    assert all(c != "N" for c in cont.tags["chords"][:8])  # the parent's bars get chords estimated
    with pytest.raises(RequestError, match="at most 64 bars"):
        Deriver(composer).continuation(parent, 60, 7, out_dir=tmp_path)


def test_interpolation_glides_between_its_parents(composer: Composer, pieces: dict[str, Composition],
                                                  tmp_path: Path) -> None:
    first, last = _parent(pieces["folk"]), _parent(pieces["jazz"])
    glide = Deriver(composer).interpolation(first, last, 3, 1, out_dir=tmp_path)
    assert glide.score.bars == 12 and glide.parents == (pieces["folk"].id, pieces["jazz"].id)
    assert torch.allclose(glide.latent[0, 0], pieces["folk"].latent[0, 0], atol=1e-5)
    assert torch.allclose(glide.latent[0, -1], pieces["jazz"].latent[0, 0], atol=1e-5)
    assert glide.score.key == first.request.key  # both parents in C major


def test_an_interpolation_between_two_keys_is_labelled_with_the_key_it_reads_as(
        composer: Composer, pieces: dict[str, Composition], tmp_path: Path) -> None:
    first, last = _parent(pieces["folk"]), _parent(pieces["minor"])
    assert first.request.key != last.request.key
    glide = Deriver(composer).interpolation(first, last, 4, 2, out_dir=tmp_path)
    assert glide.score.key is not None and str(glide.score.key) == glide.tags["key"]  # header and tags agree
    assert read_midi(glide.files["midi"]).key == glide.score.key
    assert glide.request.key == first.request.key  # what its own variations are conditioned on


def test_interpolation_refuses_what_it_cannot_glide_between(composer: Composer, pieces: dict[str, Composition],
                                                            tmp_path: Path) -> None:
    first, last = _parent(pieces["folk"]), _parent(pieces["jazz"])
    with pytest.raises(RequestError, match="same meter"):
        Deriver(composer).interpolation(first, _parent(pieces["waltz"]), 3, 1, out_dir=tmp_path)
    with pytest.raises(RequestError, match="steps"):
        Deriver(composer).interpolation(first, last, 1, 1, out_dir=tmp_path)


def test_slerp_keeps_the_norm_between_orthogonal_unit_vectors() -> None:
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    mid = slerp(a, b, 0.5)
    assert float(mid.norm()) == pytest.approx(1.0) and float(mid[0]) == pytest.approx(float(mid[1]))


def test_remix_rewrites_the_piece_in_another_style_and_meter(composer: Composer, pieces: dict[str, Composition],
                                                             tmp_path: Path) -> None:
    parent = _parent(pieces["waltz"])
    remix = Deriver(composer).remix(parent, parse_request("rock 140 bpm"), 3, out_dir=tmp_path)
    assert (remix.request.style, remix.request.tempo, remix.score.meter) == ("rock", 140, Meter(4, 4))
    assert remix.score.bars == 8 and remix.request.key == parent.request.key
    assert remix.score.track(Role.DRUMS) is not None


def test_an_uploaded_file_can_be_varied_without_latents(composer: Composer, pieces: dict[str, Composition],
                                                        tmp_path: Path) -> None:
    score = read_midi(pieces["folk"].files["midi"])
    parent = parent_of_upload(score, None, None, load_style_tagger(composer.settings.checkpoint_dir))
    assert parent.latent is None and parent.id is None and parent.request.bars == 8
    var = Deriver(composer).variation(parent, 2, out_dir=tmp_path)
    assert var.parents == () and var.latent.shape[-1] == 128


def test_uploads_that_cannot_be_worked_from_are_refused() -> None:
    silent = Score(meter=Meter(4, 4), bars=2, tracks=[Track(Role.MELODY, 0, [])])
    with pytest.raises(RequestError, match="no notes"):
        parent_of_upload(silent, None, "pop", None)
    five = Score(meter=Meter(5, 4), bars=2, tracks=[Track(Role.MELODY, 0, [Note(60, 0, 4, 90)])])
    with pytest.raises(RequestError, match="5/4"):
        parent_of_upload(five, None, "pop", None)


def test_tokens_of_reads_a_written_score_back(pieces: dict[str, Composition]) -> None:
    score = pieces["folk"].score
    tokens = tokens_of(read_midi(write_midi(score)))
    melody = score.track(Role.MELODY)
    assert melody is not None
    onsets = sorted({n.start for n in melody.notes})
    found = np.nonzero(tokens.melody[0].reshape(-1).numpy() >= 2)[0].tolist()
    assert found == onsets


@pytest.mark.parametrize("kind", ["variation", "remix", "continuation"])
def test_variations_remixes_and_continuations_are_written_several_at_once_and_the_best_kept(
        composer: Composer, pieces: dict[str, Composition], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        kind: str) -> None:
    """Like a composition, `derive_candidates` decodings in one batch, ranked by `Composer.best_of`."""
    offered: list[list[torch.Tensor]] = []
    kept: list[torch.Tensor] = []
    best_of = Composer.best_of

    def spy(self: Composer, candidates: list, request: object, arrangement: object) -> tuple:
        offered.append([c.melody for c in candidates])
        result = best_of(self, candidates, request, arrangement)  # type: ignore[arg-type]
        kept.append(result[0].latent)
        return result

    monkeypatch.setattr(Composer, "best_of", spy)
    parent, deriver = _parent(pieces["jazz"]), Deriver(composer)
    made = deriver.variation(parent, 8, out_dir=tmp_path) if kind == "variation" else \
        deriver.remix(parent, parse_request("lofi"), 8, out_dir=tmp_path) if kind == "remix" else \
        deriver.continuation(parent, 4, 8, out_dir=tmp_path)
    assert composer.settings.derive_candidates == 4 and len(offered) == 1 and len(offered[0]) == 4
    assert len({c.numpy().tobytes() for c in offered[0]}) == 4  # four different pieces
    assert torch.equal(made.latent, kept[0])
