"""A style-conditional, hierarchical MusicVAE-style model over multi-track bars.

Encoder: a bidirectional GRU over every 16th step of the segment (melody, bass, chord, drums).
Decoder: a conductor GRU turns the latent into one embedding per bar; from each bar embedding a
chord head picks the half-bar chords (the first given the chord before it, the second given the
first), a melody head decides whether the bar has melody at all, and three small autoregressive
GRUs write the bar's melody (given the chords and that decision), bass (given the chords) and
drums. Tracks talk to each other only through the bar embedding and the chords, so sources that
lack a track (drum-only grooves, lead sheets without bass) train the parts they have without
teaching the others to expect silence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from ..data.encoding import (
    HOLD,
    METERS,
    N_BASS,
    N_CHORDS,
    N_DRUMS,
    N_MELODY,
    PITCH0,
    REST,
    SLOT,
)
from ..styles import STYLES
from . import endings
from .base import BaseGenModel, ConditionEmbedding, Conditioning, Generated, ProgressCallback, pad_mask, walk

CHORD_TEMPERATURE = {"pop": 1.0, "rock": 0.5, "jazz": 0.5, "blues": 0.8, "folk": 0.5, "classical": 0.67,
                     "lofi": 0.67}
"""Per style, the fraction of the notes' temperature the chords are drawn at. At the notes' own the
harmony changes more often than the training data's in every style but pop; how much less often each
style's harmony should move was measured on a grid (docs/models.md, "Chord temperature")."""

CHORD_REPEAT_BIAS = {"pop": 0.0, "rock": 1.0, "jazz": 0.0, "blues": 0.0, "folk": 0.0, "classical": 0.0, "lofi": 0.0}
"""Per style, nats added (after the chord temperature) to the odds of a half bar's chord being the chord before it.
Rock's songs hold a chord for bars where the model, at any chord temperature, changed it: 23% of its bars repeated
the last bar's chords against the data's 35% (docs/models.md, "Chord temperature")."""


MODE_GUIDANCE = 2.0
"""How far sampling of a minor key leans away from the major (see `_sample_bars`); 0: off. Chosen on
measurements in docs/models.md, "Keys"."""


ENDING_GUIDANCE = 8.0
"""Nats the VAE adds to the odds of the home chords as the last chord of a piece: the tonic of the key asked for,
as the piece will be moved into it (`endings.ending_bias`). 4 brought 0.875 of 8-bar compositions home, 8 brings
0.971, as often tagged as asked (docs/models.md, "Endings"); 0: off."""


def _generator_device(generator: torch.Generator | None) -> torch.device:
    return generator.device if generator is not None else torch.device("cpu")


