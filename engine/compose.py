"""The compose service: a request in, a finished composition (MIDI, audio, image, MusicXML, tags) out."""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .arrange import Arrangement, arrange
from .candidates import (
    EMPTY_BAR_PENALTY,
    ENDING_BONUS,
    HEARD_AS_ASKED_BONUS,
    OTHER_KEY_PENALTY,
    OUT_OF_KEY_PENALTY,
    empty_melody_bars,
    ends_on_tonic,
    in_asked_key,
    in_key_share,
    silent_bass_bars,
)
from .data.encoding import meter_index
from .mir.features import extract_features
from .mir.key import key_of, reads_as
from .mir.tagger import StyleScores, StyleTagger, classify, windowed_views
from .mir.tags import basic_tags
from .models.base import Conditioning, Generated
from .models.registry import load_model, load_style_tagger
from .music.midi import write_midi
from .music.score import Key, Role, Score
from .personalization.taste import Taste, choose, taste_vector
from .render.audio import encode as encode_audio
from .render.audio import synthesize
from .render.musicxml import write_musicxml
from .render.pianoroll import render_pianoroll
from .requests import Request
from .settings import Settings, get_settings
from .styles import get_style

# Keys a style is usually written in, most common first; the model picks among them when none is asked.
_STYLE_TONICS = {"pop": (0, 7, 2, 9, 5), "rock": (4, 9, 7, 2, 0), "jazz": (5, 10, 3, 0, 7),
                 "blues": (4, 9, 7, 0, 5), "folk": (7, 2, 9, 0, 5), "classical": (0, 7, 2, 5, 10),
                 "lofi": (2, 9, 5, 0, 3)}
DEFAULT_MODEL = "vae"
FILE_KINDS = ("midi", "audio", "image", "musicxml")
"""The files a composition can have; `Composer.file_kinds` says which are written with it."""
_SUFFIXES = {"midi": "mid", "audio": "ogg", "image": "png", "musicxml": "musicxml"}


@dataclass
class Composition:
    """A finished generation and where its files are."""

    id: str
    request: Request
    model: str
    seed: int
    score: Score
    latent: torch.Tensor
    files: dict[str, Path] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    parents: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "request": self.request.to_dict(), "model": self.model, "seed": self.seed,
                "parents": list(self.parents), "files": {k: str(v) for k, v in self.files.items()},
                "tags": self.tags, "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()}}


def choose_key(request: Request, rng: random.Random) -> Key:
    """The requested key, else one of the style's usual tonics (major unless the mood says otherwise)."""
    if request.key is not None:
        return request.key
    return Key(rng.choice(_STYLE_TONICS[request.style]), "major")


@dataclass(frozen=True)
class Judged:
    """What ranking reads off one candidate besides its tokens."""

    verdict: StyleScores
    """The tagger's reading of what the model wrote (before any arrangement rule)."""
    arranged: Score
    """The candidate as it would be played (what taste reads)."""
    in_key: bool
    """Whether, arranged, it reads as the key (what the tags will say)."""


def model_views(gen: Generated, request: Request) -> list[dict[str, Score]]:
    """What the tagger hears of what a model wrote (row 0), before arrangement: the textures the request has, in
    8-bar windows, as the tagger was trained, side by side (every bar heard once where the bars allow; overlapping
    windows cost ranking a third more for 16 bars, docs/benchmarks.md)."""
    present = (True, False, True, Role.DRUMS in request.ensemble)
    return windowed_views(gen.melody[0].numpy(), gen.chords[0].numpy(), gen.drums[0].numpy(), request.meter, present,
                          hop_bars=8)


def placed(gen: Generated, arrangement: Arrangement) -> tuple[Score, bool]:
    """A candidate arranged, and whether it then reads as the key (what the tags will say)."""
    arranged = arrange(gen, arrangement)
    return arranged, arrangement.key is not None and reads_as(arranged, arrangement.key)


def promise(gen: Generated, request: Request, key: Key) -> float:
    """The part of a candidate's rank its tokens give (cheap to read): the bonus for ending on the tonic less the
    penalties for silent bars and notes out of key."""
    style = get_style(request.style).name
    return (ENDING_BONUS * ends_on_tonic(gen, key) - OUT_OF_KEY_PENALTY * (1 - in_key_share(gen, key, style))
            - EMPTY_BAR_PENALTY * (empty_melody_bars(gen) + (Role.BASS in request.ensemble) * silent_bass_bars(gen)))


def fitness(judged: Judged, style: str, promised: float) -> float:
    """A candidate's rank (see `Composer.generate`): the log-probability of the requested style, a bonus for
    being tagged as it, a penalty for reading as another key, and its `promise`."""
    return (math.log(max(judged.verdict.scores[style], 1e-9)) + HEARD_AS_ASKED_BONUS * (judged.verdict.label == style)
            - OTHER_KEY_PENALTY * (not judged.in_key) + promised)


