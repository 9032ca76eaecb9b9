import io
import threading

import numpy as np
import pytest
import soundfile

from engine.music.score import Meter, Note, Role, Score, Track
from engine.render import render_audio
from engine.render.audio import MAX_BYTES, TAIL_SECONDS, get_synth, synthesize
from engine.settings import get_settings
from tests.engine.render.scores import demo_score


def _decode(data: bytes) -> tuple[np.ndarray, int]:
    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return audio, rate


@pytest.mark.parametrize(("meter", "swing", "fmt"), [
    (Meter(4, 4), 0.0, "ogg"), (Meter(3, 4), 0.6, "ogg"), (Meter(4, 4), 1.0, "mp3"),
])
def test_audio_decodes_as_stereo_of_the_right_length(meter: Meter, swing: float, fmt: str) -> None:
    score = demo_score(bars=2, meter=meter, swing=swing)
    audio, rate = _decode(render_audio(score, fmt=fmt))  # type: ignore[arg-type]
    assert rate == get_settings().sample_rate
    assert audio.ndim == 2 and audio.shape[1] == 2
    assert abs(len(audio) / rate - (score.duration_seconds + TAIL_SECONDS)) < 0.1
    assert float(np.sqrt(np.mean(audio ** 2))) > 0.01
    assert float(np.abs(audio).max()) <= 1.0


def test_synthesis_is_normalised_to_minus_one_dbfs_without_clipping() -> None:
    audio = synthesize(demo_score(bars=1))
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert float(np.abs(audio).max()) == pytest.approx(10 ** (-1 / 20), rel=1e-4)


def test_same_score_gives_identical_bytes() -> None:
    score = demo_score(bars=2, swing=0.5)
    score.humanize, score.seed = 0.5, 7
    first = render_audio(score)
    synthesize(demo_score(bars=1, meter=Meter(3, 4)))  # a render in between must not leak state
    assert render_audio(score) == first


def test_concurrent_renders_are_serialised_and_identical() -> None:
    score = demo_score(bars=1)
    expected = render_audio(score)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(render_audio(score))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected, expected]


def test_soundfont_is_loaded_once() -> None:
    assert get_synth() is get_synth()


def test_swing_delays_the_offbeat_eighth() -> None:
    def onset(swing: float) -> float:
        hit = Score(tempo=120, bars=1, swing=swing, tracks=[Track(Role.MELODY, 0, [Note(72, 2, 2)])])
        audio = synthesize(hit)
        return int(np.argmax(np.abs(audio).max(axis=1) > 0.1)) / get_settings().sample_rate

    straight, swung = onset(0.0), onset(1.0)
    assert straight == pytest.approx(0.25, abs=0.01)
    assert swung == pytest.approx(1 / 3, abs=0.01)


def test_silent_score_renders_silence() -> None:
    audio, _ = _decode(render_audio(Score(bars=1)))
    assert float(np.abs(audio).max()) < 1e-3


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        render_audio(demo_score(bars=1), fmt="wav")  # type: ignore[arg-type]


def test_64_slow_bars_stay_under_the_size_limit() -> None:
    score = demo_score(bars=64, tempo=40)
    assert score.duration_seconds == 384.0
    assert len(render_audio(score)) < MAX_BYTES
