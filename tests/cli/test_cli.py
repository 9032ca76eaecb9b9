"""The `cadenza` command line: JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", "爵士 16小节", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["style"] == "jazz" and data["bars"] == 16


@pytest.mark.parametrize(("argv", "needle"), [
    (["parse", "jaz 8 bars"], "did you mean 'jazz'"),
    (["parse", "jazz 65 bars"], "1–64"),
    (["compose", "rock", "--tempo", "300"], "40–240"),
    (["compose", "waltz 5/4"], "5/4"),
    (["nosuchcommand"], "invalid choice"),
    (["rate", "0123456789ab", "9", "--user", "u"], "use 1–5, up or down"),
    (["prefs"], "--user"),
])
def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1


def test_compose_json_lists_files_tags_and_timings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "compose", "blues 4 bars", "--seed", "4", "--out", str(tmp_path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"id", "request", "model", "seed", "files", "tags", "timings_ms"}
    assert data["seed"] == 4 and data["model"] == "vae" and data["request"]["style"] == "blues"
    for path in data["files"].values():
        assert Path(path).stat().st_size > 0
    assert {"key", "tempo", "meter", "chords"} <= set(data["tags"])


def test_styles_lists_every_style(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "styles", "--json")
    names = [s["name"] for s in json.loads(out)["styles"]]
    assert code == 0 and {"jazz", "blues", "pop", "rock", "folk", "classical", "lofi"} <= set(names)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_tiny_training_run_writes_a_loadable_checkpoint(tmp_path: Path, jsb_cache: Path, model: str) -> None:
    env = {**os.environ, "CADENZA_CACHE_DIR": str(jsb_cache)}
    out = tmp_path / "tiny.pt"
    proc = subprocess.run([sys.executable, "-m", "cli.main", "train", model, "--tiny", "--steps", "4",
                           "--batch-size", "8", "--sources", "jsb", "--out", str(out), "--json"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    import torch

    from engine.models.gan import MuseGAN
    from engine.models.vae import MusicVAE

    loaded = (MusicVAE if model == "vae" else MuseGAN).from_checkpoint(torch.load(out, weights_only=False))
    assert loaded.latent_dim == (8 if model == "vae" else 2 * 4 + 2 * 4 * 2)
    log_lines = out.with_suffix(".log.jsonl").read_text().splitlines()
    assert json.loads(log_lines[-1])["step"] == 4


def test_user_commands_record_rate_explain_and_forget(tmp_path: Path) -> None:
    env = {**os.environ, "CADENZA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"}

    def cadenza(*argv: str) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-m", "cli.main", *argv, "--json"], capture_output=True, text=True,
                              env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        data: dict[str, Any] = json.loads(proc.stdout)
        return data

    piece = cadenza("compose", "lofi 2 bars", "--seed", "1", "--user", "ana", "--out", str(tmp_path / "o"))
    assert cadenza("rate", piece["id"], "up", "--user", "ana")["votes"] == 1
    assert cadenza("rate", piece["id"], "2", "--user", "ana")["mean"] == 2.0  # re-rating replaces
    assert cadenza("prefs", "--user", "ana")["ratings"] == 1
    assert [g["id"] for g in cadenza("history", "--user", "ana")["generations"]] == [piece["id"]]
    assert cadenza("forget", "--user", "ana")["deleted"]["generations"] == 1
    assert cadenza("history", "--user", "ana")["generations"] == []


def test_derived_commands_print_compose_json_and_refuse_unknown_ids(tmp_path: Path) -> None:
    env = {**os.environ, "CADENZA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"}

    def cadenza(*argv: str, code: int = 0) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-m", "cli.main", *argv, "--json"], capture_output=True, text=True,
                              env=env, timeout=300)
        assert proc.returncode == code, proc.stderr
        if code:
            assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
            return {"error": proc.stderr}
        data: dict[str, Any] = json.loads(proc.stdout)
        return data

    a = cadenza("compose", "rock 4 bars", "--seed", "1", "--out", str(tmp_path / "a"))
    b = cadenza("compose", "pop 4 bars", "--seed", "2", "--out", str(tmp_path / "b"))
    var = cadenza("variation", a["id"], "--seed", "3", "--out", str(tmp_path / "v"))
    assert var["parents"] == [a["id"]] and var["request"]["bars"] == 4 and Path(var["files"]["audio"]).exists()
    assert cadenza("continue", a["id"], "--bars", "2", "--out", str(tmp_path / "c"))["request"]["bars"] == 6
    glide = cadenza("interpolate", a["id"], b["id"], "--steps", "2", "--out", str(tmp_path / "i"))
    assert glide["parents"] == [a["id"], b["id"]] and glide["request"]["bars"] == 8
    from_file = cadenza("remix", a["files"]["midi"], "jazz", "--out", str(tmp_path / "r"))
    assert from_file["request"]["style"] == "jazz" and from_file["parents"] == []
    assert "no generation" in cadenza("variation", "000000000000", code=2)["error"]
    assert "at most 64 bars" in cadenza("continue", a["id"], "--bars", "99", code=2)["error"]
    (tmp_path / "bad.mid").write_bytes(b"not a midi file")
    assert "bad.mid" in cadenza("variation", str(tmp_path / "bad.mid"), code=2)["error"]


def test_training_resumes_from_a_checkpoint_at_the_step_it_reached(tmp_path: Path, jsb_cache: Path) -> None:
    env = {**os.environ, "CADENZA_CACHE_DIR": str(jsb_cache)}
    out = tmp_path / "tiny.pt"
    common = ["train", "vae", "--tiny", "--batch-size", "8", "--sources", "jsb", "--json"]
    first = subprocess.run([sys.executable, "-m", "cli.main", *common, "--steps", "4", "--out", str(out)],
                           capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    again = tmp_path / "again.pt"
    (tmp_path / "again.log.jsonl").write_text(out.with_suffix(".log.jsonl").read_text())
    second = subprocess.run([sys.executable, "-m", "cli.main", *common, "--steps", "8", "--resume", str(out),
                             "--out", str(again)], capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0, second.stderr
    import torch

    data = torch.load(again, weights_only=False)
    assert data["train_config"]["step_reached"] == 8
    assert [h["step_reached"] for h in data["train_config"]["history"]] == [4]
    steps = [json.loads(line)["step"] for line in again.with_suffix(".log.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 8]  # the first run logged every 2 steps, the second every 4