@dataclass(frozen=True)
class Ranked:
    """A judged candidate: its index among the candidates, what ranking read off it, its rank."""

    index: int
    judged: Judged
    fitness: float


def rank(tagger: StyleTagger, candidates: list[Generated], request: Request, arrangement: Arrangement, key: Key,
         *, every: bool = False, start: int = 0) -> list[Ranked]:
    """Judge candidates (indexed from `start`), those whose `promise` is highest first; unless `every` (then all,
    in order), once the best so far is tagged as the style asked for and reads in the key, leave out those that
    could not outrank it (a log-probability is at most 0): stop at the first whose promise plus the tagging bonus
    falls short, and skip the tagger for one that, arranged, reads as another key and so falls short by the
    other-key penalty. The winner is the one judging them all would pick."""
    style = get_style(request.style).name
    promised = [promise(c, request, key) for c in candidates]
    reach = [p + HEARD_AS_ASKED_BONUS for p in promised]
    order = range(len(candidates)) if every else sorted(range(len(candidates)), key=lambda i: -reach[i])
    ranked: list[Ranked] = []
    for i in order:
        best = winner(ranked) if ranked else None
        bar = best.fitness if (not every and best is not None and best.judged.verdict.label == style
                               and best.judged.in_key) else -math.inf
        if bar > reach[i]:
            break
        arranged, in_key = placed(candidates[i], arrangement)
        if not in_key and bar > reach[i] - OTHER_KEY_PENALTY:
            continue
        judged = Judged(classify(tagger, model_views(candidates[i], request)), arranged, in_key)
        ranked.append(Ranked(start + i, judged, fitness(judged, style, promised[i])))
    return ranked


def winner(ranked: list[Ranked]) -> Ranked:
    """The highest rank; of equals, the first candidate."""
    return max(ranked, key=lambda r: (r.fitness, -r.index))


