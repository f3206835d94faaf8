"""Fetch a source file over HTTP into a cache under ``instance/``, checked and atomic.

Where a file comes from (see :meth:`importers.base.Provider.locate`):

1. the local mirror directory (``LOKETWIJZER_SOURCES``, or ``../shared/data``);
2. ``LOKETWIJZER_DOWNLOAD_URL``: a base URL under which the mirror's own relative paths
   are fetched (``{base}geo/gemeenten_2024.geojson``) — an organisation's own mirror,
   and how the tests run offline against a local HTTP server;
3. the source's official URL, when that URL serves the same format and online fetching
   is allowed (``--online`` / ``LOKETWIJZER_ONLINE=1``).

A download:

* goes to ``<cache>/<mirror path>`` through a temporary file in the same folder and an
  atomic rename, so a half file is never read (nor left behind);
* shows progress on a terminal (a bar) and otherwise one line per file;
* is retried once when the connection breaks or the body is shorter than announced,
  resuming with a ``Range`` request where the server supports it;
* is checked before it replaces the cached copy: size limit, not an HTML page, and
  parseable as its format (CSV header, GeoJSON FeatureCollection, JSON, XML);
* sends ``If-Modified-Since`` when a cached copy exists: an unchanged file costs one
  request, and when the server cannot be reached the cached copy is used (with a note).
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlparse

from importers.base import SourceUnreadable
from importers.limits import MAX_FILE_BYTES
from loketwijzer.config import REPO_ROOT

log = logging.getLogger(__name__)

DOWNLOAD_DIR = REPO_ROOT / "instance" / "downloads"
TIMEOUT = (10, 120)  # connect, read seconds
ATTEMPTS = 2  # the first try and one retry
RETRY_PAUSE_SECONDS = 1.0
CHUNK_BYTES = 1 << 16
USER_AGENT = "Loketwijzer/0.1 (+https://github.com/loketwijzer; open-source referral finder)"
HTML_START = (b"<!doctype html", b"<html")


class DownloadFailed(SourceUnreadable):
    """A download that could not be completed or did not pass its checks (exit code 2)."""


def mirror_url(base: str, relative_path: str) -> str:
    """``{base}{relative_path}``; the base gets a trailing slash so nothing is dropped."""
    return urljoin(base if base.endswith("/") else base + "/", relative_path.lstrip("/"))


# -- checks ------------------------------------------------------------------------------

def check_download(path: Path, name: str) -> None:
    """Refuse a file that is empty, an HTML page, or not parseable as its own format."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise DownloadFailed(f"{name}: het gedownloade bestand is leeg")
    if head.lstrip().lower().startswith(HTML_START):
        raise DownloadFailed(f"{name}: de server gaf een webpagina in plaats van het bestand")
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        from importers.readers import read_csv_header

        header = read_csv_header(path)
        if len(header) < 2:
            raise DownloadFailed(f"{name}: geen CSV met kolommen")
    elif suffix == ".geojson":
        from importers.readers import read_geojson

        if not read_geojson(path):
            raise DownloadFailed(f"{name}: GeoJSON zonder objecten")
    elif suffix == ".json":
        try:
            json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise DownloadFailed(f"{name} is geen geldige JSON: {exc}") from exc
    elif suffix == ".xml" and not head.lstrip().startswith(b"<"):
        raise DownloadFailed(f"{name} is geen XML")


# -- download -----------------------------------------------------------------------------

def _progress(total: int | None, desc: str, enabled: bool) -> Callable[[int], None]:
    if not enabled:
        return lambda _n: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr,
               leave=False)
    return bar.update


