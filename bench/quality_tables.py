"""docs/models.md's quality tables from `cadenza evaluate --model M --json` outputs, one file per model.

Run: `python -m bench.quality_tables out/quality-vae.json out/quality-gan.json`; prints Markdown: per
model, every metric as generated / data per style (✗ outside the target), novelty, and a summary of
how many metrics each model keeps within 25% of the data in each style.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.evaluation.quality import flatten

LABELS = {
    "empty_bars_pct": "empty bars %", "used_pitch_classes": "used pitch classes per bar",
    "qualified_notes_pct": "qualified notes %", "qualified_notes_8th_pct": "notes ≥ an 8th %",
    "drum_pattern_pct": "drum pattern % (hits on 8ths)", "tonal_distance": "tonal distance",
    "chord_variety": "chords", "distinct_chords": "distinct per 8 bars",
    "repeated_bars_pct": "bars repeating the last bar's %",
    "pitch_class_entropy": "pitch-class entropy (bits)", "scale_consistency": "scale consistency",
    "polyphony": "polyphony", "groove_consistency": "groove consistency",
}


MUSEGAN_TABLE1 = {"empty_bars_pct.bass": 8.06, "empty_bars_pct.drums": 8.06, "used_pitch_classes.bass": 1.71,
                  "used_pitch_classes.chords": 3.28, "qualified_notes_pct.bass": 90.0, "drum_pattern_pct": 88.6}
"""MuseGAN's Table 1 (Dong et al., AAAI 2018), its training data (LPD, rock), where a track of ours has a
counterpart (our chords: its piano); on its 96-step grid, with its own drum-pattern definition."""


def label(key: str) -> str:
    head, _, track = key.partition(".")
    return f"{LABELS.get(head, head)}{', ' + LABELS.get(track, track) if track else ''}"


def fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def model_table(result: dict[str, Any]) -> str:
    styles = result["styles"]
    keys = list(flatten(next(iter(styles.values()))["data"]))
    lines = ["| metric | " + " | ".join(styles) + " | MuseGAN's data (its Table 1) |",
             "|---" * (len(styles) + 2) + "|"]
    for key in keys:
        cells = []
        for report in styles.values():
            gen, data = flatten(report["generated"]).get(key), flatten(report["data"]).get(key)
            mark = " ✗" if report["within_25pct"].get(key) is False else ""
            cells.append(f"{fmt(gen)} / {fmt(data)}{mark}")
        lines.append(f"| {label(key)} | " + " | ".join(cells) + f" | {fmt(MUSEGAN_TABLE1.get(key))} |")
    lines.append("| novelty (4-bar melodies not in the training data) | " + " | ".join(
        f"{fmt(r['novelty'])} ({r['novelty_windows']})" for r in styles.values()) + " | – |")
    return "\n".join(lines)


def summary(results: list[dict[str, Any]]) -> str:
    """Per style and model: metrics within the target out of those that apply, and novelty."""
    styles = list(results[0]["styles"])
    lines = ["| model | " + " | ".join(styles) + " |", "|---" * (len(styles) + 1) + "|"]
    for result in results:
        cells = []
        for style in styles:
            verdicts = [v for v in result["styles"][style]["within_25pct"].values() if v is not None]
            cells.append(f"{sum(verdicts)}/{len(verdicts)}, novelty {fmt(result['styles'][style]['novelty'])}")
        lines.append(f"| {result['model']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("reports", type=Path, nargs="+", help="JSON from `cadenza evaluate --model M --json`")
    results = [json.loads(path.read_text()) for path in parser.parse_args().reports]
    for result in results:
        print(f"### {result['model'].upper()}: generated / data (N = {result['n']}, {result['bars']} bars)\n")
        print(model_table(result) + "\n")
    print("### Within 25% of the data, per style\n")
    print(summary(results))


if __name__ == "__main__":
    main()
