"""A live Loketwijzer on 127.0.0.1 and a headless Chromium that may talk to nothing else.

The database is imported once per session: the real source mirror when ../shared/data is
there (a search for 3511, Utrecht), else the made-up fixture mirror (9011, Teststad).
Chromium is Debian's (``playwright install`` cannot download browsers here); without it
the suite skips, except in CI where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from loketwijzer.config import Settings
from loketwijzer.db import Database
from tests.conftest import IN_CI, SHARED_DATA, import_fixture_mirror, real_mirror_copy

CHROMIUM = os.environ.get("LOKETWIJZER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}


@dataclass(frozen=True)
class LiveData:
    """What the browser tests search for, depending on the data that was imported."""

    base_url: str
    postcode: str
    query: str
    real_mirror: bool


@dataclass
class RequestLog:
    """Every request the page made, sorted by where it went."""

    tiles: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)  # console reports of the CSP


class _Shared:
    """Process-wide, reference-counted resources.

    Other test modules reuse these fixtures by importing them (``chromium =
    browser_fixtures.chromium``), which registers a second fixture of the same name.
    Without sharing, that second one would import the data again and start a second
    Playwright, which the sync API refuses in the same thread.
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.closers: dict[str, Callable[[], None]] = {}
        self.users: dict[str, int] = {}

    @contextmanager
    def use(self, name: str, start: Callable[[], tuple[object, Callable[[], None]]]
            ) -> Iterator[object]:
        if name not in self.values:
            self.values[name], self.closers[name] = start()
        self.users[name] = self.users.get(name, 0) + 1
        try:
            yield self.values[name]
        finally:
            self.users[name] -= 1
            if self.users[name] == 0:
                closer = self.closers.pop(name)
                del self.values[name]
                closer()


_shared = _Shared()


def _missing_browser(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests need Chromium in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, bool]]:
    """One SQLite database for the whole browser session, imported once."""

    def start() -> tuple[tuple[Settings, bool], Callable[[], None]]:
        real = (SHARED_DATA / "geo" / "gemeenten_2024.geojson").exists()
        if real:  # a private copy of the real mirror the other tests import once
            url = real_mirror_copy(tmp_path_factory, SHARED_DATA, "browser-db")
            settings = Settings(database_url=url, sources_dir=SHARED_DATA)
        else:
            from tests.mirror_fixture import write_mirror

            url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'live.db'}"
            db = Database(url)
            db.create_all()
            mirror = write_mirror(tmp_path_factory.mktemp("browser-mirror"))
            import_fixture_mirror(db, mirror)
            db.dispose()
            settings = Settings(database_url=url, sources_dir=mirror)
        return (settings, real), lambda: None

    with _shared.use("live_db", start) as value:
        yield value


@pytest.fixture(scope="session")
def live_server(live_db: tuple[Settings, bool]) -> Iterator[LiveData]:
    """The app served by werkzeug on a free port of 127.0.0.1, in a background thread."""

    def start() -> tuple[LiveData, Callable[[], None]]:
        from werkzeug.serving import WSGIRequestHandler, make_server

        from webapp import create_app

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs) -> None:  # keep test output readable
                pass

        settings, real = live_db
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="live-server",
                                  daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            thread.join(timeout=5)
            app.extensions["loketwijzer_db"].dispose()

        data = LiveData(
            base_url=f"http://127.0.0.1:{server.server_port}",
            postcode="3511" if real else "9011",
            query="huurachterstand",
            real_mirror=real,
        )
        return data, stop

    with _shared.use("live_server", start) as value:
        yield value


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        _missing_browser(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        _missing_browser(f"playwright is not installed: {exc}")

    def start() -> tuple[object, Callable[[], None]]:
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:
            playwright.stop()
            _missing_browser(f"Chromium does not start: {str(exc).splitlines()[0]}")

        def stop() -> None:
            browser.close()
            playwright.stop()

        return browser, stop

    with _shared.use("chromium", start) as value:
        yield value


@pytest.fixture
def requests_log() -> RequestLog:
    return RequestLog()


@pytest.fixture
def page(chromium, live_server: LiveData, requests_log: RequestLog):
    """A fresh page whose every request is checked: our server passes, map tiles are
    recorded and aborted (no network here, and none needed), anything else is recorded
    as foreign and aborted."""
    tile_host = urlsplit(Settings().tile_url).hostname

    def route(route, request) -> None:
        host = urlsplit(request.url).hostname
        if host in LOCAL_HOSTS:
            requests_log.local.append(request.url)
            route.continue_()
        elif host == tile_host:
            requests_log.tiles.append(request.url)
            route.abort()
        else:
            requests_log.foreign.append(request.url)
            route.abort()

    context = chromium.new_context(locale="nl-NL", viewport={"width": 412, "height": 915})
    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda msg: requests_log.csp_violations.append(msg.text)
          if "Content Security Policy" in msg.text else None)
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
