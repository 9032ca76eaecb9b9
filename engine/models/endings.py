"""Ending a piece at home: the lean both models give a piece's last chord toward its key's tonic.

The models learnt from 8-bar windows cut anywhere and end off the tonic more often than not; at sampling, each
adds its own number of nats (`vae.ENDING_GUIDANCE`, `gan.ENDING_GUIDANCE`) to the odds of the home chords as the
last chord of a piece (the second half of its last bar), before the melody and bass are written over it, so they
come home with it. Measured in docs/models.md, "Endings"."""

from __future__ import annotations

import torch

from ..data.encoding import HOME_QUALITIES, METERS, N_CHORDS, REST, chord_token, segment_chroma
from ..mir.key import find_key
from ..music.score import Key
from .base import Conditioning

HOME_CHORDS = torch.zeros(2, 12, N_CHORDS)
"""[minor, tonic, chord token]: 1 for the chords a piece in that key ends on at home (`HOME_QUALITIES`)."""
for _minor, _qualities in HOME_QUALITIES.items():
    for _tonic in range(12):
        for _q in _qualities:
            HOME_CHORDS[int(_minor), _tonic, chord_token(_tonic, _q)] = 1.0


def lean_tonics(melody: torch.Tensor, bass: torch.Tensor, chords: torch.Tensor, cond: Conditioning) -> torch.Tensor:
    """[n]: per row, the tonic its last chord leans to: the asked key's, moved as composition will move the piece
    into that key (`candidates.in_asked_key`: by the distance between the major scales holding the key asked and
    the key the piece reads as, here the bars written so far [n, bars, ...] with the last bar's first chord)."""
    tonics = []
    for i in range(len(cond)):
        spb = METERS[int(cond.meter[i])].steps_per_bar
        found = find_key(segment_chroma(melody[i:i + 1].cpu().numpy(), bass[i:i + 1].cpu().numpy(),
                                        chords[i:i + 1].cpu().numpy(), spb)[0])
        asked = Key(int(cond.tonic[i]), "minor" if int(cond.minor[i]) else "major")
        tonics.append(asked.tonic if found is None else (asked.tonic - found.key.shift_to(asked)) % 12)
    return torch.tensor(tonics, dtype=torch.long)


def ending_bias(melody: torch.Tensor, bass: torch.Tensor, chords: torch.Tensor, cond: Conditioning,
                ends: torch.Tensor, guidance: float) -> torch.Tensor:
    """[n, N_CHORDS]: what the last chord's logits gain, `guidance` nats on the home chords of the tonic each row
    leans to (none for rows that do not end a piece, `ends` [n] bool), read from every bar of the piece [n, bars,
    ...] but the last bar's melody, bass and second chord (as if it held its first)."""
    if guidance <= 0:
        return torch.zeros(len(cond), N_CHORDS, device=chords.device)
    so_far = {"melody": melody.clone(), "bass": bass.clone(), "chords": chords.clone()}
    so_far["melody"][:, -1], so_far["bass"][:, -1] = REST, REST
    so_far["chords"][:, -1, 1] = so_far["chords"][:, -1, 0]
    tonic = lean_tonics(so_far["melody"], so_far["bass"], so_far["chords"], cond).to(chords.device)
    home = HOME_CHORDS.to(chords.device)[cond.minor.to(chords.device), tonic]
    return guidance * home * ends.to(chords.device).float().unsqueeze(-1)
