"""`cadenza bot`: refusing without a token, and a real run against the fake ended by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from cli.main import main
from tests.bot.conftest import TOKEN
from tests.bot.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("token", [None, "  "])
def test_without_a_token_it_refuses_on_one_line(token: str | None, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    if token is None:
        monkeypatch.delenv("CADENZA_DISCORD_TOKEN", raising=False)
    else:
        monkeypatch.setenv("CADENZA_DISCORD_TOKEN", token)
    assert main(["bot"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CADENZA_DISCORD_TOKEN" in err


async def start_cli_bot(fake: FakeDiscord, token: str, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "CADENZA_DISCORD_TOKEN": token, "CADENZA_DISCORD_API_BASE": fake.api_base,
           "CADENZA_DISCORD_GATEWAY_URL": fake.gateway_url, "CADENZA_DISCORD_GUILD_ID": str(fake.guild_id),
           "CADENZA_OUTPUT_DIR": str(tmp_path), "CADENZA_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "-v", "bot", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@pytest.mark.asyncio
async def test_it_runs_against_the_configured_server_and_stops_cleanly_on_sigterm(
        fake: FakeDiscord, tmp_path: Path) -> None:
    process = await start_cli_bot(fake, TOKEN, tmp_path)
    await fake.wait_for(fake.connected, timeout=60)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "synced 14 commands" in log and "stopping" in log
    assert (tmp_path / "bot.sqlite3").exists()  # the stored services opened and migrated it
    assert TOKEN not in log and TOKEN not in stdout.decode()


@pytest.mark.asyncio
async def test_a_token_the_server_refuses_is_bad_input(fake: FakeDiscord, tmp_path: Path) -> None:
    process = await start_cli_bot(fake, "wrong-token", tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines()[-1] == "cadenza: Discord refused the token in CADENZA_DISCORD_TOKEN"
    assert "wrong-token" not in stderr.decode()


def test_a_malformed_setting_is_bad_input_naming_the_variable(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CADENZA_DISCORD_TOKEN", "x")
    monkeypatch.setenv("CADENZA_DISCORD_GUILD_ID", "my-server")
    assert main(["bot"]) == 2
    assert capsys.readouterr().err.startswith("cadenza: CADENZA_DISCORD_GUILD_ID: Input should be a valid integer")
