"""Score → stereo audio through FluidSynth and the General MIDI soundfont, encoded as OGG Vorbis or MP3.

The soundfont is loaded once per process and sample rate (`get_synth`); a render replays the
performance of `to_pretty_midi(score)` (so swing and humanisation are heard) event by event, writing
float samples straight into one buffer between events. FluidSynth applies events on its 64-sample
block boundaries, so timing is exact to about 1.5 ms.
"""

from __future__ import annotations

import io
import threading
import zlib
from ctypes import c_int, c_void_p
from dataclasses import dataclass
from typing import Literal

import fluidsynth
import numpy as np
import soundfile

from engine.music.midi import to_pretty_midi
from engine.music.score import Role, Score
from engine.settings import get_settings

TAIL_SECONDS = 1.5
PEAK_DBFS = -1.0
SILENCE = 1e-4  # peaks below this (-80 dBFS) are the reverb's noise floor, not music
MAX_BYTES = 10 * 1024 * 1024
AudioFormat = Literal["ogg", "mp3"]
DRUM_CHANNEL = 9
DRUM_BANK = 128
# (soundfile compression_level, nominal kbit/s at 44.1 kHz stereo), best first. For Vorbis the level is
# 1 - quality (0.6 = quality 0.4, variable bitrate); for MP3 it picks a constant bitrate.
QUALITY_LADDER: dict[AudioFormat, tuple[tuple[float, int], ...]] = {
    "ogg": ((0.6, 128), (0.7, 112), (0.8, 104), (0.9, 85)),
    "mp3": ((0.5, 160), (0.7, 112), (0.8, 96), (0.9, 56)),
}
_SIZE_HEADROOM = 1.15  # Vorbis is variable-rate: keep room over the nominal size
_OGG_SERIAL = 0x43414445  # libsndfile picks a random Ogg stream serial; a constant keeps bytes reproducible
_BIT_REVERSED = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))
_SYNTH_GAIN = 0.4
_ENCODE_BLOCK = 65536
_CHANNELS = 16
_PITCHED_CHANNELS = tuple(c for c in range(_CHANNELS) if c != DRUM_CHANNEL)
_CC_VOLUME, _CC_PAN, _CC_REVERB, _CC_CHORUS = 7, 10, 91, 93

# FluidSynth calls pyfluidsynth does not wrap: float output, and sharing one loaded soundfont.
_write_float = fluidsynth.cfunc(
    "fluid_synth_write_float", c_int, ("synth", c_void_p, 1), ("len", c_int, 1),
    ("lout", c_void_p, 1), ("loff", c_int, 1), ("lincr", c_int, 1),
    ("rout", c_void_p, 1), ("roff", c_int, 1), ("rincr", c_int, 1))
_add_sfont = fluidsynth.cfunc(
    "fluid_synth_add_sfont", c_int, ("synth", c_void_p, 1), ("sfont", c_void_p, 1))
_remove_sfont = fluidsynth.cfunc(
    "fluid_synth_remove_sfont", c_int, ("synth", c_void_p, 1), ("sfont", c_void_p, 1))


@dataclass(frozen=True)
class ChannelMix:
    """Per-channel controller values (0–127): volume, pan (64 = centre), reverb and chorus sends."""

    volume: int
    pan: int
    reverb: int
    chorus: int


MIX: dict[Role, ChannelMix] = {
    Role.MELODY: ChannelMix(volume=112, pan=76, reverb=48, chorus=20),
    Role.HARMONY: ChannelMix(volume=84, pan=48, reverb=64, chorus=40),
    Role.BASS: ChannelMix(volume=108, pan=64, reverb=12, chorus=0),
    Role.DRUMS: ChannelMix(volume=96, pan=64, reverb=32, chorus=0),
}


@dataclass(frozen=True, order=True)
class _Event:
    """A note on or off at a sample index; offs sort before ons at the same instant."""

    sample: int
    is_on: bool
    channel: int
    pitch: int
    velocity: int


