"""Score → piano-roll PNG drawn with Pillow, dark-themed for Discord and legible on a phone.

Time runs left to right (bar lines strong, beat lines faint, bar numbers and chord symbols above),
pitched tracks share one keyboard spanning only the pitches used, drums sit in a lane below with
one row per drum sound. One colour per role; a legend and a title line with tempo, meter and key.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from engine.music.score import Role, Score, Track

MIN_PLOT_WIDTH, MAX_PLOT_WIDTH = 960, 2300
PX_PER_STEP = 5.0
PITCH_PLOT_HEIGHT = 520
ROW_MIN, ROW_MAX = 5, 16
DRUM_ROW = 14
PITCH_MARGIN = 2
LEFT, RIGHT, TOP, GAP, BOTTOM = 64, 24, 92, 12, 16
MIN_BEAT_PX = 8

BACKGROUND = (30, 31, 36)
PLOT_BG = (38, 40, 46)
BLACK_KEY_BG = (33, 34, 40)
C_ROW_LINE = (64, 67, 76)
BAR_LINE = (112, 116, 128)
BEAT_LINE = (52, 54, 62)
TEXT = (230, 231, 235)
MUTED = (150, 154, 165)
CHORD_TEXT = (255, 214, 120)
ROLE_COLOURS: dict[Role, tuple[int, int, int]] = {
    Role.MELODY: (255, 168, 76),
    Role.HARMONY: (102, 170, 255),
    Role.BASS: (90, 214, 140),
    Role.DRUMS: (240, 110, 130),
}
DRAW_ORDER = (Role.DRUMS, Role.HARMONY, Role.BASS, Role.MELODY)
DRUM_NAMES = {
    35: "Kick", 36: "Kick", 37: "Stick", 38: "Snare", 39: "Clap", 40: "Snare", 41: "Tom L",
    42: "Hat", 43: "Tom L", 44: "Hat ped", 45: "Tom M", 46: "Hat open", 47: "Tom M", 48: "Tom H",
    49: "Crash", 50: "Tom H", 51: "Ride", 52: "China", 53: "Ride bell", 54: "Tamb", 55: "Splash",
    56: "Cowbell", 57: "Crash", 59: "Ride", 69: "Cabasa", 70: "Maracas", 75: "Claves",
}
_BLACK_KEYS = {1, 3, 6, 8, 10}


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when installed (it is on Debian), else Pillow's built-in font."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class _Layout:
    """Pixel geometry of one piano roll."""

    steps: int
    step_px: float
    low: int
    high: int
    row: int
    drum_pitches: tuple[int, ...]

    @property
    def plot_width(self) -> int:
        return round(self.steps * self.step_px)

    @property
    def pitch_bottom(self) -> int:
        return TOP + (self.high - self.low + 1) * self.row

    @property
    def drum_top(self) -> int:
        return self.pitch_bottom + (GAP if self.drum_pitches else 0)

    @property
    def drum_bottom(self) -> int:
        return self.drum_top + len(self.drum_pitches) * DRUM_ROW

    @property
    def size(self) -> tuple[int, int]:
        return LEFT + self.plot_width + RIGHT, self.drum_bottom + BOTTOM

    def x(self, step: float) -> int:
        return LEFT + round(step * self.step_px)

    def pitch_y(self, pitch: int) -> int:
        """Top edge of the pitch's row."""
        return TOP + (self.high - pitch) * self.row


