"""`/tag`: key, tempo, meter, chords, form and style of an uploaded MIDI, MusicXML or ABC file."""

from ._cog import setup

__all__ = ["setup"]