class Synthesizer:
    """A soundfont loaded once; each render plays it through a fresh FluidSynth engine.

    A fresh engine per render (about a millisecond to create) starts with empty voices, reverb and
    chorus, so the same score always gives the same samples. The loaded soundfont is shared by
    those engines one at a time: `render` holds a lock for its whole duration.
    """

    def __init__(self, soundfont_path: str, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._holder = fluidsynth.Synth(samplerate=sample_rate, channels=_CHANNELS)
        sfid = self._holder.sfload(soundfont_path)
        if sfid < 0:
            raise FileNotFoundError(f"could not load soundfont {soundfont_path!r}")
        self._sfont = fluidsynth.fluid_synth_get_sfont_by_id(self._holder.synth, sfid)

    def render(self, score: Score) -> np.ndarray:
        """Float32 stereo samples [n, 2] of the performance plus the release tail, not normalised."""
        events, channels = self._plan(score)
        out = np.zeros((round((score.duration_seconds + TAIL_SECONDS) * self.sample_rate), 2),
                       dtype=np.float32)
        with self._lock:
            fs = fluidsynth.Synth(gain=_SYNTH_GAIN, samplerate=self.sample_rate, channels=_CHANNELS,
                                  **{"synth.reverb.active": 1, "synth.chorus.active": 1})
            try:
                self._setup(fs, _add_sfont(fs.synth, self._sfont), channels)
                position = 0
                for event in events:
                    _write(fs, out, position, event.sample)
                    position = event.sample
                    if event.is_on:
                        fs.noteon(event.channel, event.pitch, event.velocity)
                    else:
                        fs.noteoff(event.channel, event.pitch)
                _write(fs, out, position, len(out))
            finally:
                self._release(fs)
        return out

    def _plan(self, score: Score) -> tuple[list[_Event], dict[int, tuple[int, Role]]]:
        """Sorted note events and each channel's (program, role); 16+ pitched tracks share channels."""
        pm = to_pretty_midi(score)
        events: list[_Event] = []
        channels: dict[int, tuple[int, Role]] = {}
        pitched = 0
        for track, inst in zip(score.tracks, pm.instruments, strict=False):
            if track.is_drum:
                channel = DRUM_CHANNEL
            else:
                channel = _PITCHED_CHANNELS[pitched % len(_PITCHED_CHANNELS)]
                pitched += 1
            channels.setdefault(channel, (inst.program, track.role))
            for n in inst.notes:
                events.append(_Event(self._sample(n.start), True, channel, n.pitch, n.velocity))
                events.append(_Event(self._sample(n.end), False, channel, n.pitch, 0))
        events.sort()
        return events, channels

    def _sample(self, seconds: float) -> int:
        return round(seconds * self.sample_rate)

    @staticmethod
    def _setup(fs: fluidsynth.Synth, sfid: int, channels: dict[int, tuple[int, Role]]) -> None:
        """Effects, then each channel's program and mix."""
        fs.set_reverb(roomsize=0.55, damping=0.4, width=0.9, level=0.7)
        fs.set_chorus(nr=3, level=1.5, speed=0.4, depth=6.0, type=0)
        for channel, (program, role) in channels.items():
            if channel == DRUM_CHANNEL:
                fs.program_select(channel, sfid, DRUM_BANK, 0)
            else:
                fs.program_select(channel, sfid, 0, program)
            mix = MIX[role]
            for control, value in ((_CC_VOLUME, mix.volume), (_CC_PAN, mix.pan),
                                   (_CC_REVERB, mix.reverb), (_CC_CHORUS, mix.chorus)):
                fs.cc(channel, control, value)

    def _release(self, fs: fluidsynth.Synth) -> None:
        """Hand the shared soundfont back and free the engine (unset programs: no lookup warnings)."""
        for channel in range(_CHANNELS):
            fs.program_unset(channel)
        _remove_sfont(fs.synth, self._sfont)
        fs.delete()


def _write(fs: fluidsynth.Synth, out: np.ndarray, start: int, stop: int) -> None:
    """Synthesise frames [start, stop) straight into the interleaved float buffer `out`."""
    if stop > start:
        _write_float(fs.synth, stop - start, out.ctypes.data, 2 * start, 2, out.ctypes.data, 2 * start + 1, 2)


_synths: dict[tuple[str, int], Synthesizer] = {}
_synths_lock = threading.Lock()


def get_synth(soundfont_path: str | None = None, sample_rate: int | None = None) -> Synthesizer:
    """The process-wide synthesizer for a soundfont and rate (defaults from settings), created once."""
    settings = get_settings()
    key = (soundfont_path or settings.soundfont, sample_rate or settings.sample_rate)
    with _synths_lock:
        if key not in _synths:
            _synths[key] = Synthesizer(*key)
        return _synths[key]


def normalise(audio: np.ndarray, peak_dbfs: float = PEAK_DBFS) -> np.ndarray:
    """Scale so the loudest sample sits at `peak_dbfs`; near-silence (effects noise only) is left alone."""
    peak = float(np.max(np.abs(audio), initial=0.0))
    if peak < SILENCE:
        return audio
    return (audio * (10 ** (peak_dbfs / 20) / peak)).astype(np.float32)


def synthesize(score: Score) -> np.ndarray:
    """The score's performance as float32 stereo [n, 2], peaks at about -1 dBFS."""
    return normalise(get_synth().render(score))


def encode(audio: np.ndarray, sample_rate: int, fmt: AudioFormat = "ogg") -> bytes:
    """OGG Vorbis or MP3 bytes at the best listed quality whose size stays under MAX_BYTES."""
    if fmt not in QUALITY_LADDER:
        raise ValueError(f"unsupported audio format {fmt!r}; use one of {sorted(QUALITY_LADDER)}")
    seconds = len(audio) / sample_rate
    ladder = QUALITY_LADDER[fmt]
    fitting = [level for level, kbps in ladder if kbps * 1000 / 8 * seconds * _SIZE_HEADROOM < MAX_BYTES]
    data = b""
    for level in fitting or [ladder[-1][0]]:
        data = _encode_once(audio, sample_rate, fmt, level)
        if len(data) < MAX_BYTES:
            break
    return data


def _encode_once(audio: np.ndarray, sample_rate: int, fmt: AudioFormat, compression: float) -> bytes:
    """One encoding pass, fed in blocks: one huge write overflows libvorbis's stack (a known crash)."""
    buffer = io.BytesIO()
    options = ({"format": "OGG", "subtype": "VORBIS"} if fmt == "ogg" else
               {"format": "MP3", "subtype": "MPEG_LAYER_III", "bitrate_mode": "CONSTANT"})
    with soundfile.SoundFile(buffer, "w", sample_rate, 2, compression_level=compression,
                             **options) as sink:
        for start in range(0, len(audio), _ENCODE_BLOCK):
            sink.write(audio[start:start + _ENCODE_BLOCK])
    return _fixed_ogg_serial(buffer.getvalue()) if fmt == "ogg" else buffer.getvalue()


def _fixed_ogg_serial(data: bytes) -> bytes:
    """The Ogg stream with libsndfile's random stream serial replaced by a constant, CRCs redone."""
    out = bytearray(data)
    pos = 0
    while out[pos:pos + 4] == b"OggS":
        segments = out[pos + 26]
        size = 27 + segments + sum(out[pos + 27:pos + 27 + segments])
        out[pos + 14:pos + 18] = _OGG_SERIAL.to_bytes(4, "little")
        out[pos + 22:pos + 26] = bytes(4)
        out[pos + 22:pos + 26] = _ogg_crc(bytes(out[pos:pos + size])).to_bytes(4, "little")
        pos += size
    return bytes(out)


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, MSB first, no init or final xor) through zlib."""
    reflected = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{reflected:032b}"[::-1], 2)


def render_audio(score: Score, fmt: AudioFormat = "ogg") -> bytes:
    """The score rendered and encoded: "ogg" (Vorbis, default) or "mp3"."""
    return encode(synthesize(score), get_synth().sample_rate, fmt)
