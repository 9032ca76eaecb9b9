"""Compose latency, warm and in-process, split by stage; model throughput by batch size; peak RSS.

Run: `cadenza bench latency [--runs 20] [--bars 16] [--models vae,gan] [--request jazz]` (or `make bench`).
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from engine.compose import Composer
from engine.data.encoding import meter_index
from engine.models.base import Conditioning
from engine.models.registry import load_model
from engine.music.score import Meter
from engine.requests import parse_request
from engine.settings import get_settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def stage_latency(composer: Composer, text: str, runs: int) -> dict[str, dict[str, float]]:
    """p50/p95 per stage over `runs` compositions after one warm-up; `reply` is what a bot reply waits for
    (every stage but MusicXML, which the bot writes only when Score is pressed)."""
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        composer.compose(parse_request(text, seed=0), Path(tmp) / "warmup")
        for i in range(runs):
            result = composer.compose(parse_request(text, seed=i + 1), Path(tmp) / str(i))
            timings = {**result.timings_ms, "reply": result.timings_ms["total"] - result.timings_ms["musicxml"]}
            for stage, ms in timings.items():
                samples.setdefault(stage, []).append(ms)
    return {stage: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)}
            for stage, v in samples.items()}


def batch_throughput(composer: Composer, bars: int, model_name: str = "vae",
                     sizes: tuple[int, ...] = (1, 8, 32)) -> dict[int, float]:
    """Pieces per second from the model alone at each batch size."""
    model = load_model(model_name, composer.settings.checkpoint_dir, composer.device)
    out = {}
    for n in sizes:
        cond = Conditioning.single(2, meter_index(Meter(4, 4)), 0, False, n)
        model.generate(cond, bars, generator=torch.Generator().manual_seed(0))
        started = time.perf_counter()
        reps = max(1, 8 // n)
        for r in range(reps):
            model.generate(cond, bars, generator=torch.Generator().manual_seed(r))
        out[n] = round(n * reps / (time.perf_counter() - started), 2)
    return out


def latency_report(runs: int = 20, bars: int = 16, models: tuple[str, ...] = ("vae",),
                   request: str = "jazz") -> dict[str, Any]:
    """Everything docs/benchmarks.md records for the compose path, measured now on this machine, per model,
    for "`request` `bars` bars"; the peak RSS is of the one process with all of them (and the tagger) loaded."""
    settings = get_settings()
    composer = Composer(settings)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch thread(s), "
                   f"device {composer.device}",
        "request": f"{request} {bars} bars",
        "models": {name: {"stages_ms": stage_latency(composer, f"{request} {bars} bars {name}", runs),
                          "model_pieces_per_s_by_batch": batch_throughput(composer, bars, name)}
                   for name in models},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
