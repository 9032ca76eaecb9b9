"""docs/models.md's quality tables, from `cadenza evaluate --json` output."""

from __future__ import annotations

from bench.quality_tables import model_table, summary


def _result() -> dict:
    def report(gen_bass: float, within: bool) -> dict:
        return {"generated": {"empty_bars_pct": {"bass": gen_bass}, "drum_pattern_pct": 70.0},
                "data": {"empty_bars_pct": {"bass": 1.5}, "drum_pattern_pct": None},
                "within_25pct": {"empty_bars_pct.bass": within, "drum_pattern_pct": None},
                "novelty": 1.0, "novelty_windows": 400}
    return {"model": "vae", "n": 2, "bars": 16, "styles": {"pop": report(0.4, False), "folk": report(1.2, True)}}


def test_each_metric_reads_generated_over_data_with_misses_marked_and_musegans_reference_beside() -> None:
    lines = model_table(_result()).splitlines()
    assert lines[0] == "| metric | pop | folk | MuseGAN's data (its Table 1) |"
    assert lines[2] == "| empty bars %, bass | 0.40 / 1.50 ✗ | 1.20 / 1.50 | 8.06 |"
    assert lines[3] == "| drum pattern % (hits on 8ths) | 70.0 / – | 70.0 / – | 88.6 |"
    assert lines[4].endswith("| 1.00 (400) | 1.00 (400) | – |")


def test_the_summary_counts_the_metrics_within_target_of_those_that_apply() -> None:
    assert summary([_result()]).splitlines()[2] == "| vae | 0/1, novelty 1.00 | 1/1, novelty 1.00 |"
