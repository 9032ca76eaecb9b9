"""Rendering a `Score` for people: audio, a piano-roll picture and MusicXML notation."""

from .audio import render_audio
from .musicxml import write_musicxml
from .pianoroll import render_pianoroll

__all__ = ["render_audio", "render_pianoroll", "write_musicxml"]
