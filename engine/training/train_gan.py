"""Train the GAN with WGAN-GP: `cadenza train gan` reproduces the shipped checkpoint from the datasets."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from ..data.dataset import SPLITS, SegmentBatches, build_corpus
from ..data.encoding import HOLD, PITCH0, SLOT, TRACKS
from ..models.base import Conditioning
from ..models.gan import GANConfig, MuseGAN, one_hot_batch
from .common import DEFAULT_SOURCES, cond_of, pick_device, save_checkpoint, to_device

log = logging.getLogger(__name__)


@dataclass
class GANTrainConfig:
    """Everything that decides a training run (recorded in the checkpoint and its log)."""

    steps: int = 7000
    """Generator steps; the critic takes `critic_steps` for each."""
    critic_steps: int = 5
    batch_size: int = 48
    lr: float = 1e-4
    gp_weight: float = 10.0
    max_minutes: float = 0.0
    seed: int = 0
    log_every: int = 100
    match_weight: float = 0.0
    """Weight of `style_match_loss` in the generator's loss (0: the critic alone)."""
    repeat_weight: float = 1.0
    """Within `style_match_loss`, the weight of the share of bars repeating the last bar's chords (1: as
    much as each other statistic)."""
    resume: str | None = None
    """A generator checkpoint to go on from; its critic is new, so `critic_warmup` critic steps come first."""
    critic_warmup: int = 0
    freeze_drums: bool = False
    """Train only what the drums do not read (`drum_path`), so a resumed generator's drums stay as they were."""
    sources: tuple[str, ...] = DEFAULT_SOURCES
    model: GANConfig = field(default_factory=GANConfig)


