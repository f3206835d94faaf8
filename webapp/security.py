"""Sessions and CSRF for the forms (issue 10). Security headers live elsewhere.

- The secret key comes from ``LOKETWIJZER_SECRET_KEY``, else from ``instance/secret_key``
  (created once with a random value), so sessions survive restarts and workers agree.
- The session cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` unless
  ``LOKETWIJZER_COOKIE_SECURE=0`` (plain-http development).
- Every POST outside ``/api/`` must carry the session's ``csrf_token`` form field;
  a missing or wrong token is a 400. The JSON API uses Bearer tokens instead.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from pathlib import Path

from flask import Flask, abort, request, session

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
EXEMPT_PREFIXES = ("/api/",)


def _secret_key(app: Flask) -> str:
    env = os.environ.get("LOKETWIJZER_SECRET_KEY")
    if env:
        return env
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # several workers may start at once: the first one writes, all read
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)  # another worker is still writing it
    raise RuntimeError(f"empty secret key file: {path}")


def csrf_token() -> str:
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def rotate_session() -> None:
    """A new session (and CSRF token) at login and logout: no session fixation."""
    session.clear()
    session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or request.path.startswith(EXEMPT_PREFIXES):
        return
    expected = session.get(CSRF_SESSION_KEY)
    given = request.form.get(CSRF_FIELD, "")
    if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
        abort(400)


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    secure = os.environ.get("LOKETWIJZER_COOKIE_SECURE", "1").lower() not in {"0", "false",
                                                                              "no"}
    app.config.setdefault("SESSION_COOKIE_SECURE", secure)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="lw_session", PERMANENT_SESSION_LIFETIME=8 * 3600)
    app.before_request(_check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token


def client_key() -> str:
    """A salted hash of the visitor's address, for rate limits (the address is not kept).

    Behind ``LOKETWIJZER_PROXIES`` reverse proxies, ProxyFix (app factory) makes
    ``remote_addr`` the visitor's own address instead of the proxy's.
    """
    from flask import current_app

    from loketwijzer.actions.suggestions import client_key as hashed

    return hashed(request.remote_addr, current_app.config["SECRET_KEY"])