class Composer:
    """Turns requests into compositions with a loaded model; one per process, models loaded once."""

    def __init__(self, settings: Settings | None = None, file_kinds: tuple[str, ...] = FILE_KINDS) -> None:
        """`file_kinds`: the files each composition gets at once (others, such as the bot's MusicXML, are
        written on request by `write_files`)."""
        self.settings = settings or get_settings()
        self.file_kinds = file_kinds
        dev = self.settings.device
        self.device = torch.device("cuda" if dev == "auto" and torch.cuda.is_available() else
                                   "cpu" if dev == "auto" else dev)

    def generate(self, request: Request, seed: int,
                 taste: Taste | None = None) -> tuple[Generated, Arrangement, StyleScores | None]:
        """Run the model for a request and keep the best of several candidates; deterministic for a seed.

        The model writes its `candidates` (`Settings.candidates_for`) in one batch, each moved into the key's
        scale (`in_asked_key`); the style tagger scores what each one wrote (before any arrangement rule) and
        the key finder reads each one arranged. When none is both heard as the requested style and read as
        the key, the model writes its `extra_candidates` more in one more batch (for a minor key, all in the
        first). The winner has the
        best log-probability of the requested style, plus a bonus if that style is the tagger's label and one
        if its last chord is the key's tonic, less penalties for melody bars left empty, for notes outside the
        key and for reading as another key, plus (given a listener's taste) a Thompson draw of how much they
        would like each candidate.
        """
        rng = random.Random(seed)
        key = choose_key(request, rng)
        style = get_style(request.style)
        model_name = request.model or DEFAULT_MODEL
        model = load_model(model_name, self.settings.checkpoint_dir, self.device)
        tagger = load_style_tagger(self.settings.checkpoint_dir)
        generator = torch.Generator().manual_seed(seed)
        arrangement = Arrangement(style.name, float(request.tempo), request.meter, key, request.ensemble,
                                  style.swing, seed)

        def write(size: int) -> list[Generated]:
            """`size` pieces in one batch, each moved into the key's scale."""
            cond = Conditioning.single(style.index, meter_index(request.meter), key.tonic, key.is_minor, size)
            gen = model.sample(cond, request.bars, latent_scale=self.settings.latent_scale_for(model_name),
                               generator=generator)
            return [in_asked_key(gen.row(i), key, request.meter) for i in range(size)]

        if tagger is None:
            return write(1)[0], arrangement, None
        candidates: list[Generated] = []
        ranked: list[Ranked] = []
        first, extra = self.settings.candidates_for(model_name)
        first, extra = max(1, first), max(0, extra)
        if key.is_minor:  # the model seldom writes a minor key unaided: all at once (docs/benchmarks.md)
            first, extra = first + extra, 0
        for size in (first, extra):
            if size == 0 or any(r.judged.verdict.label == style.name and r.judged.in_key for r in ranked):
                break
            batch = write(size)
            ranked += rank(tagger, batch, request, arrangement, key, every=taste is not None, start=len(candidates))
            candidates += batch
        if taste is None:
            best = winner(ranked)
        else:  # every candidate was judged, in order
            liking = np.stack([taste_vector(extract_features(r.judged.arranged), candidates[r.index].latent[0].numpy())
                               for r in ranked])
            best = ranked[choose(liking, taste, np.array([r.fitness for r in ranked]), np.random.default_rng(seed))]
        return candidates[best.index], arrangement, best.judged.verdict

    def best_of(self, candidates: list[Generated], request: Request,
                arrangement: Arrangement) -> tuple[Generated, StyleScores | None]:
        """The candidate composition's ranking would keep (no taste), and the tagger's verdict on it: for the
        pieces derived from others (variations, remixes, continuations), written several at a time."""
        tagger = load_style_tagger(self.settings.checkpoint_dir)
        if tagger is None or arrangement.key is None:
            return candidates[0], None
        best = winner(rank(tagger, candidates, request, arrangement, arrangement.key))
        return candidates[best.index], best.judged.verdict

    def compose(self, request: Request, out_dir: Path | None = None, taste: Taste | None = None) -> Composition:
        """Compose, arrange, render and tag; files land in `out_dir` (default: settings.output_dir/ID)."""
        seed = request.seed if request.seed is not None else random.SystemRandom().randrange(2**31)
        started = time.perf_counter()
        gen, arrangement, verdict = self.generate(request, seed, taste)
        model_ms = (time.perf_counter() - started) * 1000
        return self.finish(request, seed, gen, arrangement, verdict, out_dir, model_ms=model_ms)

    def files_of(self, comp_id: str, out_dir: Path | None = None,
                 kinds: tuple[str, ...] | None = None) -> dict[str, Path]:
        """Where a composition's files of these kinds (default `file_kinds`) go (default folder: output_dir/ID)."""
        folder = out_dir or self.settings.output_dir / comp_id
        return {kind: folder / f"cadenza-{comp_id}.{_SUFFIXES[kind]}" for kind in kinds or self.file_kinds}

    def write_files(self, score: Score, comp_id: str, out_dir: Path | None = None,
                    timings: dict[str, float] | None = None, kinds: tuple[str, ...] | None = None) -> dict[str, Path]:
        """A score's files of these kinds (default `file_kinds`: MIDI, OGG audio, piano-roll PNG, MusicXML) in
        `out_dir` (default: output_dir/ID); the milliseconds each took go into `timings` when given."""
        timings = timings if timings is not None else {}
        files = self.files_of(comp_id, out_dir, kinds)
        next(iter(files.values())).parent.mkdir(parents=True, exist_ok=True)

        @contextmanager
        def timed(stage: str) -> Iterator[None]:
            t = time.perf_counter()
            yield
            timings[stage] = (time.perf_counter() - t) * 1000

        for kind, path in files.items():
            if kind == "midi":
                with timed("midi"):
                    write_midi(score, path)
            elif kind == "audio":
                with timed("render"):
                    audio = synthesize(score)
                with timed("encode"):
                    path.write_bytes(encode_audio(audio, self.settings.sample_rate, "ogg"))
            elif kind == "image":
                with timed("image"):
                    path.write_bytes(render_pianoroll(score))
            else:
                with timed("musicxml"):
                    path.write_bytes(write_musicxml(score))
        return files

    def style_verdict(self, gen: Generated, request: Request) -> StyleScores | None:
        """The tagger's reading of what the model wrote (row 0), before arrangement."""
        tagger = load_style_tagger(self.settings.checkpoint_dir)
        if tagger is None:
            return None
        return classify(tagger, model_views(gen, request))

    def finish(self, request: Request, seed: int, gen: Generated, arrangement: Arrangement,
               verdict: StyleScores | None, out_dir: Path | None = None, *, before: Score | None = None,
               parents: tuple[str, ...] = (), model_ms: float = 0.0) -> Composition:
        """Arrange what a model wrote (after `before`, when continuing a piece), write its files and tag it."""
        comp_id = uuid.uuid4().hex[:12]
        timings: dict[str, float] = {"model": model_ms}

        def timed(name: str, started: float) -> None:
            timings[name] = (time.perf_counter() - started) * 1000

        t = time.perf_counter()
        score = arrange(gen, arrangement)
        if before is not None:
            score = replace(before, swing=score.swing, humanize=score.humanize, seed=score.seed).then(score)
        if score.key is None:  # no one key was asked for (an interpolation between two): the key it reads as
            score = replace(score, key=key_of(score))
        timed("arrange", t)
        files = self.write_files(score, comp_id, out_dir, timings)
        t = time.perf_counter()
        tags = basic_tags(score)
        if verdict is not None:
            tags["style"] = verdict.to_json()
        features = extract_features(score)
        timed("tags", t)
        timings["total"] = sum(timings.values())
        return Composition(comp_id, request, request.model or DEFAULT_MODEL, seed, score, gen.latent,
                           files, tags, features, timings, parents)
