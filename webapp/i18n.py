"""Dutch by default, English on request (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import Babel

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


def init_app(app: Flask) -> None:
    compile_translations(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    Babel(app, locale_selector=select_locale)

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
