"""Dutch by default, English on request (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_app_context, request
from flask_babel import Babel, get_translations

LANGUAGES = ("nl", "en")


def select_locale() -> str:
    """Dutch unless the visitor chose English: many Dutch residents have an English phone,
    so the browser's language says little about what they read best."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    return asked if asked in LANGUAGES else "nl"


def compile_translations(directory: Path) -> None:
    """Compile .po to .mo when the .mo is missing or older (no build step to forget)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src)
        with mo.open("wb") as dst:
            write_mo(dst, catalog)


def request_translations():
    """This request's translations, looked up once per request and locale.

    Flask-Babel's own template ``_()`` finds the context, the locale and the catalogue
    anew on each call: a page of 20 results makes hundreds of calls, and that was a fifth
    of ``/zoek``. Keyed by the locale object, so ``force_locale`` still switches."""
    if not has_app_context():
        return get_translations()  # Flask-Babel's answer outside the app: no translation
    ctx = g._get_current_object()
    babel_ctx = getattr(ctx, "_flask_babel", None)
    locale = getattr(babel_ctx, "babel_locale", None)
    cached = getattr(ctx, "_lw_translations", None)
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    locale = getattr(getattr(ctx, "_flask_babel", None), "babel_locale", None)
    ctx._lw_translations = (locale, translations)
    return translations


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` through :func:`request_translations` (hot paths: result
    cards and map popups call it hundreds of times per page)."""
    text = request_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext`` through :func:`request_translations`."""
    variables.setdefault("num", num)
    return request_translations().ungettext(singular, plural, num) % variables


def init_app(app: Flask) -> None:
    compile_translations(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )

    @app.after_request
    def _remember_language(response):
        asked = request.args.get("lang")
        if asked in LANGUAGES and not request.path.startswith("/api/"):  # API: no cookies
            response.set_cookie("lang", asked, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    @app.context_processor
    def _language() -> dict:
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "nl")}
