"""Pieces made from other pieces through a model's latent space: variation, continuation,
interpolation and remix.

A parent is a piece as heard (its score, read back from its MIDI) with the request that made it
(or, for an upload, one built from its analysis) and, for a generation, the latents its model
drew. Where there are no latents of the model in use (an upload, or a piece by the other model),
the model embeds the parent's notes (the VAE encodes them; the GAN searches for its latent).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pretty_midi
import torch

from .arrange import Arrangement
from .candidates import in_asked_key
from .compose import DEFAULT_MODEL, Composer, Composition, choose_key
from .data.encoding import METERS, decode, encode, meter_index
from .mir.analysis import analyse
from .mir.loading import UnreadableFile, load_score_bytes
from .mir.tagger import StyleScores, StyleTagger, classify, score_views
from .models.base import BaseGenModel, Conditioning, Generated, walk
from .models.registry import load_model, load_style_tagger
from .music.score import Key, Role, Score
from .requests import Request, RequestError, parse_request
from .requests.request import LIMITS
from .styles import get_style

VARIATION_ANGLE = 0.5
"""How far a variation moves from its parent: the angle (radians) between the two latents."""
STEP_BARS = 4
"""Bars written from each point of an interpolation."""
MAX_BARS = 64


@dataclass(frozen=True)
class Parent:
    """A piece to derive from; `request.key` is the key it was written in."""

    id: str | None
    request: Request
    score: Score
    model: str
    latent: np.ndarray | None = None

    @classmethod
    def of_generation(cls, generation_id: str, request: Request, seed: int, model: str, score: Score,
                      latent: np.ndarray | None) -> Parent:
        """A stored generation (its key recovered as compose chose it, from the request and seed)."""
        key = choose_key(request, random.Random(seed))
        return cls(generation_id, replace(request, key=key), score, model, latent)


def parent_of_upload(score: Score, midi: pretty_midi.PrettyMIDI | None, style: str | None,
                     tagger: StyleTagger | None) -> Parent:
    """An uploaded piece as a parent: its key, tempo and meter read by analysis, its style asked for or
    tagged (pop when nothing can tell), its first 64 bars at most."""
    if score.meter not in METERS:
        raise RequestError(f"this piece is in {score.meter}; Cadenza writes "
                           + ", ".join(str(m) for m in METERS))
    if not any(t.notes for t in score.tracks):
        raise RequestError("this file has no notes to work from")
    analysis = analyse(score, midi=midi)
    if style is None:
        style = classify(tagger, score_views(score)).label if tagger is not None else "pop"
    low, high, _ = LIMITS["tempo"]
    bars = min(score.bars, MAX_BARS)
    request = parse_request("", style=style, bars=bars,
                            key=analysis.key.key if analysis.key else None,
                            tempo=int(min(max(round(analysis.tempo), low), high)), meter=score.meter)
    return Parent(None, replace(request, text=f"an uploaded {style} piece"), score.bar_slice(0, bars), DEFAULT_MODEL)


def tokens_of(score: Score) -> Generated:
    """A score in the models' encoding (one row; chords estimated where the score has no symbols)."""
    present = (score.track(Role.MELODY) is not None, score.track(Role.BASS) is not None, True,
               score.track(Role.DRUMS) is not None)
    seg = encode(score, present)
    as_row = [torch.from_numpy(np.asarray(a)).unsqueeze(0) for a in (seg.melody, seg.bass, seg.chords, seg.drums)]
    return Generated(as_row[0].long(), as_row[1].long(), as_row[2].long(), as_row[3].float(), torch.zeros(1, 0, 0))


def with_chords(score: Score) -> Score:
    """The score with chord symbols, estimated from its notes where it has none (a MIDI file)."""
    if score.chords:
        return score
    tokens = tokens_of(score)
    _, labels = decode(tokens.melody[0].numpy(), tokens.bass[0].numpy(), tokens.chords[0].numpy(),
                       tokens.drums[0].numpy(), score.meter, {})
    return replace(score, chords=labels)


def conditioning(request: Request, n: int = 1) -> Conditioning:
    key = request.key or Key(0, "major")
    return Conditioning.single(get_style(request.style).index, meter_index(request.meter), key.tonic,
                               key.is_minor, n)


def arrangement_for(request: Request, seed: int) -> Arrangement:
    style = get_style(request.style)
    return Arrangement(style.name, float(request.tempo), request.meter, request.key, request.ensemble,
                       style.swing, seed)