def gradient_penalty(model: MuseGAN, real: dict[str, torch.Tensor], fake: dict[str, torch.Tensor],
                     cond: Conditioning, present: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's penalty: the critic's gradient norm, pushed to 1, on points between real and fake."""
    assert model.critic is not None
    b = present.shape[0]
    mixed = {}
    for k in TRACKS:
        alpha = torch.rand(b, *([1] * (real[k].dim() - 1)), device=present.device)
        mixed[k] = (alpha * real[k] + (1 - alpha) * fake[k]).requires_grad_()
    score = model.critic(mixed, cond, present)
    grads = torch.autograd.grad(score.sum(), [mixed[k] for k in TRACKS], create_graph=True)
    norm = torch.sqrt(torch.stack([g.pow(2).flatten(1).sum(1) for g in grads]).sum(0) + 1e-12)
    return ((norm - 1) ** 2).mean()


REPEAT_STAT = 2
"""Where `section_stats` puts the share of bars repeating the last bar's chords."""
PC_SCALE = 4.0
"""Pitch classes struck per bar are divided by this, to weigh about as much as the shares beside them."""


def section_stats(model: MuseGAN, x: dict[str, torch.Tensor], cond: Conditioning,
                  present: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per section [B, 31]: the shares of the melody's and the bass's onsets on tones of the sounding chord,
    the share of bars whose chords repeat the previous bar's, the melody's and bass's shares of hold steps
    among their sounding steps, the melody's and bass's pitch classes struck per bar (over `PC_SCALE`,
    expected counts on distributions), and the melody's and the bass's onsets by pitch class counted from
    the key's tonic (12 shares each); with [B, 31] flags of where each applies (the tracks it needs present).

    Chords enter as the one-hot of the likeliest chord with the gradient of the distribution
    (straight-through): what sampling writes. On the distributions themselves a generator can flatten
    them, so that the soft repeat chance falls while the chosen chords still repeat."""
    critic = model.critic
    assert critic is not None
    b, bars = x["melody"].shape[:2]
    steps = bars * SLOT
    soft = x["chords"]
    chords = F.one_hot(soft.argmax(-1), soft.shape[-1]).to(soft.dtype) + soft - soft.detach()
    tones = (chords @ critic.chord_tones).repeat_interleave(SLOT // 2, 2).reshape(b, steps, 12)
    stats = []
    for track, pcs in (("melody", critic.melody_pc), ("bass", critic.bass_pc)):
        onsets = (x[track] @ pcs).reshape(b, steps, 12)
        stats.append((onsets * tones).sum((1, 2)) / onsets.sum((1, 2)).clamp(min=1e-6))
    stats.append((chords[:, 1:] * chords[:, :-1]).sum(-1).prod(-1).mean(1))
    for track in ("melody", "bass"):
        p = x[track].flatten(1, 2)
        stats.append(p[..., HOLD].sum(1) / (p[..., HOLD] + p[..., PITCH0:].sum(-1)).sum(1).clamp(min=1e-6))
    for track, pcs in (("melody", critic.melody_pc), ("bass", critic.bass_pc)):
        struck = 1 - (1 - (x[track] @ pcs).clamp(max=1)).prod(2)  # [B, bars, 12]: each pitch class struck
        stats.append(struck.sum(-1).mean(1) / PC_SCALE)
    from_tonic = (torch.arange(12, device=cond.tonic.device) + cond.tonic.unsqueeze(1)) % 12
    profiles = []
    for track, pcs in (("melody", critic.melody_pc), ("bass", critic.bass_pc)):
        counts = (x[track] @ pcs).sum((1, 2))  # [B, 12]
        profiles.append((counts / counts.sum(-1, keepdim=True).clamp(min=1e-6)).gather(1, from_tonic))
    has = present > 0
    mel, bass, chord = (has[:, TRACKS.index(t)] for t in ("melody", "bass", "chords"))
    applies = torch.stack([mel & chord, bass & chord, chord, mel, bass, mel, bass] + [mel] * 12 + [bass] * 12, -1)
    return torch.cat([torch.stack(stats, -1), *profiles], -1), applies.float()


def style_match_loss(model: MuseGAN, fake: dict[str, torch.Tensor], real: dict[str, torch.Tensor],
                     cond: Conditioning, present: torch.Tensor, repeat_weight: float = 1.0) -> torch.Tensor:
    """Feature matching (Salimans et al., 2016) per style and mode: the squared gap between the generated and
    the real sections' mean `section_stats`, group by group within the batch (fakes share the batch's
    conditions).

    Added because the critic alone left melodies further from their chords than the data's, pop's lines
    choppy, and harmony repeating bars in pop, folk and classical. An earlier run that matched only the
    chord-tone shares (commit 40ec3b1) set melodies on their chords and looped the harmony again; the
    repeat share is matched here too, and the pitch classes per bar, which fell when only the first five
    statistics were matched (lines on fewer notes sit on the chords more easily). Without the tonic-relative
    profiles, minor keys were read in the key asked for less often (rock in A minor 0.50 → 0.05).
    `repeat_weight` weighs the repeat share's squared gap against the others'."""
    got, applies = section_stats(model, fake, cond, present)
    want, _ = section_stats(model, real, cond, present)
    weights = torch.ones(got.shape[-1], device=got.device)
    weights[REPEAT_STAT] = repeat_weight
    groups = cond.style * 2 + cond.minor.long()
    loss = got.new_zeros(())
    for group in groups.unique():
        rows = (groups == group).float().unsqueeze(-1) * applies
        n = rows.sum(0)
        used = n > 0
        gap = ((got * rows).sum(0) - (want * rows).sum(0)) / n.clamp(min=1)
        loss = loss + (weights[used] * gap[used] ** 2).sum()
    return loss


def sample_stats(tokens: dict[str, torch.Tensor], present: torch.Tensor) -> dict[str, float]:
    """Cheap health figures of a batch (tracks the segment has only): melody notes per bar, drum hits per bar,
    the share of bars whose chords repeat the previous bar's."""
    mel, chords, drums = (present[:, TRACKS.index(t)] > 0 for t in ("melody", "chords", "drums"))
    held = (tokens["chords"][:, 1:] == tokens["chords"][:, :-1]).all(-1).float()
    return {"melody_onsets_per_bar": float((tokens["melody"][mel] >= PITCH0).sum(-1).float().mean()) if mel.any()
            else 0.0,
            "drum_hits_per_bar": float(tokens["drums"][drums].sum((-1, -2)).mean()) if drums.any() else 0.0,
            "chord_repeats": float(held[chords].mean()) if chords.any() else 0.0}


def drum_path(model: MuseGAN) -> list[torch.nn.Module]:
    """The generator's parts the drums are written from: their head and temporal generator, and the shared
    temporal generator, condition embedding and bar positions."""
    g = model.generator
    return [g.drums, g.private_time[TRACKS.index("drums")], g.shared_time, g.cond, g.bar_pos]


def train_gan(cfg: GANTrainConfig, datasets_dir: Path, cache_dir: Path, out: Path,
              device: torch.device | None = None) -> Path:
    """Train, writing `out` (generator checkpoint) and `out.with_suffix('.log.jsonl')`."""
    torch.manual_seed(cfg.seed)
    device = device or pick_device()
    corpus = build_corpus(datasets_dir, cache_dir, cfg.sources)
    train = corpus.subset(corpus.split == SPLITS.index("train"))
    model = MuseGAN(cfg.model).to(device)
    assert model.critic is not None
    if cfg.resume:
        data = torch.load(cfg.resume, map_location="cpu", weights_only=False)
        model.generator.load_state_dict({k: v.float() for k, v in data["state_dict"].items()})
    log.info("GAN: generator %d, critic %d parameters; %d train segments; on %s",
             sum(p.numel() for p in model.generator.parameters()),
             sum(p.numel() for p in model.critic.parameters()), len(train), device)
    if cfg.freeze_drums:
        for part in drum_path(model):
            part.requires_grad_(False)
    opt_g = torch.optim.Adam([p for p in model.generator.parameters() if p.requires_grad], lr=cfg.lr, betas=(0.5, 0.9))
    opt_c = torch.optim.Adam(model.critic.parameters(), lr=cfg.lr, betas=(0.5, 0.9))
    batches = SegmentBatches(train, cfg.batch_size, augment=True, seed=cfg.seed)
    log_path = out.with_suffix(".log.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    running: dict[str, float] = {}

    def fakes_for(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        z = torch.randn(cfg.batch_size, cfg.model.latent_dim, device=device)
        return model.generator(z, cond_of(batch))

    def track(name: str, value: float) -> None:
        running[name] = 0.95 * running.get(name, value) + 0.05 * value

    with log_path.open("w") as log_file:
        for step in range(1, cfg.steps + 1):
            for _ in range(cfg.critic_steps + (cfg.critic_warmup if step == 1 else 0)):
                batch = to_device(batches.sample(), device)
                cond, present = cond_of(batch), batch["present"]
                real = one_hot_batch(batch)
                with torch.no_grad():
                    fake = fakes_for(batch)
                distance = model.critic(real, cond, present).mean() - model.critic(fake, cond, present).mean()
                gp = gradient_penalty(model, real, fake, cond, present)
                opt_c.zero_grad()
                (-distance + cfg.gp_weight * gp).backward()
                opt_c.step()
            track("wasserstein", distance.item())
            track("gp", gp.item())
            batch = to_device(batches.sample(), device)
            fake = fakes_for(batch)
            g_loss = -model.critic(fake, cond_of(batch), batch["present"]).mean()
            if cfg.match_weight > 0:
                match = style_match_loss(model, fake, one_hot_batch(batch), cond_of(batch), batch["present"],
                                         cfg.repeat_weight)
                g_loss = g_loss + cfg.match_weight * match
                track("match", match.item())
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            track("generator", g_loss.item())
            out_of_time = cfg.max_minutes > 0 and time.time() - started > cfg.max_minutes * 60
            if step % cfg.log_every == 0 or step == cfg.steps or out_of_time:
                stats = sample_stats(MuseGAN.tokens({k: v.detach() for k, v in fake.items()}), batch["present"])
                real_stats = sample_stats({k: batch[k] for k in TRACKS}, batch["present"])
                record = {"step": step, "minutes": round((time.time() - started) / 60, 2),
                          "train": {k: round(v, 4) for k, v in running.items()},
                          "generated": {k: round(v, 3) for k, v in stats.items()},
                          "data": {k: round(v, 3) for k, v in real_stats.items()}}
                log_file.write(json.dumps(record) + "\n")
                log_file.flush()
                log.info("step %d  W %.3f  gp %.3f  %s", step, running["wasserstein"], running["gp"], stats)
                save_checkpoint(model.checkpoint(),
                                {**asdict(cfg), "model": asdict(cfg.model), "step_reached": step}, out)
            if out_of_time:
                break
    return out