def uniform(shape: torch.Size, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """Uniform numbers drawn on the generator's own device (a seed's CPU generator) and moved to `device`, so
    that the model runs on a GPU with it, and a seed writes the same piece on either."""
    return torch.rand(shape, generator=generator, device=_generator_device(generator)).to(device)


def draw(probs: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """One index per row of `probs` [n, V] at the rows' odds: `torch.multinomial(probs, 1)`'s own algorithm (the
    same numbers for the same generator), without its validity checks, which cost more than the draw; its
    random numbers are drawn as `uniform`'s are."""
    noise = torch.empty(probs.shape, device=_generator_device(generator)).exponential_(1, generator=generator)
    return (probs / noise.to(probs.device)).argmax(-1)


def per_style(table: dict[str, float], style: torch.Tensor) -> torch.Tensor:
    """A per-style table's value for each row's style index (e.g. `CHORD_TEMPERATURE`)."""
    by_index = sorted(STYLES, key=lambda s: s.index)
    return torch.tensor([table[s.name] for s in by_index])[style.cpu()]


@dataclass
class VAEConfig:
    """Sizes; the defaults are the shipped model (about 2.5 M parameters)."""

    segment_bars: int = 8
    latent_dim: int = 128
    n_styles: int = 7
    enc_hidden: int = 256
    conductor_hidden: int = 256
    melody_hidden: int = 256
    bass_hidden: int = 128
    drums_hidden: int = 160
    ctx_dim: int = 64
    free_bits: float = 48.0
    drum_prior: bool = False
    """Whether the checkpoint holds a drum prior (`training.track_priors`): see `MusicVAE.prior_latent`."""
    bass_prior: bool = False
    """The same for the bass."""


class TrackDecoder(nn.Module):
    """An autoregressive GRU that writes one track of one bar from the bar's context."""

    def __init__(self, n_out: int, hidden: int, ctx_dim: int, chord_dim: int, multi_hot: bool) -> None:
        super().__init__()
        self.multi_hot, self.n_out = multi_hot, n_out
        emb = 32 if multi_hot else 48
        # Token inputs have two extra symbols: START (before the first step) and ABSENT.
        self.embed: nn.Module = nn.Linear(n_out + 1, emb) if multi_hot else nn.Embedding(n_out + 2, emb)
        self.pos = nn.Embedding(SLOT, 8)
        self.init = nn.Linear(ctx_dim, hidden)
        self.gru = nn.GRU(emb + 8 + chord_dim + ctx_dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_out)

    @property
    def start(self) -> int:
        return self.n_out

    def forward(self, prev: torch.Tensor, chord: torch.Tensor, ctx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits for a whole bar's steps given the previous tokens [B, T(, n_out+1)], chord embeddings and context."""
        steps = prev.shape[1]
        pos = self.pos(torch.arange(steps, device=prev.device)).expand(prev.shape[0], -1, -1)
        x = torch.cat([self.embed(prev), pos, chord, ctx.unsqueeze(1).expand(-1, steps, -1)], -1)
        y, h = self.gru(x, self.initial_state(ctx).unsqueeze(0))
        return self.out(y), h

    def bar_inputs(self, chord: torch.Tensor, ctx: torch.Tensor) -> torch.Tensor:
        """What each step of a bar reads besides the previous token [B, SLOT, 8 + chord + ctx]: its position,
        its chord's embedding [B, SLOT, chord] and the bar's context [B, ctx] (built once a bar, for `step`)."""
        b = ctx.shape[0]
        return torch.cat([self.pos.weight.expand(b, -1, -1), chord, ctx.unsqueeze(1).expand(-1, SLOT, -1)], -1)

    def step(self, prev: torch.Tensor, inputs: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Sampling, a step at a time: logits [B, n_out] and the new state [B, H] from the previous token(s)
        [B(, n_out+1)], the step's `bar_inputs` [B, ...] and the state. The bare cell skips nn.GRU's per-call
        checks; the numbers are `forward`'s."""
        w_ih, w_hh, b_ih, b_hh = self.gru.all_weights[0]
        h = torch.gru_cell(torch.cat([self.embed(prev), inputs], -1), h, w_ih, w_hh, b_ih, b_hh)
        return self.out(h), h

    def initial_state(self, ctx: torch.Tensor) -> torch.Tensor:
        """The state [B, H] a bar starts from."""
        return torch.tanh(self.init(ctx))


class MusicVAE(BaseGenModel):
    """See the module docstring."""

    name = "vae"
    drum_prior_mean: torch.Tensor
    drum_prior_std: torch.Tensor
    drum_prior_fitted: torch.Tensor
    bass_prior_mean: torch.Tensor
    bass_prior_std: torch.Tensor
    bass_prior_fitted: torch.Tensor

    def __init__(self, config: VAEConfig | None = None) -> None:
        super().__init__()
        cfg = self.config = config or VAEConfig()
        self.cond = ConditionEmbedding(cfg.n_styles)
        cd = ConditionEmbedding.dim
        # Encoder inputs; the last index of each vocabulary means "this track is absent".
        self.enc_melody = nn.Embedding(N_MELODY + 1, 48)
        self.enc_bass = nn.Embedding(N_BASS + 1, 24)
        self.enc_chord = nn.Embedding(N_CHORDS + 1, 24)
        self.enc_drums = nn.Linear(N_DRUMS + 1, 24)
        self.encoder = nn.GRU(48 + 24 + 24 + 24 + 1, cfg.enc_hidden, batch_first=True, bidirectional=True)
        self.to_latent = nn.Linear(2 * cfg.enc_hidden + cd, 2 * cfg.latent_dim)
        # Decoder.
        self.bar_pos = nn.Embedding(64, 8)
        self.latent_to_conductor = nn.Linear(cfg.latent_dim + cd, cfg.conductor_hidden)
        self.conductor = nn.GRU(cd + 8, cfg.conductor_hidden, batch_first=True)
        self.bar_ctx = nn.Linear(cfg.conductor_hidden, cfg.ctx_dim)
        self.chord_emb = nn.Embedding(N_CHORDS + 1, 24)
        self.chord_first = nn.Linear(cfg.conductor_hidden + 24, N_CHORDS)
        self.chord_second = nn.Linear(cfg.conductor_hidden + 24, N_CHORDS)
        # A bonus, from the bar's state, to the logit of repeating: the first chord the chord before, the
        # second the first. (Through the 24-d embeddings alone, "the same again" is hard to express.)
        self.chord_repeat = nn.Linear(cfg.conductor_hidden, 2)
        nn.init.zeros_(self.chord_repeat.weight)
        nn.init.zeros_(self.chord_repeat.bias)
        self.melody_sounds = nn.Linear(cfg.conductor_hidden, 1)
        self.melody = TrackDecoder(N_MELODY, cfg.melody_hidden, cfg.ctx_dim + 1, 24, multi_hot=False)
        self.bass = TrackDecoder(N_BASS, cfg.bass_hidden, cfg.ctx_dim, 24, multi_hot=False)
        self.drums = TrackDecoder(N_DRUMS, cfg.drums_hidden, cfg.ctx_dim, 0, multi_hot=True)
        for track, wanted in (("drum", cfg.drum_prior), ("bass", cfg.bass_prior)):
            if wanted:  # per style and meter: mean and spread of the posterior means of segments with the track
                self.register_buffer(f"{track}_prior_mean", torch.zeros(cfg.n_styles, len(METERS), cfg.latent_dim))
                self.register_buffer(f"{track}_prior_std", torch.ones(cfg.n_styles, len(METERS), cfg.latent_dim))
                self.register_buffer(f"{track}_prior_fitted", torch.zeros(cfg.n_styles, len(METERS), dtype=torch.bool))

    # ------------------------------------------------------------------ encoder

    def encode(self, batch: dict[str, torch.Tensor], cond: Conditioning) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and log-variance [B, latent_dim] of a batch of segments."""
        present = batch["present"]
        b, bars, _ = batch["melody"].shape

        def gated(tokens: torch.Tensor, flag: torch.Tensor, absent: int) -> torch.Tensor:
            return torch.where(flag.view(-1, 1, 1) > 0, tokens, torch.full_like(tokens, absent))

        mel = gated(batch["melody"], present[:, 0], N_MELODY)
        bas = gated(batch["bass"], present[:, 1], N_BASS)
        chords = gated(batch["chords"], present[:, 2], N_CHORDS)
        chord_steps = chords.repeat_interleave(SLOT // 2, dim=2)
        drums = batch["drums"] * present[:, 3].view(-1, 1, 1, 1)
        drum_in = torch.cat([drums, (1 - present[:, 3]).view(-1, 1, 1, 1).expand(-1, bars, SLOT, 1)], -1)
        pad = pad_mask(cond.meter, bars).float().unsqueeze(-1)
        x = torch.cat([self.enc_melody(mel), self.enc_bass(bas), self.enc_chord(chord_steps),
                       self.enc_drums(drum_in), pad], -1).view(b, bars * SLOT, -1)
        _, h = self.encoder(x)
        stats = self.to_latent(torch.cat([h[0], h[1], self.cond(cond)], -1))
        mu, logvar = stats.chunk(2, -1)
        return mu, logvar.clamp(-8, 8)

    # ------------------------------------------------------------------ decoder pieces

    def _bar_states(self, z: torch.Tensor, c: torch.Tensor, bars: int) -> torch.Tensor:
        """Conductor outputs [B, bars, H] for a latent and condition vector."""
        h0 = torch.tanh(self.latent_to_conductor(torch.cat([z, c], -1))).unsqueeze(0)
        pos = self.bar_pos(torch.arange(bars, device=z.device) % 64).expand(z.shape[0], -1, -1)
        x = torch.cat([c.unsqueeze(1).expand(-1, bars, -1), pos], -1)
        out, _ = self.conductor(x, h0)
        return out

    @staticmethod
    def _prev_tokens(tokens: torch.Tensor, start: int) -> torch.Tensor:
        """Teacher-forcing inputs [B*bars, 16]: each step sees the token before it (START first)."""
        b, bars = tokens.shape[:2]
        flat = tokens.reshape(b, bars * SLOT)
        prev = torch.cat([torch.full_like(flat[:, :1], start), flat[:, :-1]], 1)
        return prev.reshape(b * bars, SLOT)

    @staticmethod
    def _prev_drums(drums: torch.Tensor) -> torch.Tensor:
        """Teacher-forcing drum inputs [B*bars, 16, 10]; the extra channel flags START."""
        b, bars = drums.shape[:2]
        flat = F.pad(drums.reshape(b, bars * SLOT, N_DRUMS), (0, 1))
        start = torch.zeros_like(flat[:, :1])
        start[..., -1] = 1.0
        return torch.cat([start, flat[:, :-1]], 1).reshape(b * bars, SLOT, N_DRUMS + 1)

    def forward(self, batch: dict[str, torch.Tensor], cond: Conditioning, beta: float = 0.2) -> dict[str, torch.Tensor]:
        """Teacher-forced losses and accuracies for a batch (the training step)."""
        mu, logvar = self.encode(batch, cond)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self._decode_losses(batch, cond, z, mu, logvar, beta)

    def decode_logits(self, batch: dict[str, torch.Tensor], cond: Conditioning,
                      z: torch.Tensor) -> dict[str, torch.Tensor]:
        """Teacher-forced logits per track, flattened over bars: [B*bars, 16, n] (chords [B*bars, n])."""
        b, bars, _ = batch["melody"].shape
        present = batch["present"]
        flat_states = self._bar_states(z, self.cond(cond), bars).reshape(b * bars, -1)
        ctx = self.bar_ctx(flat_states)
        chords = batch["chords"].reshape(b * bars, 2)
        chord_known = present[:, 2].repeat_interleave(bars).view(-1, 1) > 0
        known = torch.where(chord_known, chords, torch.full_like(chords, N_CHORDS))
        chord_steps = self.chord_emb(known).repeat_interleave(SLOT // 2, 1)
        last = known[:, 1].view(b, bars)
        previous = torch.cat([torch.full_like(last[:, :1], N_CHORDS), last[:, :-1]], 1).reshape(b * bars)
        sounds = self.melody_sounds_in(batch["melody"], cond).reshape(b * bars, 1)
        return {
            "chord_first": self._chord_logits(flat_states, previous, 0),
            "chord_second": self._chord_logits(flat_states, chords[:, 0], 1),
            "melody_sounds": self.melody_sounds(flat_states).squeeze(-1),
            "melody": self.melody(self._prev_tokens(batch["melody"], self.melody.start), chord_steps,
                                  torch.cat([ctx, sounds], -1))[0],
            "bass": self.bass(self._prev_tokens(batch["bass"], self.bass.start), chord_steps, ctx)[0],
            "drums": self.drums(self._prev_drums(batch["drums"]), chord_steps[..., :0], ctx)[0],
        }

    def _chord_logits(self, state: torch.Tensor, before: torch.Tensor, half: int) -> torch.Tensor:
        """Logits of a bar's first (half 0) or second (half 1) chord, given the chord before it (N_CHORDS: unknown)."""
        head = self.chord_first if half == 0 else self.chord_second
        repeat = self.chord_repeat(state)[:, half:half + 1] * F.one_hot(before, N_CHORDS + 1)[:, :N_CHORDS]
        return head(torch.cat([state, self.chord_emb(before)], -1)) + repeat

    @staticmethod
    def melody_sounds_in(melody: torch.Tensor, cond: Conditioning) -> torch.Tensor:
        """[B, bars]: 1 where the bar's melody sounds (a note or a note held into it), else 0."""
        live = ~pad_mask(cond.meter, melody.shape[1])
        return ((melody != REST) & live).any(-1).float()

    def teacher_forced_predictions(self, batch: dict[str, torch.Tensor], cond: Conditioning,
                                   z: torch.Tensor) -> dict[str, torch.Tensor]:
        """The most likely token at every step given the true previous ones, shaped like the batch."""
        b, bars, _ = batch["melody"].shape
        logits = self.decode_logits(batch, cond, z)
        chords = torch.stack([logits["chord_first"].argmax(-1), logits["chord_second"].argmax(-1)], -1)
        return {"melody": logits["melody"].argmax(-1).view(b, bars, SLOT),
                "bass": logits["bass"].argmax(-1).view(b, bars, SLOT),
                "chords": chords.view(b, bars, 2),
                "drums": (logits["drums"] > 0).float().view(b, bars, SLOT, N_DRUMS)}

    def _decode_losses(self, batch: dict[str, torch.Tensor], cond: Conditioning, z: torch.Tensor,
                       mu: torch.Tensor, logvar: torch.Tensor, beta: float) -> dict[str, torch.Tensor]:
        b, bars, _ = batch["melody"].shape
        present, pad = batch["present"], pad_mask(cond.meter, bars)
        logits = self.decode_logits(batch, cond, z)
        mel_logits, bass_logits, drum_logits = logits["melody"], logits["bass"], logits["drums"]
        first_logits, second_logits = logits["chord_first"], logits["chord_second"]
        chords = batch["chords"].reshape(b * bars, 2)
        step_mask = (~pad).reshape(b * bars, SLOT).float()
        losses: dict[str, torch.Tensor] = {}

        def masked_ce(logits: torch.Tensor, target: torch.Tensor, track: int, name: str) -> None:
            weight = step_mask * present[:, track].repeat_interleave(bars).view(-1, 1)
            ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none")
            denom = weight.sum().clamp(min=1)
            losses[name] = (ce * weight.reshape(-1)).sum() / denom
            hits = (logits.argmax(-1).reshape(-1) == target.reshape(-1)).float()
            losses[f"{name}_acc"] = (hits * weight.reshape(-1)).sum() / denom

        masked_ce(mel_logits, batch["melody"].reshape(b * bars, SLOT), 0, "melody")
        masked_ce(bass_logits, batch["bass"].reshape(b * bars, SLOT), 1, "bass")
        melody_bars = present[:, 0].repeat_interleave(bars)
        sounds_bce = F.binary_cross_entropy_with_logits(
            logits["melody_sounds"], self.melody_sounds_in(batch["melody"], cond).reshape(-1), reduction="none")
        losses["melody_bars"] = (sounds_bce * melody_bars).sum() / melody_bars.sum().clamp(min=1)
        chord_weight = present[:, 2].repeat_interleave(bars)
        chord_ce = (F.cross_entropy(first_logits, chords[:, 0], reduction="none")
                    + F.cross_entropy(second_logits, chords[:, 1], reduction="none")) / 2
        losses["chords"] = (chord_ce * chord_weight).sum() / chord_weight.sum().clamp(min=1)
        chord_hits = ((first_logits.argmax(-1) == chords[:, 0]).float()
                      + (second_logits.argmax(-1) == chords[:, 1]).float()) / 2
        losses["chords_acc"] = (chord_hits * chord_weight).sum() / chord_weight.sum().clamp(min=1)
        drum_weight = step_mask * present[:, 3].repeat_interleave(bars).view(-1, 1)
        bce = F.binary_cross_entropy_with_logits(
            drum_logits, batch["drums"].reshape(b * bars, SLOT, N_DRUMS), reduction="none").sum(-1)
        losses["drums"] = (bce * drum_weight).sum() / drum_weight.sum().clamp(min=1)
        drum_hits = ((drum_logits > 0).float() == batch["drums"].reshape(b * bars, SLOT, N_DRUMS)).all(-1).float()
        losses["drums_acc"] = (drum_hits * drum_weight).sum() / drum_weight.sum().clamp(min=1)

        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(-1).mean()
        losses["kl"] = kl
        recon = losses["melody"] + losses["melody_bars"] + losses["bass"] + losses["chords"] + losses["drums"]
        losses["recon"] = recon
        losses["loss"] = recon + beta * torch.clamp(kl - self.config.free_bits, min=0) / bars
        return losses

    # ------------------------------------------------------------------ sampling

    def _start(self, n: int, last_chord: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """What the decoders see before the first step: START tokens and the chord before (unknown if None)."""
        dev = self.device
        return {"melody": torch.full((n,), self.melody.start, device=dev, dtype=torch.long),
                "bass": torch.full((n,), self.bass.start, device=dev, dtype=torch.long),
                "drums": F.one_hot(torch.full((n,), N_DRUMS, device=dev), N_DRUMS + 1).float(),
                "chord": (torch.full((n,), N_CHORDS, dtype=torch.long) if last_chord is None
                          else last_chord.long()).to(dev)}

    def has_prior(self, track: str) -> bool:
        """Whether the checkpoint holds a prior for `track` ("drum" or "bass")."""
        return bool(getattr(self.config, f"{track}_prior"))

    def prior_latent(self, track: str, z: torch.Tensor, cond: Conditioning) -> torch.Tensor:
        """The latent `track` ("drum" or "bass") is written from: z [B, d] read in that track's prior for the
        row's style and meter, mean + spread * z (the melody and chords are written from z itself).

        The decoder writes what its latent describes, and a latent drawn from the standard prior seldom
        describes the grooves of a rare condition (a jazz waltz: 52 training segments of 3/4 jazz drums) or
        a style's own bass line; the prior fitted to those segments' posterior means does (docs/models.md,
        "Drums in 3/4 and 6/8"). Rows whose style and meter had too few segments to fit keep z."""
        if not self.has_prior(track):
            return z
        at = (cond.style, cond.meter)
        fitted = getattr(self, f"{track}_prior_fitted")[at].unsqueeze(-1)
        mean, std = getattr(self, f"{track}_prior_mean")[at], getattr(self, f"{track}_prior_std")[at]
        return torch.where(fitted, mean + std * z, z)

    def _track_states(self, track: str, z: torch.Tensor, cond: Conditioning, c: torch.Tensor, pos: torch.Tensor,
                      states: torch.Tensor, in_c_major: bool = False) -> torch.Tensor:
        """Conductor states [B, bars, H] for a track with a prior, from its latent (and, `in_c_major`, the row's
        style and meter in C major; rows without a fitted prior keep `c`); `states` where no row reads a prior."""
        fitted = getattr(self, f"{track}_prior_fitted")[cond.style, cond.meter] if self.has_prior(track) else None
        if fitted is None or not bool(fitted.any()):  # e.g. rock's bass: no row reads a prior
            return states
        if in_c_major:
            c_major = self.cond(replace(cond, tonic=torch.zeros_like(cond.tonic), minor=torch.zeros_like(cond.minor)))
            c_track = torch.where(fitted.unsqueeze(-1), c_major, c)
        else:
            c_track = c
        h0 = torch.tanh(self.latent_to_conductor(torch.cat([self.prior_latent(track, z, cond), c_track], -1)))
        out, _ = self.conductor(torch.cat([c_track.unsqueeze(1).expand(-1, pos.shape[1], -1), pos], -1),
                                h0.unsqueeze(0))
        return out

    def _sample_bars(self, z: torch.Tensor, cond: Conditioning, bars: int, temperature: float,
                     generator: torch.Generator | None, carry: dict[str, torch.Tensor],
                     mode_guidance: float = 0.0, ends: torch.Tensor | None = None,
                     before: dict[str, torch.Tensor] | None = None) -> tuple[dict[str, torch.Tensor], dict]:
        """Decode `bars` bars from latents z [B, d], autoregressively; greedy when temperature is 0. The rows whose
        piece these bars end (`ends` [B] bool) lean their last chord to the tonic by `ENDING_GUIDANCE`, read from
        the piece's key: these bars and the bars written `before` them (melody, bass, chords [B, bars', ...]).

        With `mode_guidance` w > 0 each row asking for a minor key is also decoded, in step, as if it
        asked for the major key on the same tonic, and its chords and pitches are drawn from the guided
        logits own + w (own - major) (classifier-free guidance between two conditions), so the minor mode
        counts for more than the latent; rests, holds, whether a bar has melody, and drums keep the row's
        own odds (the drums are decoded for the rows alone: their twins' would go unused). Rows asking for a
        major key are left alone (the model writes them in a major mode 80% of the time unaided, a minor one
        27%: docs/models.md, "Keys")."""
        n, dev = z.shape[0], z.device
        guided = mode_guidance > 0 and bool(cond.minor.any())
        weight = mode_guidance * cond.minor.float().unsqueeze(-1)
        if guided:
            z = torch.cat([z, z])
            cond = cond.cat(replace(cond, minor=torch.zeros_like(cond.minor)))
            carry = {k: v if k == "drums" else torch.cat([v, v]) for k, v in carry.items()}  # drums: unguided
        rows = z.shape[0]
        c = self.cond(cond)
        h0 = torch.tanh(self.latent_to_conductor(torch.cat([z, c], -1))).unsqueeze(0)
        pos = self.bar_pos(torch.arange(bars, device=dev) % 64).expand(rows, -1, -1)
        conductor_in = torch.cat([c.unsqueeze(1).expand(-1, bars, -1), pos], -1)
        states, _ = self.conductor(conductor_in, h0)
        # Drums are written under their grooves' condition, their style and meter in C major: the drum-only
        # training segments carry no key, and the decoder's grooves had varied with the key asked for.
        drum_states = self._track_states("drum", z, cond, c, pos, states, in_c_major=True)
        bass_states = self._track_states("bass", z, cond, c, pos, states)
        spb = torch.tensor([m.steps_per_bar for m in METERS], device=dev)[cond.meter]
        out = {"melody": torch.zeros(n, bars, SLOT, dtype=torch.long, device=dev),
               "bass": torch.zeros(n, bars, SLOT, dtype=torch.long, device=dev),
               "chords": torch.zeros(n, bars, 2, dtype=torch.long, device=dev),
               "drums": torch.zeros(n, bars, SLOT, N_DRUMS, device=dev)}

        def steer(logits: torch.Tensor) -> torch.Tensor:
            """The rows' own logits [n, V], moved away from their other mode's when guided."""
            own = logits[:n]
            return own + weight * (own - logits[n:]) if guided else own

        def both(tokens: torch.Tensor) -> torch.Tensor:
            """What was drawn for the n rows, fed to their guidance twins too."""
            return torch.cat([tokens, tokens]) if guided else tokens

        def pick(logits: torch.Tensor) -> torch.Tensor:
            if temperature <= 0:
                return logits.argmax(-1)
            probs = F.softmax(logits / temperature, -1)
            return draw(probs, generator)

        def pick_note(logits: torch.Tensor) -> torch.Tensor:
            """Rest, hold or onset at the model's own odds; only the pitch of an onset is tempered (and guided).

            (Tempering the whole distribution would starve onsets: their mass is spread over many
            pitches while rest and hold are single tokens.)"""
            pitches = steer(logits)[:, PITCH0:]
            if temperature <= 0:
                own = logits[:n].argmax(-1)
                return torch.where(own >= PITCH0, pitches.argmax(-1) + PITCH0, own)
            probs = F.softmax(logits[:n], -1)
            kinds = torch.cat([probs[:, :PITCH0], probs[:, PITCH0:].sum(-1, keepdim=True)], -1)
            kind = draw(kinds, generator)
            return torch.where(kind == PITCH0, pick(pitches) + PITCH0, kind)

        chord_temperature = per_style(CHORD_TEMPERATURE, cond.style[:n]).to(dev).unsqueeze(-1)
        repeat_bias = per_style(CHORD_REPEAT_BIAS, cond.style[:n]).to(dev).unsqueeze(-1)

        def chord_odds(logits: torch.Tensor, before: torch.Tensor) -> torch.Tensor:
            """Chord logits as drawn: steered, tempered, and the chord `before` (N_CHORDS: none) biased."""
            repeat = F.one_hot(before[:n], N_CHORDS + 1)[:, :N_CHORDS] * repeat_bias
            return steer(logits) / chord_temperature + repeat
        steps = torch.arange(SLOT, device=dev)
        first_half = steps < (spb // 2).unsqueeze(-1)  # [rows, SLOT]: the bar's first chord sounds
        step_live = (steps < spb[:n].unsqueeze(-1)).T  # [SLOT, n]: the step is within the row's bar
        rests = torch.full((n,), REST, dtype=torch.long, device=dev)
        for b in range(bars):
            state = states[:, b]
            ctx = self.bar_ctx(state)
            drum_ctx = (ctx if drum_states is states else self.bar_ctx(drum_states[:, b]))[:n]
            bass_ctx = ctx if bass_states is states else self.bar_ctx(bass_states[:, b])
            first = both(pick(chord_odds(self._chord_logits(state, carry["chord"], 0), carry["chord"])))
            second_logits = chord_odds(self._chord_logits(state, first, 1), first)
            if b == bars - 1 and ends is not None:
                # what is written so far: every bar before this one, and this one's first chord
                so_far = {k: torch.cat(([before[k].to(dev)] if before else []) + [out[k][:n, :b + 1]], 1)
                          for k in ("melody", "bass", "chords")}
                so_far["chords"][:, -1, 0] = first[:n]
                second_logits = second_logits + endings.ending_bias(so_far["melody"], so_far["bass"],
                                                                    so_far["chords"], cond.take(n), ends,
                                                                    ENDING_GUIDANCE)
            second = both(pick(second_logits))
            out["chords"][:, b] = torch.stack([first[:n], second[:n]], -1)
            p_sounds = torch.sigmoid(self.melody_sounds(state[:n]).squeeze(-1))
            sounds = both((uniform(p_sounds.shape, generator, dev) < p_sounds) if temperature > 0
                          else p_sounds > 0.5)
            mel_ctx = torch.cat([ctx, sounds.float().unsqueeze(-1)], -1)
            chord_in = self.chord_emb(torch.where(first_half, first.unsqueeze(1), second.unsqueeze(1)))
            mel_in, bass_in = self.melody.bar_inputs(chord_in, mel_ctx), self.bass.bar_inputs(chord_in, bass_ctx)
            drum_in = self.drums.bar_inputs(chord_in[:n, :, :0], drum_ctx)
            h_mel, h_bass = self.melody.initial_state(mel_ctx), self.bass.initial_state(bass_ctx)
            h_drums = self.drums.initial_state(drum_ctx)
            for s in range(SLOT):
                live = step_live[s]
                mel_logits, h_mel = self.melody.step(carry["melody"], mel_in[:, s], h_mel)
                cannot_hold = (carry["melody"] == REST) | (carry["melody"] == self.melody.start)
                mel_logits[:, HOLD] = torch.where(cannot_hold, -1e9, mel_logits[:, HOLD])
                mel = torch.where(live & sounds[:n], pick_note(mel_logits), rests)
                bass_logits, h_bass = self.bass.step(carry["bass"], bass_in[:, s], h_bass)
                cannot_hold = (carry["bass"] == REST) | (carry["bass"] == self.bass.start)
                bass_logits[:, HOLD] = torch.where(cannot_hold, -1e9, bass_logits[:, HOLD])
                bass = torch.where(live, pick_note(bass_logits), rests)
                drum_logits, h_drums = self.drums.step(carry["drums"], drum_in[:, s], h_drums)
                p = torch.sigmoid(drum_logits)
                hits = (uniform(p.shape, generator, dev) < p).float() if temperature > 0 \
                    else (p > 0.5).float()
                hits = hits * live.float().unsqueeze(-1)
                out["melody"][:, b, s], out["bass"][:, b, s], out["drums"][:, b, s] = mel, bass, hits
                carry = {"melody": both(mel), "bass": both(bass), "drums": F.pad(hits, (0, 1)), "chord": second}
        return out, {k: v[:n] for k, v in carry.items()}

    def sample_latents(self, n: int, bars: int, generator: torch.Generator | None, scale: float) -> torch.Tensor:
        """Latents for consecutive 8-bar sections: a slow random walk on the prior, so sections relate."""
        d = self.config.latent_dim
        z = torch.randn(n, d, generator=generator) * max(scale, 0.0)
        latents = [z]
        for _ in range(-(-bars // self.config.segment_bars) - 1):
            fresh = torch.randn(n, d, generator=generator) * max(scale, 0.0)
            latents.append(walk(latents[-1], fresh))
        return torch.stack(latents, 1)

    @torch.no_grad()
    def generate(self, cond: Conditioning, bars: int, *, temperature: float = 1.0,
                 generator: torch.Generator | None = None, latent: torch.Tensor | None = None,
                 progress: ProgressCallback | None = None, ends: torch.Tensor | None = None) -> Generated:
        if latent is None:
            latent = self.sample_latents(len(cond), bars, generator, temperature)
        return self._decode(latent, cond, bars, temperature, generator, progress, self._start(len(cond)), ends)

    def _decode(self, latent: torch.Tensor, cond: Conditioning, bars: int, temperature: float,
                generator: torch.Generator | None, progress: ProgressCallback | None,
                carry: dict[str, torch.Tensor], ends: torch.Tensor | None = None) -> Generated:
        """Write `bars` bars section by section, one latent per 8-bar section, the decoders' state carried; `ends`
        as in `generate`."""
        seg = self.config.segment_bars
        sections = -(-bars // seg)
        latent = latent.to(self.device)
        cond = cond.to(self.device)
        parts: dict[str, list[torch.Tensor]] = {"melody": [], "bass": [], "chords": [], "drums": []}
        last_rows = ends if ends is not None else torch.ones(len(cond), dtype=torch.bool)
        for k in range(sections):
            length = min(seg, bars - k * seg)
            last = k == sections - 1
            out, carry = self._sample_bars(latent[:, min(k, latent.shape[1] - 1)], cond, length,
                                           temperature, generator, carry=carry, mode_guidance=MODE_GUIDANCE,
                                           ends=last_rows if last else None,
                                           before={name: torch.cat(value, 1) for name, value in parts.items()
                                                   if name != "drums"} if last and k else None)
            for name, value in out.items():
                parts[name].append(value)
            if progress:
                progress((k + 1) / sections)
        joined = {name: torch.cat(value, 1).cpu() for name, value in parts.items()}
        return Generated(joined["melody"], joined["bass"], joined["chords"], joined["drums"], latent.cpu())

    @torch.no_grad()
    def embed(self, piece: Generated, cond: Conditioning) -> torch.Tensor:
        """The posterior mean of each 8-bar section."""
        cond = cond.to(self.device)
        means = []
        for section in piece.sections(self.config.segment_bars):
            batch = {k: v.to(self.device) for k, v in section.items()}
            batch["present"] = torch.ones(len(cond), 4, device=self.device)
            means.append(self.encode(batch, cond)[0])
        return torch.stack(means, 1).cpu()

    @torch.no_grad()
    def generate_continuation(self, prompt: Generated, cond: Conditioning, bars: int, *,
                              temperature: float = 1.0, latent_scale: float = 1.0,
                              generator: torch.Generator | None = None,
                              progress: ProgressCallback | None = None) -> Generated:
        """Encode the prompt's last section, then walk on from its latent and its last chord."""
        seg, n = self.config.segment_bars, len(cond)
        rows = int(prompt.melody.shape[0])
        mu = self.embed(prompt.bar_range(-seg), cond.take(rows))[:, -1]
        fresh = self.sample_latents(n, bars + seg, generator, latent_scale)
        latents = walk(mu.unsqueeze(1), fresh[:, 1:])
        carry = self._start(n, last_chord=prompt.chords[:, -1, 1].expand(n))
        return self._decode(latents, cond, bars, temperature, generator, progress, carry)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def checkpoint(self) -> dict:
        return {"config": asdict(self.config), "state_dict": self.state_dict()}

    @classmethod
    def from_checkpoint(cls, data: dict) -> MusicVAE:
        model = cls(VAEConfig(**data["config"]))
        model.load_state_dict(data["state_dict"])
        return model.eval()
