"""Settings read from the environment, with zero-setup defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DEFAULT_SQLITE_PATH = REPO_ROOT / "instance" / "loketwijzer.db"
DEFAULT_INDEX_SNAPSHOT_DIR = REPO_ROOT / "instance" / "finder_index"
SHARED_MIRROR = REPO_ROOT.parent / "shared" / "data"

PDOK_BRT_TILES = (
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
)
PDOK_BRT_ATTRIBUTION = (
    'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a> '
    "(BRT-Achtergrondkaart, PDOK)"
)


def default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_database_url(url: str) -> str:
    """Accept the plain ``postgresql://`` URLs that hosting platforms hand out.

    SQLAlchemy would pick psycopg2 for those; we ship psycopg 3.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def index_snapshot_dir(env: dict[str, str] | None = None) -> Path | None:
    """LOKETWIJZER_INDEX_SNAPSHOT_DIR: where a serving process keeps finder index snapshots
    and the built matcher (default instance/finder_index; ``off`` or ``0``: none, every
    process builds)."""
    value = (os.environ if env is None else env).get("LOKETWIJZER_INDEX_SNAPSHOT_DIR", "")
    value = value.strip()
    if value.lower() in {"0", "off", "false", "no", "nee"}:
        return None
    return Path(value).expanduser().resolve() if value else DEFAULT_INDEX_SNAPSHOT_DIR


def default_sources_dir() -> Path | None:
    env = os.environ.get("LOKETWIJZER_SOURCES")
    if env:
        return Path(env).expanduser().resolve()
    return SHARED_MIRROR if SHARED_MIRROR.is_dir() else None


@dataclass(frozen=True)
class Settings:
    """Runtime settings; one instance per app or CLI run."""

    database_url: str = field(default_factory=default_database_url)
    sources_dir: Path | None = field(default_factory=default_sources_dir)
    allow_online: bool = False
    tile_url: str = PDOK_BRT_TILES
    tile_attribution: str = PDOK_BRT_ATTRIBUTION
    stale_after_days: int = 365
    #: LOKETWIJZER_DOWNLOAD_URL: base URL under which the mirror's relative paths are fetched
    download_url: str | None = None
    #: where downloads are cached (default instance/downloads)
    download_cache: Path | None = None
    public_url: str | None = None  # LOKETWIJZER_PUBLIC_URL: base of every absolute link
    trusted_hosts: tuple[str, ...] = ()  # LOKETWIJZER_TRUSTED_HOSTS, besides localhost
    #: LOKETWIJZER_PROXIES: how many reverse proxies in front set X-Forwarded-For (0: none),
    #: so rate limits count each visitor, not the proxy
    proxies: int = 0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        sources = env.get("LOKETWIJZER_SOURCES")
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL") or default_database_url()),
            sources_dir=Path(sources).expanduser().resolve() if sources else default_sources_dir(),
            allow_online=env.get("LOKETWIJZER_ONLINE", "").lower() in {"1", "true", "yes"},
            tile_url=env.get("LOKETWIJZER_TILE_URL") or PDOK_BRT_TILES,
            tile_attribution=env.get("LOKETWIJZER_TILE_ATTRIBUTION") or PDOK_BRT_ATTRIBUTION,
            stale_after_days=int(env.get("LOKETWIJZER_STALE_AFTER_DAYS") or 365),
            download_url=env.get("LOKETWIJZER_DOWNLOAD_URL") or None,
            download_cache=(Path(env["LOKETWIJZER_DOWNLOAD_CACHE"]).expanduser().resolve()
                            if env.get("LOKETWIJZER_DOWNLOAD_CACHE") else None),
            public_url=env.get("LOKETWIJZER_PUBLIC_URL") or None,
            trusted_hosts=tuple(h.strip().lower() for h in
                                env.get("LOKETWIJZER_TRUSTED_HOSTS", "").split(",") if h.strip()),
            proxies=max(0, int(env.get("LOKETWIJZER_PROXIES") or 0)),
        )
