"""A style-conditional multi-track GAN after MuseGAN (Dong et al., 2018), trained with WGAN-GP.

Latents per 8-bar section, as in MuseGAN's hybrid model: a shared latent and a private one per
track that hold for the whole section, and a shared and a private per-track seed that small
temporal generators unroll into one vector per bar. A bar generator per track writes each bar
from its bar's latents and the condition (style, meter, key); chords come first and the melody and
bass generators read them, so the tracks agree harmonically. Outputs are per-step distributions
over the encoding's tokens (softmax; drums sigmoid), which the critic compares with the one-hot
training data (as in Gulrajani et al.'s WGAN-GP language model); sampling takes the most likely
token. The critic sees which tracks a training segment has, and the fakes it is shown are masked
the same way, so drum-only grooves and lead sheets teach the tracks they have.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..data.encoding import (
    BASS_RANGE,
    CHORD_CHROMA,
    MELODY_RANGE,
    N_BASS,
    N_CHORDS,
    N_DRUMS,
    N_MELODY,
    PITCH0,
    REST,
    SLOT,
    TRACKS,
)
from . import endings
from .base import BaseGenModel, ConditionEmbedding, Conditioning, Generated, ProgressCallback, pad_mask, walk

ENDING_GUIDANCE = 16.0
"""Nats the GAN adds to the odds of the home chords as the last chord of a piece (`endings.ending_bias`). Its chord
distributions are nearly one-hot and sampling takes the likeliest, so it takes more than the VAE's 8 to move: 4 nats
brought 0.754 of 8-bar compositions home, 8 nats 0.843, 16 nats 0.936 (docs/models.md, "Endings"); 0: off."""


@dataclass
class GANConfig:
    """Sizes; the defaults are the shipped model."""

    segment_bars: int = 8
    shared_dim: int = 32
    private_dim: int = 16
    bar_dim: int = 32
    hidden: int = 128
    critic_channels: int = 96
    n_styles: int = 7

    @property
    def latent_dim(self) -> int:
        """One section's latent: shared, shared seed, then per track private and private seed."""
        return 2 * self.shared_dim + 2 * len(TRACKS) * self.private_dim


class TemporalGenerator(nn.Module):
    """A seed to one vector per bar of a section (MuseGAN's temporal generator)."""

    def __init__(self, seed_dim: int, bar_dim: int, bars: int) -> None:
        super().__init__()
        self.bars, self.bar_dim = bars, bar_dim
        self.net = nn.Sequential(nn.Linear(seed_dim, 128), nn.LeakyReLU(0.2), nn.Linear(128, bars * bar_dim))

    def forward(self, seed: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.net(seed)).view(-1, self.bars, self.bar_dim)