def _fetch_once(url: str, tmp: Path, cached: Path | None, show_progress: bool,
                label: str) -> bool:
    """Download ``url`` into ``tmp``. False when the server says the cache is current.

    When ``tmp`` already holds the start of the file (an earlier attempt broke off), the
    rest is asked for with a ``Range`` request; a server that ignores it sends the whole
    file again, which then replaces the part.
    """
    import requests

    have = tmp.stat().st_size if tmp.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    elif cached is not None:
        headers["If-Modified-Since"] = email.utils.formatdate(cached.stat().st_mtime,
                                                              usegmt=True)
    with requests.get(url, stream=True, timeout=TIMEOUT, headers=headers) as response:
        if response.status_code == 304 and cached is not None:
            return False
        resumed = have and response.status_code == 206 and \
            response.headers.get("Content-Range", "").startswith(f"bytes {have}-")
        if response.status_code != 200 and not resumed:
            raise DownloadFailed(f"downloaden van {url} mislukt: HTTP {response.status_code} "
                                 f"{response.reason or ''}".rstrip())
        announced = response.headers.get("Content-Length")
        expected = int(announced) if announced and announced.isdigit() else None
        received = have if resumed else 0
        if expected is not None:
            expected += received
        if expected is not None and expected > MAX_FILE_BYTES:
            raise DownloadFailed(f"{url}: het bestand is te groot ({expected} bytes)")
        update = _progress(expected, label, show_progress)
        update(received)
        with tmp.open("ab" if resumed else "wb") as fh:
            for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
                received += len(chunk)
                if received > MAX_FILE_BYTES:
                    raise DownloadFailed(f"{url}: het bestand is te groot (meer dan "
                                         f"{MAX_FILE_BYTES} bytes)")
                fh.write(chunk)
                update(len(chunk))
        if expected is not None and received != expected:
            raise _Truncated(f"{url}: {received} van {expected} bytes ontvangen")
        modified = response.headers.get("Last-Modified")
        if modified:
            try:
                stamp = email.utils.parsedate_to_datetime(modified).timestamp()
                os.utime(tmp, (stamp, stamp))
            except (TypeError, ValueError, OverflowError):
                pass
    return True


class _Truncated(Exception):
    """The body ended before Content-Length: worth one retry."""


def download(url: str, relative_path: str, *, cache_dir: Path | None = None,
             show_progress: bool | None = None,
             echo: Callable[[str], None] | None = None) -> Path:
    """Fetch ``url`` to ``cache_dir/relative_path``, checked and atomically; return the path.

    Raises :class:`DownloadFailed` (a SourceUnreadable: exit code 2) when the file cannot
    be fetched after one retry or fails its checks, unless a cached copy can be used.
    """
    target = (cache_dir or DOWNLOAD_DIR) / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    cached = target if target.is_file() else None
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    say = echo or (lambda text: print(text, file=sys.stderr))
    say(f"  downloaden: {url}")
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        return _attempts(url, target, tmp, cached, show_progress, say)
    finally:
        tmp.unlink(missing_ok=True)


def _attempts(url: str, target: Path, tmp: Path, cached: Path | None, show_progress: bool,
              say: Callable[[str], None]) -> Path:
    import requests

    last_error: Exception | None = None
    for attempt in range(1, ATTEMPTS + 1):
        try:
            started = time.perf_counter()
            if not _fetch_once(url, tmp, cached, show_progress, target.name):
                say(f"  ongewijzigd, kopie in de cache gebruikt: {target}")
                return target
            check_download(tmp, target.name)
            os.replace(tmp, target)
            size = target.stat().st_size
            say(f"  {target.name}: {size / 1024:.0f} KB in "
                f"{time.perf_counter() - started:.1f} s")
            return target
        except (_Truncated, requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            last_error = exc
            log.warning("download %s failed (attempt %d of %d): %s", url, attempt, ATTEMPTS,
                        exc)
            if attempt < ATTEMPTS:
                time.sleep(RETRY_PAUSE_SECONDS)
        except SourceUnreadable:
            raise
        except requests.RequestException as exc:
            last_error = exc
            break
    if cached is not None:
        say(f"  downloaden mislukt ({last_error}); de vorige kopie wordt gebruikt: {target}")
        return cached
    raise DownloadFailed(f"downloaden van {url} mislukt: {last_error}")


def cache_name(url: str, fallback: str) -> str:
    return Path(urlparse(url).path).name or fallback
