"""Fetch a source from its official address when the mirror lacks it (opt-in: --online)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from importers.base import SourceUnreadable
from loketwijzer.config import REPO_ROOT

DOWNLOAD_DIR = REPO_ROOT / "instance" / "downloads"
TIMEOUT = (10, 120)  # connect, read seconds
USER_AGENT = "Loketwijzer/0.1 (+https://github.com/loketwijzer; open-source referral finder)"


def download(url: str, name: str, *, directory: Path | None = None) -> Path:
    """Download ``url`` to ``directory/name/<file>`` atomically; reuse nothing stale."""
    import requests

    target_dir = (directory or DOWNLOAD_DIR) / name
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / (Path(urlparse(url).path).name or f"{name}.dat")
    fd, tmp = tempfile.mkstemp(dir=target_dir, suffix=".part")
    try:
        with requests.get(url, stream=True, timeout=TIMEOUT,
                          headers={"User-Agent": USER_AGENT}) as response, \
                os.fdopen(fd, "wb") as fh:
            response.raise_for_status()
            for chunk in response.iter_content(chunk_size=1 << 16):
                fh.write(chunk)
        os.replace(tmp, target)
    except requests.RequestException as exc:
        raise SourceUnreadable(f"downloaden van {url} mislukt: {exc}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