class Deriver:
    """Variation, continuation, interpolation and remix over a composer's models and finishing."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer

    def upload(self, data: bytes, name: str, style: str | None = None) -> Parent:
        """An uploaded file as a parent, parsed under the upload limits (UnreadableFile, naming the file, if
        refused; RequestError if it cannot be worked from)."""
        try:
            score, midi = load_score_bytes(data, name)
        except UnreadableFile as exc:
            raise UnreadableFile(f"{name}: {exc}") from None
        return parent_of_upload(score, midi, style, load_style_tagger(self.composer.settings.checkpoint_dir))

    def _model(self, name: str | None) -> BaseGenModel:
        return load_model(name or DEFAULT_MODEL, self.composer.settings.checkpoint_dir, self.composer.device)

    def latents(self, parent: Parent, model_name: str) -> torch.Tensor:
        """The parent's latents [1, sections, d] in `model_name`'s space (its own, or embedded)."""
        model = self._model(model_name)
        dim = model.latent_dim
        if parent.latent is not None and parent.model == model_name and parent.latent.size % dim == 0 \
                and parent.latent.size > 0:
            return torch.from_numpy(parent.latent.astype(np.float32)).view(1, -1, dim)
        return model.embed(tokens_of(parent.score), conditioning(parent.request))

    def _finish(self, request: Request, seed: int, gen: Generated, started: float, out_dir: Path | None,
                parents: tuple[str, ...], before: Score | None = None,
                verdict: StyleScores | None = None, one_key: bool = True) -> Composition:
        """Finish what a model wrote; `verdict`: the tagger's, when ranking has already read it; not `one_key`:
        the piece moves between keys, and is labelled with the key it reads as, not the request's."""
        verdict = verdict or self.composer.style_verdict(gen, request)
        model_ms = (time.perf_counter() - started) * 1000
        arrangement = arrangement_for(request, seed)
        return self.composer.finish(request, seed, gen, arrangement if one_key else replace(arrangement, key=None),
                                    verdict, out_dir, before=before, parents=parents, model_ms=model_ms)

    def _best(self, rows: list[Generated], request: Request, seed: int) -> tuple[Generated, StyleScores | None]:
        """Of the pieces a model wrote for `request`, the one ranking keeps, and the tagger's verdict on it."""
        return self.composer.best_of(rows, request, arrangement_for(request, seed))

    def variation(self, parent: Parent, seed: int, *, model: str | None = None, angle: float = VARIATION_ANGLE,
                  out_dir: Path | None = None) -> Composition:
        """The parent's latents moved by `angle` towards fresh noise, decoded with its request: `derive_candidates`
        such moves, the one ranking keeps."""
        started = time.perf_counter()
        name = model or parent.model
        generator = torch.Generator().manual_seed(seed)
        z = self.latents(parent, name)
        n = max(1, self.composer.settings.derive_candidates)
        noise = torch.randn((n, *z.shape[1:]), generator=generator) * self.composer.settings.latent_scale_for(name)
        moved = walk(z.repeat(n, 1, 1), noise, angle)
        request = replace(parent.request, model=name, seed=seed, bars=parent.score.bars)
        gen = self._model(name).generate(conditioning(request, n), request.bars, temperature=0.9,
                                         generator=generator, latent=moved)
        best, verdict = self._best(_rows_in_key(gen, request), request, seed)
        return self._finish(request, seed, best, started, out_dir, _ids(parent), verdict=verdict)

    def continuation(self, parent: Parent, bars: int, seed: int, *, model: str | None = None,
                     out_dir: Path | None = None) -> Composition:
        """The parent followed by `bars` new bars that the model writes on from its last section:
        `derive_candidates` continuations in one batch, the one ranking keeps (judging the new bars)."""
        total = parent.score.bars + bars
        if bars < 1 or total > MAX_BARS:
            raise RequestError(f"a continuation adds 1 to {MAX_BARS - parent.score.bars} bars to this "
                               f"{parent.score.bars}-bar piece (at most {MAX_BARS} bars in all), not {bars}")
        started = time.perf_counter()
        name = model or parent.model
        request = replace(parent.request, model=name, seed=seed, bars=total)
        generator = torch.Generator().manual_seed(seed)
        n = max(1, self.composer.settings.derive_candidates)
        gen = self._model(name).generate_continuation(
            tokens_of(parent.score), conditioning(request, n), bars, temperature=0.9,
            latent_scale=self.composer.settings.latent_scale_for(name), generator=generator)
        best, verdict = self._best([gen.row(i) for i in range(n)], request, seed)
        return self._finish(request, seed, best, started, out_dir, _ids(parent), before=with_chords(parent.score),
                            verdict=verdict)

    def interpolation(self, first: Parent, last: Parent, steps: int, seed: int, *, model: str | None = None,
                      out_dir: Path | None = None) -> Composition:
        """One piece of `steps` × 4 bars gliding (spherically) from the first parent's latent to the last's.

        The first half is conditioned on the first parent's style and key, the second half on the
        last's; tempo, meter and instruments are the first's."""
        if not 2 <= steps <= MAX_BARS // STEP_BARS:
            raise RequestError(f"steps must be between 2 and {MAX_BARS // STEP_BARS}, not {steps}")
        if first.request.meter != last.request.meter:
            raise RequestError(f"cannot interpolate between {first.request.meter} and {last.request.meter}: "
                               "the two pieces need the same meter")
        started = time.perf_counter()
        name = model or first.model
        ends = [self.latents(p, name)[0, 0] for p in (first, last)]
        path = torch.stack([slerp(ends[0], ends[1], t) for t in np.linspace(0.0, 1.0, steps)])
        rows = [first.request if i < steps / 2 else last.request for i in range(steps)]
        cond = Conditioning(*(torch.cat([getattr(conditioning(r), f) for r in rows])
                              for f in ("style", "meter", "tonic", "minor")))
        generator = torch.Generator().manual_seed(seed)
        written = self._model(name).generate(cond, STEP_BARS, temperature=0.9, generator=generator,
                                             latent=path.unsqueeze(1), ends=torch.arange(steps) == steps - 1)
        def joined(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(1, steps * STEP_BARS, *t.shape[2:])

        gen = Generated(joined(written.melody), joined(written.bass), joined(written.chords), joined(written.drums),
                        path.unsqueeze(0))
        half = (steps + 1) // 2 * STEP_BARS  # the bars conditioned on the first parent
        gen = _joined(_in_key(gen.bar_range(0, half), first.request), _in_key(gen.bar_range(half), last.request))
        text = f"{first.request.text} → {last.request.text}"
        request = replace(first.request, text=text, model=name, seed=seed, bars=steps * STEP_BARS)
        return self._finish(request, seed, gen, started, out_dir, _ids(first) + _ids(last),
                            one_key=first.request.key == last.request.key)

    def remix(self, parent: Parent, target: Request, seed: int, out_dir: Path | None = None) -> Composition:
        """The parent's latents decoded as `target` asks (its style, tempo, instruments, meter; key kept
        unless asked); as long as the parent: `derive_candidates` decodings, the one ranking keeps."""
        started = time.perf_counter()
        name = target.model or parent.model
        z = self.latents(parent, name)
        request = replace(target, model=name, seed=seed, bars=parent.score.bars,
                          key=target.key or parent.request.key, text=target.text)
        generator = torch.Generator().manual_seed(seed)
        n = max(1, self.composer.settings.derive_candidates)
        gen = self._model(name).generate(conditioning(request, n), request.bars, temperature=0.9,
                                         generator=generator, latent=z.repeat(n, 1, 1))
        best, verdict = self._best(_rows_in_key(gen, request), request, seed)
        return self._finish(request, seed, best, started, out_dir, _ids(parent), verdict=verdict)


def _rows_in_key(gen: Generated, request: Request) -> list[Generated]:
    """Each row a model wrote for `request`, moved into its key."""
    return [_in_key(gen.row(i), request) for i in range(int(gen.melody.shape[0]))]


def _in_key(gen: Generated, request: Request) -> Generated:
    """What a model wrote for `request`, moved into its key (see `candidates.in_asked_key`)."""
    return in_asked_key(gen, request.key, request.meter) if request.key is not None else gen


def _joined(a: Generated, b: Generated) -> Generated:
    """`a`'s bars then `b`'s (one row each; `a`'s latents)."""
    return Generated(torch.cat([a.melody, b.melody], 1), torch.cat([a.bass, b.bass], 1),
                     torch.cat([a.chords, b.chords], 1), torch.cat([a.drums, b.drums], 1), a.latent)


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation (MusicVAE's choice: it stays where the prior has its mass)."""
    cos = torch.clamp(torch.dot(a, b) / (a.norm() * b.norm() + 1e-9), -1.0, 1.0)
    omega = torch.acos(cos)
    if float(omega) < 1e-4:
        return a + (b - a) * t
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def _ids(parent: Parent) -> tuple[str, ...]:
    return (parent.id,) if parent.id else ()
