"""Protective response headers and host handling, in one place.

* **Content-Security-Policy**: scripts, styles, images and connections only from our own
  host; map tiles also from the tile host (PDOK by default, ``Settings.tile_url``). The
  inline scripts Folium writes carry a per-request nonce (:func:`nonce_scripts`, used by
  the map templates); nothing else inline may run. Styles allow ``'unsafe-inline'``
  because Leaflet and Folium write ``style`` attributes, which nonces cannot cover.
* **Framing**: ``frame-ancestors 'none'`` plus ``X-Frame-Options: DENY`` for old browsers.
* **Caching**: searches and service pages can reveal what someone is going through
  (violence, debts): ``Cache-Control: no-store`` on those (:data:`NO_STORE_PREFIXES`).
* **No cookies on the API**: a ``Set-Cookie`` on an ``/api/`` response is dropped.
* **Hosts**: requests are accepted only for trusted hosts (Flask's ``TRUSTED_HOSTS``; a
  bad ``Host`` gets a plain 400 with the same headers). With ``LOKETWIJZER_PUBLIC_URL``
  every absolute link is built from that URL, never from the request's ``Host``.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask.sessions import SessionInterface
from markupsafe import Markup
from werkzeug.exceptions import SecurityError

# Paths whose responses must never be stored by a browser or proxy.
NO_STORE_PREFIXES = ("/zoek", "/dienst/", "/api/v1/services", "/api/v1/match")
API_PREFIX = "/api/"
HEALTH_PATH = "/healthz"
# Hosts trusted when nothing is configured: the machine itself (``make run`` binds here).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
NONCE_BYTES = 16

_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\b(?:nonce|src)=)", re.IGNORECASE)


def public_url_parts(public_url: str | None) -> tuple[str, str, str] | None:
    """(scheme, host[:port], path) of the configured public base URL, or None."""
    if not public_url:
        return None
    parts = urlsplit(public_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"LOKETWIJZER_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
    return parts.scheme, parts.netloc.lower(), parts.path.rstrip("/")


def trusted_hosts(public_url: str | None, extra: list[str]) -> list[str]:
    hosts = list(LOCAL_HOSTS) + list(extra)
    public = public_url_parts(public_url)
    if public:
        hosts.append(public[1].split(":")[0] if not public[1].startswith("[") else public[1])
    return list(dict.fromkeys(hosts))


def origin_of(url: str) -> str | None:
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    if parts.scheme in {"http", "https"} and parts.hostname:
        return f"{parts.scheme}://{parts.netloc.split('@')[-1]}"
    return None


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(NONCE_BYTES)
    return nonce


def nonce_scripts(html: str) -> Markup:
    """Give every inline ``<script>`` in already-safe ``html`` this request's nonce
    (scripts with a ``src`` are ours: the policy allows 'self')."""
    nonce = csp_nonce()
    return Markup(_SCRIPT_TAG.sub(f'<script nonce="{nonce}"', str(html)))


def content_security_policy(nonce: str, tile_origin: str | None) -> str:
    tiles = f" {tile_origin}" if tile_origin else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data:{tiles}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _without_api_cookies(interface: SessionInterface) -> SessionInterface:
    """The app's session interface, never saving (so never setting a cookie) on the API.

    Flask writes the session cookie after the after-request hooks, e.g. to refresh a
    signed-in editor's session; the API answers without cookies all the same.
    """
    base = type(interface)

    class NoApiCookies(base):  # type: ignore[misc, valid-type]
        def open_session(self, app, request):  # type: ignore[override]
            # No cookie (every API call, a resident's first page): a new empty session,
            # as the base returns, without building the signing serializer per request.
            if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
                return self.session_class()
            return super().open_session(app, request)

        def save_session(self, app, session, response):  # type: ignore[override]
            if request.path.startswith(API_PREFIX):
                return None
            return super().save_session(app, session, response)

    wrapped = NoApiCookies.__new__(NoApiCookies)
    wrapped.__dict__.update(interface.__dict__)
    return wrapped


def init_app(app: Flask, *, public_url: str | None, extra_hosts: list[str],
             tile_url: str | None) -> None:
    public = public_url_parts(public_url)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(public_url, extra_hosts)
    tile_origin = origin_of(tile_url) if tile_url else None

    if public:
        scheme, netloc, path = public
        build_adapter = app.create_url_adapter

        def create_url_adapter(req):
            adapter = build_adapter(req)
            if adapter is not None and req is not None:
                # Absolute URLs (share links, redirects) come from the public URL only.
                adapter.url_scheme = scheme
                adapter.server_name = netloc
                adapter.script_name = path + "/"
            return adapter

        app.create_url_adapter = create_url_adapter  # type: ignore[method-assign]

    app.session_interface = _without_api_cookies(app.session_interface)
    app.jinja_env.filters["lw_nonce"] = nonce_scripts
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.errorhandler(SecurityError)
    def _bad_host(_exc: SecurityError):
        if request.path == HEALTH_PATH:  # probes often use an IP as Host; it builds no link
            return app.view_functions["health.healthz"]()
        # No template: without a trusted host there is no URL adapter to build links.
        return Response("Bad Request: unknown host\n", status=400, mimetype="text/plain")

    def _protect(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), tile_origin)
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        path = request.path
        if path.startswith(NO_STORE_PREFIXES):
            headers["Cache-Control"] = "no-store"
            headers.setdefault("Pragma", "no-cache")
        if path.startswith(API_PREFIX):
            headers.remove("Set-Cookie")
        return response

    # After-request hooks run in reverse order: first in the list means it runs last, so
    # these headers win over anything a blueprint or extension set (e.g. a language cookie).
    app.after_request_funcs.setdefault(None, []).insert(0, _protect)