class StepHead(nn.Module):
    """A bar's input vector to per-step logits [N, 16, n_out] (an MLP, then transposed convolutions)."""

    def __init__(self, n_in: int, hidden: int, n_out: int, step_in: int = 0) -> None:
        super().__init__()
        self.hidden = hidden
        self.proj = nn.Sequential(nn.Linear(n_in, hidden * 4), nn.LeakyReLU(0.2))
        self.up = nn.Sequential(
            nn.ConvTranspose1d(hidden, hidden, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.ConvTranspose1d(hidden, hidden, 4, stride=2, padding=1), nn.LeakyReLU(0.2))
        self.out = nn.Conv1d(hidden + step_in, n_out, 3, padding=1)

    def forward(self, x: torch.Tensor, steps: torch.Tensor | None = None) -> torch.Tensor:
        h = self.up(self.proj(x).view(-1, self.hidden, 4))  # [N, H, 16]
        if steps is not None:
            h = torch.cat([h, steps.transpose(1, 2)], 1)
        return self.out(h).transpose(1, 2)


class Generator(nn.Module):
    """Latents and condition to one section's per-step token distributions."""

    def __init__(self, cfg: GANConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.cond = ConditionEmbedding(cfg.n_styles)
        bars = cfg.segment_bars
        self.shared_time = TemporalGenerator(cfg.shared_dim, cfg.bar_dim, bars)
        self.private_time = nn.ModuleList(TemporalGenerator(cfg.private_dim, cfg.bar_dim, bars) for _ in TRACKS)
        self.bar_pos = nn.Embedding(bars, 8)
        n_in = cfg.shared_dim + cfg.bar_dim + cfg.private_dim + cfg.bar_dim + ConditionEmbedding.dim + 8
        self.chords = nn.Sequential(nn.Linear(n_in, cfg.hidden), nn.LeakyReLU(0.2),
                                    nn.Linear(cfg.hidden, cfg.hidden), nn.LeakyReLU(0.2),
                                    nn.Linear(cfg.hidden, 2 * N_CHORDS))
        self.chord_in = nn.Linear(N_CHORDS, 24, bias=False)
        self.melody = StepHead(n_in, cfg.hidden, N_MELODY, step_in=24)
        self.bass = StepHead(n_in, cfg.hidden // 2, N_BASS, step_in=24)
        self.drums = StepHead(n_in, cfg.hidden // 2, N_DRUMS)

    def split(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """A section latent [B, latent_dim] as (shared, shared seed, privates, private seeds)."""
        s, p = self.cfg.shared_dim, self.cfg.private_dim
        shared, shared_seed = latent[:, :s], latent[:, s:2 * s]
        rest = latent[:, 2 * s:].view(-1, len(TRACKS), 2, p)
        return shared, shared_seed, list(rest[:, :, 0].unbind(1)), list(rest[:, :, 1].unbind(1))

    def forward(self, latent: torch.Tensor, cond: Conditioning,
                chord_bias: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Distributions [B, bars, 16, V] per track (chords [B, bars, 2, V]; drums are probabilities); `chord_bias`
        [B, bars, 2, V] is added to the chords' logits, before the melody and bass read them."""
        return self.heads(self.bar_inputs(latent, cond), cond, chord_bias)

    def bar_inputs(self, latent: torch.Tensor, cond: Conditioning) -> dict[str, torch.Tensor]:
        """What each track's bar generator reads for each bar of the section [B, bars, n_in]: the section's
        latents, its bar of the temporal generators' output, the condition and the bar's position."""
        b, bars = latent.shape[0], self.cfg.segment_bars
        shared, shared_seed, private, private_seed = self.split(latent)
        per_bar = self.shared_time(shared_seed)
        c = self.cond(cond)
        pos = self.bar_pos(torch.arange(bars, device=latent.device)).expand(b, -1, -1)

        def inputs(track: int) -> torch.Tensor:
            own = self.private_time[track](private_seed[track])
            fixed = torch.cat([shared, private[track], c], -1).unsqueeze(1).expand(-1, bars, -1)
            return torch.cat([fixed, per_bar, own, pos], -1)

        return {name: inputs(t) for t, name in enumerate(TRACKS)}

    def heads(self, inputs: dict[str, torch.Tensor], cond: Conditioning,
              chord_bias: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """`forward`'s distributions for the bars whose `bar_inputs` are given [B, k, n_in] (any k: each bar is
        written from its own inputs alone)."""
        b, bars = inputs["chords"].shape[:2]

        def flat(track: str) -> torch.Tensor:
            return inputs[track].reshape(b * bars, -1)

        chord_logits = self.chords(flat("chords")).view(b * bars, 2, N_CHORDS)
        if chord_bias is not None:
            chord_logits = chord_logits + chord_bias.reshape(b * bars, 2, N_CHORDS)
        chords = F.softmax(chord_logits, -1)
        chord_steps = self.chord_in(chords).repeat_interleave(SLOT // 2, 1)
        melody = F.softmax(self.melody(flat("melody"), chord_steps), -1)
        bass = F.softmax(self.bass(flat("bass"), chord_steps), -1)
        drums = torch.sigmoid(self.drums(flat("drums")))
        pad = pad_mask(cond.meter, bars).reshape(b * bars, SLOT, 1)
        rest_mel = F.one_hot(torch.full_like(pad[..., 0], REST, dtype=torch.long), N_MELODY).float()
        rest_bass = F.one_hot(torch.full_like(pad[..., 0], REST, dtype=torch.long), N_BASS).float()
        return {"melody": torch.where(pad, rest_mel, melody).view(b, bars, SLOT, N_MELODY),
                "bass": torch.where(pad, rest_bass, bass).view(b, bars, SLOT, N_BASS),
                "chords": chords.view(b, bars, 2, N_CHORDS),
                "drums": (drums * (~pad).float()).view(b, bars, SLOT, N_DRUMS)}


def one_hot_batch(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A batch of token tensors as the one-hot distributions the generator emits."""
    return {"melody": F.one_hot(batch["melody"].long(), N_MELODY).float(),
            "bass": F.one_hot(batch["bass"].long(), N_BASS).float(),
            "chords": F.one_hot(batch["chords"].long(), N_CHORDS).float(),
            "drums": batch["drums"].float()}


def pitch_class_table(n_tokens: int, lowest: int) -> torch.Tensor:
    """[n_tokens, 12]: each pitch token's pitch class, one-hot (rest and hold rows are zero)."""
    table = torch.zeros(n_tokens, 12)
    for token in range(PITCH0, n_tokens):
        table[token, (lowest + token - PITCH0) % 12] = 1.0
    return table


class Critic(nn.Module):
    """Scores a section (real one-hot or generated distributions) given its condition and tracks present.

    Besides each track, it is shown three harmony features per step (see `harmony`), because a
    first GAN, whose critic had to find them itself, looped one bar's chords and set its melodies
    further from the chords than the data does."""

    chord_tones: torch.Tensor
    melody_pc: torch.Tensor
    bass_pc: torch.Tensor

    def __init__(self, cfg: GANConfig) -> None:
        super().__init__()
        self.register_buffer("chord_tones", torch.from_numpy(CHORD_CHROMA).float(), persistent=False)
        self.register_buffer("melody_pc", pitch_class_table(N_MELODY, MELODY_RANGE[0]), persistent=False)
        self.register_buffer("bass_pc", pitch_class_table(N_BASS, BASS_RANGE[0]), persistent=False)
        self.cond = ConditionEmbedding(cfg.n_styles)
        self.melody = nn.Linear(N_MELODY, 32, bias=False)
        self.bass = nn.Linear(N_BASS, 16, bias=False)
        self.chords = nn.Linear(N_CHORDS, 24, bias=False)
        self.drums = nn.Linear(N_DRUMS, 16, bias=False)
        ch = cfg.critic_channels
        n_in = 32 + 16 + 24 + 16 + 3 + len(TRACKS) + ConditionEmbedding.dim
        # Over the section's 8 x 16 steps: within a beat, within a bar, then across bars.
        self.conv = nn.Sequential(
            nn.Conv1d(n_in, ch, 4, stride=4), nn.LeakyReLU(0.2),
            nn.Conv1d(ch, ch, 4, stride=4), nn.LeakyReLU(0.2),
            nn.Conv1d(ch, 2 * ch, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(2 * ch, 2 * ch, 4, stride=2), nn.LeakyReLU(0.2))
        self.head = nn.Linear(2 * ch * 3, 1)

    def harmony(self, x: dict[str, torch.Tensor], present: torch.Tensor) -> torch.Tensor:
        """[B, steps, 3]: the chance that the melody's and the bass's onset is a chord tone, and that
        the bar's chords are the previous bar's (each zero where a track it needs is absent)."""
        b, bars = x["melody"].shape[:2]
        steps = bars * SLOT
        tones = (x["chords"] @ self.chord_tones).repeat_interleave(SLOT // 2, 2).reshape(b, steps, 12)
        melody = ((x["melody"] @ self.melody_pc).reshape(b, steps, 12) * tones).sum(-1)
        bass = ((x["bass"] @ self.bass_pc).reshape(b, steps, 12) * tones).sum(-1)
        same = (x["chords"][:, 1:] * x["chords"][:, :-1]).sum(-1).mean(-1)
        same = torch.cat([torch.zeros_like(same[:, :1]), same], 1).repeat_interleave(SLOT, 1)
        has = present.unsqueeze(1)
        return torch.stack([melody * has[..., 0] * has[..., 2], bass * has[..., 1] * has[..., 2],
                            same * has[..., 2]], -1)

    def forward(self, x: dict[str, torch.Tensor], cond: Conditioning, present: torch.Tensor) -> torch.Tensor:
        b, bars = x["melody"].shape[:2]

        def gate(v: torch.Tensor, track: str) -> torch.Tensor:
            return v * present[:, TRACKS.index(track)].view(-1, 1, 1)

        steps = bars * SLOT
        chords = self.chords(x["chords"]).repeat_interleave(SLOT // 2, 2).reshape(b, steps, -1)
        h = torch.cat([gate(self.melody(x["melody"]).reshape(b, steps, -1), "melody"),
                       gate(self.bass(x["bass"]).reshape(b, steps, -1), "bass"),
                       gate(chords, "chords"),
                       gate(self.drums(x["drums"]).reshape(b, steps, -1), "drums"),
                       self.harmony(x, present),
                       present.unsqueeze(1).expand(-1, steps, -1),
                       self.cond(cond).unsqueeze(1).expand(-1, steps, -1)], -1)
        return self.head(self.conv(h.transpose(1, 2)).flatten(1)).squeeze(-1)


class MuseGAN(BaseGenModel):
    """See the module docstring. `critic` is only needed for training and is not shipped."""

    name = "gan"

    def __init__(self, config: GANConfig | None = None, with_critic: bool = True) -> None:
        super().__init__()
        self.config = config or GANConfig()
        self.generator = Generator(self.config)
        self.critic = Critic(self.config) if with_critic else None

    # ------------------------------------------------------------------ latents

    def sample_latents(self, n: int, bars: int, generator: torch.Generator | None, scale: float,
                       start: torch.Tensor | None = None) -> torch.Tensor:
        """Section latents [n, sections, d]: fixed parts held, time-dependent seeds walking on.

        `scale` scales the prior (below 1: the truncation trick). With `start`, the walk begins one step
        after that latent (a continuation)."""
        d = self.config.latent_dim
        sections = -(-bars // self.config.segment_bars)
        scale = max(scale, 0.0)
        first = start if start is not None else torch.randn(n, d, generator=generator) * scale
        seeds = self._seed_mask().to(first.device)
        latents = []
        current = first
        for k in range(sections):
            if k > 0 or start is not None:
                fresh = torch.randn(n, d, generator=generator).to(first.device) * scale
                current = torch.where(seeds, walk(current, fresh), current)
            latents.append(current)
        return torch.stack(latents, 1)

    def _seed_mask(self) -> torch.Tensor:
        """True at the time-dependent (seed) coordinates of a section latent."""
        s, p = self.config.shared_dim, self.config.private_dim
        mask = torch.zeros(self.config.latent_dim, dtype=torch.bool)
        mask[s:2 * s] = True
        private = mask[2 * s:].view(len(TRACKS), 2, p)
        private[:, 1] = True
        return mask

    # ------------------------------------------------------------------ sampling

    @staticmethod
    def tokens(dist: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The most likely token per step (drums: hits above one half).

        Melody and bass first choose rest, hold or onset (an onset's probability being the sum over
        pitches), then the pitch: a plain argmax would favour rest and hold, single tokens, over
        onsets whose mass is spread across pitches."""
        def note_tokens(p: torch.Tensor) -> torch.Tensor:
            kinds = torch.cat([p[..., :PITCH0], p[..., PITCH0:].sum(-1, keepdim=True)], -1).argmax(-1)
            return torch.where(kinds == PITCH0, p[..., PITCH0:].argmax(-1) + PITCH0, kinds)

        return {"melody": note_tokens(dist["melody"]), "bass": note_tokens(dist["bass"]),
                "chords": dist["chords"].argmax(-1), "drums": (dist["drums"] > 0.5).float()}

    @torch.no_grad()
    def generate(self, cond: Conditioning, bars: int, *, temperature: float = 1.0,
                 generator: torch.Generator | None = None, latent: torch.Tensor | None = None,
                 progress: ProgressCallback | None = None, ends: torch.Tensor | None = None) -> Generated:
        """`BaseGenModel.generate`. Every bar of a section is written at once; the last bar is written again with
        the last chord of the rows that end a piece (`ends`, default all) leant home (`endings.ending_bias`, read
        from the first writing): its chord, and the melody and bass over it."""
        seg = self.config.segment_bars
        sections = -(-bars // seg)
        if latent is None:
            latent = self.sample_latents(len(cond), bars, generator, temperature)
        latent = latent.to(self.device)
        cond = cond.to(self.device)
        parts: dict[str, list[torch.Tensor]] = {k: [] for k in TRACKS}
        for k in range(sections):
            length = min(seg, bars - k * seg)
            inputs = self.generator.bar_inputs(latent[:, min(k, latent.shape[1] - 1)], cond)
            out = self.tokens(self.generator.heads(inputs, cond))
            if k == sections - 1 and ENDING_GUIDANCE > 0:
                so_far = {name: torch.cat([*parts[name], out[name][:, :length]], 1) for name in TRACKS}
                bias = torch.zeros(len(cond), 1, 2, N_CHORDS, device=self.device)
                bias[:, 0, 1] = endings.ending_bias(
                    so_far["melody"], so_far["bass"], so_far["chords"], cond,
                    torch.ones(len(cond), dtype=torch.bool) if ends is None else ends, ENDING_GUIDANCE)
                last = self.tokens(self.generator.heads({name: v[:, length - 1:length] for name, v in inputs.items()},
                                                        cond, chord_bias=bias))
                for name in ("chords", "melody", "bass"):
                    out[name][:, length - 1] = last[name][:, 0]
            for name in TRACKS:
                parts[name].append(out[name][:, :length])
            if progress:
                progress((k + 1) / sections)
        joined = {name: torch.cat(value, 1).cpu() for name, value in parts.items()}
        return Generated(joined["melody"], joined["bass"], joined["chords"], joined["drums"], latent.cpu())

    def invert(self, section: dict[str, torch.Tensor], cond: Conditioning, steps: int = 80, restarts: int = 4,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """The section latent [n, d] whose output best matches a section's tokens (by gradient descent)."""
        seg, n = self.config.segment_bars, len(cond)
        cond = cond.to(self.device)
        have = int(section["melody"].shape[1])
        reps = -(-seg // have)  # a short section is repeated to fill one
        target = {k: v.to(self.device).repeat(restarts, reps, *([1] * (v.dim() - 2)))[:, :seg]
                  for k, v in section.items()}
        z = torch.randn(restarts * n, self.config.latent_dim, generator=generator).to(self.device).requires_grad_()
        rep_cond = Conditioning(*(t.repeat(restarts) for t in (cond.style, cond.meter, cond.tonic, cond.minor)))
        opt = torch.optim.Adam([z], lr=0.1)
        with torch.enable_grad():
            for _ in range(steps):
                loss = self._match_loss(self.generator(z, rep_cond), target)
                opt.zero_grad()
                loss.sum().backward()
                opt.step()
        with torch.no_grad():
            loss = self._match_loss(self.generator(z, rep_cond), target).view(restarts, n)
            return z.detach().view(restarts, n, -1)[loss.argmin(0), torch.arange(n)]

    def embed(self, piece: Generated, cond: Conditioning) -> torch.Tensor:
        """Each 8-bar section inverted."""
        return torch.stack([self.invert(section, cond) for section in piece.sections(self.config.segment_bars)],
                           1).cpu()

    @staticmethod
    def _match_loss(dist: dict[str, torch.Tensor], target: dict[str, torch.Tensor]) -> torch.Tensor:
        """Per-sample negative log-likelihood of the target tokens under generated distributions."""
        def nll(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            return -torch.log(p.gather(-1, t.long().unsqueeze(-1)).squeeze(-1).clamp(min=1e-6)).flatten(1).mean(1)

        drums = F.binary_cross_entropy(dist["drums"].clamp(1e-6, 1 - 1e-6), target["drums"].float(),
                                       reduction="none").flatten(1).mean(1)
        return (nll(dist["melody"], target["melody"]) + nll(dist["bass"], target["bass"])
                + nll(dist["chords"], target["chords"]) + drums)

    def generate_continuation(self, prompt: Generated, cond: Conditioning, bars: int, *,
                              temperature: float = 1.0, latent_scale: float = 1.0,
                              generator: torch.Generator | None = None,
                              progress: ProgressCallback | None = None) -> Generated:
        """Find the latent of the prompt's last section, then walk its time-dependent seeds on."""
        seg = self.config.segment_bars
        rows = int(prompt.melody.shape[0])
        start = self.invert(prompt.sections(seg)[-1], cond.take(rows), generator=generator)
        latents = self.sample_latents(len(cond), bars, generator, latent_scale,
                                      start=start.cpu().expand(len(cond), -1))
        return self.generate(cond, bars, temperature=temperature, generator=generator, latent=latents,
                             progress=progress)

    # ------------------------------------------------------------------ checkpoints

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def checkpoint(self) -> dict:
        """The generator's weights with the config (the critic is a training aid and is left out)."""
        return {"config": asdict(self.config), "state_dict": self.generator.state_dict()}

    @classmethod
    def from_checkpoint(cls, data: dict) -> MuseGAN:
        model = cls(GANConfig(**data["config"]), with_critic=False)
        model.generator.load_state_dict({k: v.float() for k, v in data["state_dict"].items()})
        return model.eval()