def _layout(score: Score) -> _Layout:
    steps = max(1, score.total_steps)
    width = min(MAX_PLOT_WIDTH, max(MIN_PLOT_WIDTH, steps * PX_PER_STEP))
    pitches = [n.pitch for t in score.tracks if not t.is_drum for n in t.notes] or [60, 72]
    low, high = min(pitches) - PITCH_MARGIN, max(pitches) + PITCH_MARGIN
    row = max(ROW_MIN, min(ROW_MAX, PITCH_PLOT_HEIGHT // (high - low + 1)))
    drums = sorted({n.pitch for t in score.tracks if t.is_drum for n in t.notes}, reverse=True)
    return _Layout(steps, width / steps, low, high, row, tuple(drums))


def _title(score: Score) -> str:
    parts = [f"{score.tempo:g} BPM", str(score.meter)]
    if score.key is not None:
        parts.append(str(score.key))
    parts.append(f"{score.bars} bars")
    if score.swing > 0:
        parts.append(f"swing {score.swing:.0%}")
    return "  ·  ".join(parts)


def _draw_keyboard(draw: ImageDraw.ImageDraw, lay: _Layout) -> None:
    """Row shading for black keys, a line and a label at every C."""
    right = LEFT + lay.plot_width
    for pitch in range(lay.low, lay.high + 1):
        y = lay.pitch_y(pitch)
        if pitch % 12 in _BLACK_KEYS:
            draw.rectangle((LEFT, y, right - 1, y + lay.row - 1), fill=BLACK_KEY_BG)
        if pitch % 12 == 0:
            draw.line((LEFT, y + lay.row - 1, right - 1, y + lay.row - 1), fill=C_ROW_LINE)
            draw.text((LEFT - 8, y + lay.row / 2), f"C{pitch // 12 - 1}", fill=MUTED,
                      font=_font(13), anchor="rm")


def _draw_drum_lane(draw: ImageDraw.ImageDraw, lay: _Layout) -> None:
    for i, pitch in enumerate(lay.drum_pitches):
        y = lay.drum_top + i * DRUM_ROW
        draw.rectangle((LEFT, y, LEFT + lay.plot_width - 1, y + DRUM_ROW - 1),
                       fill=PLOT_BG if i % 2 == 0 else BLACK_KEY_BG)
        draw.text((LEFT - 8, y + DRUM_ROW / 2), DRUM_NAMES.get(pitch, str(pitch)), fill=MUTED,
                  font=_font(11), anchor="rm")


def _draw_grid(draw: ImageDraw.ImageDraw, score: Score, lay: _Layout) -> None:
    """Beat and bar lines through both lanes, bar numbers above; both thinned out when crowded."""
    spb, beat = score.meter.steps_per_bar, score.meter.beat_steps
    bar_px = spb * lay.step_px
    label_every = next(n for n in (1, 2, 4, 8, 16) if bar_px * n >= 28)
    if beat * lay.step_px >= MIN_BEAT_PX:
        for step in range(beat, lay.steps, beat):
            if step % spb:
                _vline(draw, lay, lay.x(step), BEAT_LINE)
    for bar in range(score.bars + 1):
        _vline(draw, lay, lay.x(bar * spb), BAR_LINE)
        if bar < score.bars and bar % label_every == 0:
            draw.text((lay.x(bar * spb) + 4, TOP - 6), str(bar + 1), fill=MUTED, font=_font(12),
                      anchor="ls")


def _vline(draw: ImageDraw.ImageDraw, lay: _Layout, x: int, colour: tuple[int, int, int]) -> None:
    draw.line((x, TOP, x, lay.pitch_bottom - 1), fill=colour)
    if lay.drum_pitches:
        draw.line((x, lay.drum_top, x, lay.drum_bottom - 1), fill=colour)


def _draw_chords(draw: ImageDraw.ImageDraw, score: Score, lay: _Layout) -> None:
    """Chord symbols in the band above the bar numbers, skipping one that would overlap the last."""
    font, free_x = _font(17, bold=True), 0.0
    for chord in sorted(score.chords, key=lambda c: c.start):
        x = lay.x(chord.start) + 4
        if x >= free_x and chord.start < lay.steps:
            symbol = chord.spelled(score.key)
            draw.text((x, TOP - 24), symbol, fill=CHORD_TEXT, font=font, anchor="ls")
            free_x = x + draw.textlength(symbol, font=font) + 6


def _shade(colour: tuple[int, int, int], velocity: int) -> tuple[int, int, int]:
    """Softer notes blend toward the plot background."""
    t = 0.45 + 0.55 * min(127, max(1, velocity)) / 127
    r, g, b = (round(c * t + bg * (1 - t)) for c, bg in zip(colour, PLOT_BG, strict=True))
    return r, g, b


def _draw_notes(draw: ImageDraw.ImageDraw, track: Track, lay: _Layout) -> None:
    colour = ROLE_COLOURS[track.role]
    drum_rows = {p: i for i, p in enumerate(lay.drum_pitches)}
    for note in track.notes:
        if note.start >= lay.steps:
            continue
        x0, x1 = lay.x(note.start), lay.x(min(note.end, lay.steps)) - 1
        if track.is_drum:
            y0, height = lay.drum_top + drum_rows[note.pitch] * DRUM_ROW + 2, DRUM_ROW - 4
            x1 = max(x0 + 2, min(x1, x0 + 2 + round(lay.step_px)))
        else:
            y0, height = lay.pitch_y(note.pitch) + 1, max(2, lay.row - 2)
        draw.rectangle((x0 + 1, y0, max(x0 + 1, x1), y0 + height - 1), fill=_shade(colour, note.velocity))


def _draw_header(draw: ImageDraw.ImageDraw, score: Score, lay: _Layout) -> None:
    """Title at the top left, legend of the roles present at the top right."""
    draw.text((LEFT, 14), _title(score), fill=TEXT, font=_font(20, bold=True), anchor="lt")
    font, x = _font(15), LEFT + lay.plot_width
    present = [r for r in Role if any(t.role is r and t.notes for t in score.tracks)]
    for role in reversed(present):
        x -= round(draw.textlength(role.value, font=font))
        draw.text((x, 24), role.value, fill=TEXT, font=font, anchor="lm")
        x -= 20
        draw.rectangle((x, 18, x + 12, 30), fill=ROLE_COLOURS[role])
        x -= 18


def render_pianoroll(score: Score) -> bytes:
    """PNG bytes of the score's piano roll."""
    lay = _layout(score)
    image = Image.new("RGB", lay.size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((LEFT, TOP, LEFT + lay.plot_width - 1, lay.pitch_bottom - 1), fill=PLOT_BG)
    _draw_keyboard(draw, lay)
    _draw_drum_lane(draw, lay)
    _draw_grid(draw, score, lay)
    _draw_chords(draw, score, lay)
    for role in DRAW_ORDER:
        for track in score.tracks:
            if track.role is role:
                _draw_notes(draw, track, lay)
    _draw_header(draw, score, lay)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
