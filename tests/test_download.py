"""Sources over HTTP (importers/fetch.py): LOKETWIJZER_DOWNLOAD_URL against a local server.

The server serves a copy of the fixture mirror and can misbehave per path: cut a file
short (always or once), answer with an HTML page, or not know the file (404).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from importers import fetch
from importers.base import SourceUnreadable
from importers.reference_geo import MunicipalityProvider, Pc4Provider
from importers.roo import RooTownHallProvider
from loketwijzer.config import Settings
from loketwijzer.models import Pc4Area


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    modes: dict[str, str] = {}
    hits: Counter = Counter()
    ranges: list[str] = []

    def log_message(self, *_args) -> None:  # keep test output readable
        pass

    def do_GET(self) -> None:
        path = self.path.lstrip("/")
        self.hits[path] += 1
        mode = self.modes.get(path)
        if mode == "html":
            body = b"<!DOCTYPE html><html><body>Inloggen op het wifi-netwerk</body></html>"
            self._send(body, len(body))
        elif mode == "resume" and self.hits[path] == 2:
            data = (Path(self.directory) / path).read_bytes()
            start = int((self.headers["Range"] or "bytes=0-").removeprefix("bytes=").rstrip("-"))
            self.ranges.append(self.headers["Range"] or "")
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])
        elif mode in ("truncate", "resume") or (mode == "truncate-once"
                                                 and self.hits[path] == 1):
            data = (Path(self.directory) / path).read_bytes()
            self._send(data[: len(data) // 2], len(data))
            self.close_connection = True
        else:
            super().do_GET()

    def _send(self, body: bytes, length: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def mirror_server(fixture_mirror: Path, tmp_path: Path, monkeypatch) -> Iterator[str]:
    served = tmp_path / "served"
    shutil.copytree(fixture_mirror, served)
    MirrorHandler.modes = {}
    MirrorHandler.hits = Counter()
    MirrorHandler.ranges = []
    monkeypatch.setattr(fetch, "RETRY_PAUSE_SECONDS", 0.0)
    handler = functools.partial(MirrorHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def over_http(base: str, cache: Path, **kwargs) -> Settings:
    return Settings(database_url="sqlite://", sources_dir=None, download_url=base,
                    download_cache=cache, **kwargs)


def leftovers(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file() and p.name.endswith(".part")]


def test_mirror_url_keeps_the_base_path():
    assert fetch.mirror_url("https://a.example/data", "geo/x.csv") == \
        "https://a.example/data/geo/x.csv"
    assert fetch.mirror_url("https://a.example/data/", "/geo/x.csv") == \
        "https://a.example/data/geo/x.csv"


def test_import_all_over_http_without_a_mirror(db, mirror_server, tmp_path):
    from webapp import create_app

    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    cache = tmp_path / "cache"
    settings = Settings(database_url=db.url, sources_dir=None, download_url=mirror_server,
                        download_cache=cache)
    app = create_app(settings)
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["import-all", "--no-progress"])
        assert first.exit_code == 0, first.output
        assert "4 inserted" in first.output  # the fixture's municipalities
        assert (cache / "geo" / "gemeenten_2024.geojson").is_file()
        assert (cache / "geo" / "pc4_2020.geojson").is_file()  # the companion file
        with db.session() as session:
            with_boundary = session.scalar(select(func.count()).select_from(Pc4Area)
                                           .where(Pc4Area.boundary.is_not(None)))
        assert with_boundary > 0
        assert leftovers(cache) == []
        second = runner.invoke(args=["import-all", "--no-progress"])
        assert second.exit_code == 0, second.output
        assert "ongewijzigd" in second.output  # If-Modified-Since: 304, cached copy used
    finally:
        app.extensions["loketwijzer_db"].dispose()


def test_a_mirror_directory_comes_before_the_download_url(fixture_mirror, tmp_path):
    settings = Settings(database_url="sqlite://", sources_dir=fixture_mirror,
                        download_url="http://127.0.0.1:9/", download_cache=tmp_path)
    assert MunicipalityProvider(settings=settings).locate() == \
        fixture_mirror / "geo" / "gemeenten_2024.geojson"


def test_404_is_refused_and_leaves_nothing(mirror_server, tmp_path):
    cache = tmp_path / "cache"
    provider = MunicipalityProvider(settings=over_http(mirror_server + "nope/", cache))
    with pytest.raises(SourceUnreadable, match="404"):
        provider.locate()
    assert not (cache / "geo" / "gemeenten_2024.geojson").exists()
    assert leftovers(cache) == []


def test_truncated_file_is_retried_once_then_refused(mirror_server, tmp_path):
    cache = tmp_path / "cache"
    MirrorHandler.modes["geo/gemeenten_2024.geojson"] = "truncate"
    with pytest.raises(SourceUnreadable, match="mislukt"):
        MunicipalityProvider(settings=over_http(mirror_server, cache)).locate()
    assert MirrorHandler.hits["geo/gemeenten_2024.geojson"] == 2  # one retry
    assert not (cache / "geo" / "gemeenten_2024.geojson").exists()
    assert leftovers(cache) == []


def test_a_file_cut_once_succeeds_on_the_retry(mirror_server, tmp_path):
    cache = tmp_path / "cache"
    MirrorHandler.modes["geo/pc4_centroids.csv"] = "truncate-once"
    path = Pc4Provider(settings=over_http(mirror_server, cache)).locate()
    assert path == cache / "geo" / "pc4_centroids.csv"
    assert MirrorHandler.hits["geo/pc4_centroids.csv"] == 2
    assert path.read_bytes().startswith(b"pc4")


def test_a_broken_download_resumes_with_a_range_request(mirror_server, tmp_path,
                                                        fixture_mirror, monkeypatch):
    monkeypatch.setattr(fetch, "CHUNK_BYTES", 256)  # small reads: the part before the cut
    cache = tmp_path / "cache"
    MirrorHandler.modes["geo/gemeenten_2024.geojson"] = "resume"
    path = MunicipalityProvider(settings=over_http(mirror_server, cache)).locate()
    original = (fixture_mirror / "geo" / "gemeenten_2024.geojson").read_bytes()
    assert len(MirrorHandler.ranges) == 1
    resumed_at = int(MirrorHandler.ranges[0].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= len(original) // 2
    assert path.read_bytes() == original
    assert leftovers(cache) == []


def test_html_instead_of_data_is_refused(mirror_server, tmp_path):
    cache = tmp_path / "cache"
    MirrorHandler.modes["services/roo_gemeenten.csv"] = "html"
    with pytest.raises(SourceUnreadable, match="webpagina"):
        RooTownHallProvider(settings=over_http(mirror_server, cache)).locate()
    assert leftovers(cache) == []


def test_cached_copy_is_kept_when_the_server_is_gone(mirror_server, tmp_path):
    cache = tmp_path / "cache"
    path = RooTownHallProvider(settings=over_http(mirror_server, cache)).locate()
    before = path.read_bytes()
    offline = over_http("http://127.0.0.1:9/", cache)  # nothing listens on port 9
    assert RooTownHallProvider(settings=offline).locate() == path
    assert path.read_bytes() == before


def test_without_mirror_or_url_the_message_names_the_official_source(tmp_path):
    settings = Settings(database_url="sqlite://", sources_dir=None)
    with pytest.raises(SourceUnreadable) as info:
        MunicipalityProvider(settings=settings).locate()
    assert "LOKETWIJZER_DOWNLOAD_URL" in str(info.value)
    assert "pdok.nl" in str(info.value)


def test_download_url_from_the_environment():
    settings = Settings.from_env({"LOKETWIJZER_DOWNLOAD_URL": "http://mirror.example/data/"})
    assert settings.download_url == "http://mirror.example/data/"
