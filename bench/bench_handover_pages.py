"""Measure: A4 pages of the hand-over sheet (three services, first steps, QR code, notes)
in Chromium's own print-to-PDF, for a handful of searches; and the widest audit
scorecard table against a 1366 px screen. Prints figures, asserts nothing.

Serves the app on 127.0.0.1:5108 from the same database as bench_services.py
(``LOKETWIJZER_BENCH_DB`` to reuse one) and drives /usr/bin/chromium via Playwright.

    .venv/bin/python bench/bench_handover_pages.py
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_services import prepare_db  # noqa: E402

PORT = 5108
CHROMIUM = "/usr/bin/chromium"
SEARCHES = [("huurachterstand", "3511"), ("ontslag", "1012"), ("schulden", "5611"),
            ("toeslagen", "3531"), ("bijstand", "9711"), ("boete", "2511"),
            ("scheiding", "6811"), ("huur", "1102"), ("schulden", "3011")]
AUDITS = ["GM0363", "GM0344", "GM0014"]
SCREEN = 1366
TABLES_JS = """() => [...document.querySelectorAll('table.audit-table')].map(t => {
    t.style.width = 'min-content'; const need = t.scrollWidth; t.style.width = '';
    return [need, (t.closest('.table-scroll') || t.parentElement).clientWidth]; })"""


def main() -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from loketwijzer.config import Settings
    from webapp import create_app

    app = create_app(Settings(database_url=prepare_db()))
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{PORT}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": SCREEN, "height": 800})
            page.route("**/*", lambda r, req: r.continue_() if req.url.startswith(base)
                       else r.abort())
            print("hand-over sheet, first three results (A4 pages):")
            for q, postcode in SEARCHES:
                page.goto(f"{base}/zoek/print?{urlencode({'q': q, 'postcode': postcode})}")
                services = page.locator(".handover-item").count() - 1
                pdf = page.pdf(format="A4")
                pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
                print(f"  {q:16} {postcode}: {services} services, {pages} page(s)")
            print(f"audit tables at {SCREEN} px (min-content width / available):")
            for code in AUDITS:
                page.goto(f"{base}/audit/{code}")
                widths = page.evaluate(TABLES_JS)
                print(f"  {code}: " + ", ".join(f"{need}/{box}" for need, box in widths))
            browser.close()
    finally:
        server.shutdown()
        app.extensions["loketwijzer_db"].dispose()


if __name__ == "__main__":
    main()
