"""All configuration in one object: environment variables `CADENZA_*`, then an optional TOML file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

REPO_ROOT = Path(__file__).resolve().parent.parent
_DATA_DIR = Path(platformdirs.user_data_dir("cadenza"))


def _default_soundfont() -> str:
    """Debian's TimGM6mb if installed, else the copy that pretty_midi ships."""
    debian = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
    if debian.exists():
        return str(debian)
    import pretty_midi

    return str(Path(pretty_midi.__file__).parent / "TimGM6mb.sf2")


class Settings(BaseSettings):
    """Cadenza's settings. Every field can be set as `CADENZA_<FIELD>` or in the TOML file."""

    model_config = SettingsConfigDict(env_prefix="CADENZA_", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{_DATA_DIR / 'cadenza.sqlite3'}"
    discord_token: SecretStr | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    discord_guild_id: int | None = None
    engine_url: str | None = None
    soundfont: str = Field(default_factory=_default_soundfont)
    output_dir: Path = Path("out")
    datasets_dir: Path = REPO_ROOT.parent / "shared" / "datasets"
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir("cadenza")))
    checkpoint_dir: Path = REPO_ROOT / "checkpoints"
    device: str = "auto"
    torch_threads: int = 1
    sample_rate: int = 44100
    latent_scale: float = 0.5
    """How far from the prior's centre the VAE's compositions draw their latents (1 = the prior itself). Lower
    is more typical of the style and more in key, higher more varied; 0.5 measured best (docs/models.md)."""
    gan_latent_scale: float = 0.75
    """The same for the GAN: for the shipped one, 0.75 kept more metrics within the target than 0.5 and read
    as often in key (docs/models.md, "Feature matching")."""
    candidates: int = 6
    """Pieces the model writes per request, in one batch, for ranking (style fit, key, ending, taste): 4 → 6 raised
    rock's share tagged as rock from 0.40 to 0.70 for 13 ms (docs/models.md)."""
    extra_candidates: int = 12
    """Candidates written in one more batch when none of the first `candidates` is both heard as the
    requested style and read as the key; 0: never (docs/models.md, "Style adherence", "Keys"). One batch
    of 12 costs about what one of 6 does (the decoders run step by step, batched). A minor key, which the
    model seldom writes unaided, gets both in one batch."""
    gan_candidates: int = 12
    gan_extra_candidates: int = 24
    """The same two for the GAN, which writes a batch in a fifth of the VAE's time: twice as many raised its
    share tagged as the style asked for from 0.889 to 0.943 (docs/models.md, "Style adherence")."""

    derive_candidates: int = 4
    """Variations, remixes and continuations written per request, in one batch, and ranked as compositions
    are (style, key, ending; no taste): variations read in key 0.83 → 1.00, continuations tagged as the
    parent's style 0.45 → 0.83 (docs/models.md, "Latent operations")."""

    def candidates_for(self, model: str) -> tuple[int, int]:
        """The candidates compositions by `model` ("vae" or "gan") write first, and in the extra batch."""
        if model == "gan":
            return self.gan_candidates, self.gan_extra_candidates
        return self.candidates, self.extra_candidates

    def latent_scale_for(self, model: str) -> float:
        """The latent scale compositions by `model` ("vae" or "gan") draw at."""
        return self.gan_latent_scale if model == "gan" else self.latent_scale

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("CADENZA_CONFIG", "cadenza.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
