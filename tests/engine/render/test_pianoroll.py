import io

import numpy as np
import pytest
from PIL import Image

from engine.music.score import Meter, Score
from engine.render import render_pianoroll
from tests.engine.render.scores import demo_score

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _image(score: Score) -> Image.Image:
    data = render_pianoroll(score)
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_sixteen_bars_fit_a_discord_sized_png() -> None:
    image = _image(demo_score(bars=16))
    assert image.format == "PNG" and image.mode == "RGB"
    assert 1200 <= image.width <= 1600
    assert 300 <= image.height <= 900
    grey = np.asarray(image.convert("L"))
    assert grey[2, 2] < 60 and grey.max() > 200  # bright text on a dark background


@pytest.mark.parametrize(("bars", "meter"), [(1, Meter(4, 4)), (4, Meter(3, 4)), (8, Meter(6, 8))])
def test_short_and_odd_meters_render(bars: int, meter: Meter) -> None:
    image = _image(demo_score(bars=bars, meter=meter))
    assert 900 <= image.width <= 1600


def test_width_is_capped_for_long_scores() -> None:
    assert _image(demo_score(bars=64)).width <= 2400


def test_empty_score_still_renders() -> None:
    assert _image(Score(bars=2)).width >= 900
