"""/beheer: editors keep their records true (issue 10). Everything behind a login.

Thin: every operation is an action in ``loketwijzer.actions`` that checks the actor's
scope itself; this module only turns forms into calls and results into pages.
"""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from loketwijzer import editable
from loketwijzer.actions import accounts, editing, freshness, imports, review
from loketwijzer.actions.admin import data_status
from loketwijzer.errors import ActionError
from loketwijzer.models.accounts import ROLES
from webapp.cli_accounts import set_password_link
from webapp.db import get_db, get_session, get_settings
from webapp.security import rotate_session

bp = Blueprint("admin", __name__, url_prefix="/beheer")
SESSION_USER = "user_id"


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        user = accounts.active_user(get_session(), session.get(SESSION_USER))
        if user is None:
            return redirect(url_for("admin.login", next=request.full_path
                                    if request.method == "GET" else None))
        g.user = user
        g.actor = accounts.actor_for(user)
        return view(*args, **kwargs)
    return wrapped


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/beheer") and not target.startswith("//"):
        return target
    return url_for("admin.start")


@bp.app_context_processor
def _admin_context():
    return {"admin_user": g.get("user")}


# ------------------------------------------------------------------ login & password

@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user = accounts.login(get_session(), request.form.get("email", ""),
                                  request.form.get("password", ""))
        except ActionError as exc:
            error = exc.message
        else:
            rotate_session()
            session[SESSION_USER] = user.id
            return redirect(_safe_next(request.args.get("next")))
    return render_template("beheer/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    rotate_session()
    return redirect(url_for("admin.login"))


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    db = get_session()
    error = None
    try:
        accounts.check_password_token(db, token)
    except ActionError as exc:
        return render_template("error.html", status=400, message=exc.message,
                               suggestions=[]), 400
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            error = _("De twee wachtwoorden zijn niet gelijk.")
        else:
            try:
                accounts.set_password(db, token, password)
            except ActionError as exc:
                error = exc.message
            else:
                flash(_("Uw wachtwoord is ingesteld. U kunt nu inloggen."))
                return redirect(url_for("admin.login"))
    return render_template("beheer/set_password.html", error=error,
                           min_length=accounts.MIN_PASSWORD)


# ------------------------------------------------------------------ start page

@bp.get("/")
@login_required
def start():
    settings = get_settings()
    records = freshness.start_page(get_session(), g.actor,
                                   stale_after_days=settings.stale_after_days)
    info = data_status(get_session(), stale_after_days=settings.stale_after_days) \
        if g.actor.is_admin else None
    return render_template("beheer/start.html", records=records, info=info)


# ------------------------------------------------------------------ editing

def _form_changes(service) -> dict:
    """Only the fields the form changed (so untouched fields do not become overrides)."""
    current = editable.snapshot(service)
    changes = {}
    for field in editable.FIELDS:
        if field.kind == "bool":
            value = field.name in request.form
            if value != bool(current[field.name]):
                changes[field.name] = value
            continue
        if field.name not in request.form:
            continue
        raw = request.form.get(field.name, "")
        shown = "" if current[field.name] is None else str(current[field.name])
        if raw.strip() != shown.strip():
            changes[field.name] = raw
    return changes


@bp.route("/dienst/<service_id>", methods=["GET", "POST"])
@login_required
def edit(service_id: str):
    db = get_session()
    service = editing.load_service(db, service_id)
    from loketwijzer.auth import require_edit

    require_edit(db, g.actor, service)
    errors: dict[str, str] = {}
    values = editable.snapshot(service)
    if request.method == "POST":
        changes = _form_changes(service)
        if changes:
            try:
                result = editing.edit_service(db, g.actor, service_id, changes)
            except editing.FieldErrors as exc:
                errors = {e.field: e.message for e in exc.errors}
                values.update({k: v for k, v in changes.items()})
            else:
                flash(_("Opgeslagen: %(n)s veld(en) gewijzigd.", n=len(result.changed)))
                return redirect(url_for("admin.edit", service_id=service_id))
        else:
            flash(_("Er was niets gewijzigd."))
    status = 422 if errors else 200
    return render_template("beheer/edit.html", service=service, fields=editable.FIELDS,
                           values=values, errors=errors), status


@bp.post("/dienst/<service_id>/klopt-nog")
@login_required
def confirm(service_id: str):
    freshness.confirm_service(get_session(), g.actor, service_id)
    flash(_("Bevestigd: de gegevens kloppen nog (gecontroleerd op vandaag)."))
    if request.form.get("back") == "start":
        return redirect(url_for("admin.start"))
    return redirect(url_for("admin.edit", service_id=service_id))


@bp.get("/dienst/<service_id>/geschiedenis")
@login_required
def history(service_id: str):
    db = get_session()
    service = editing.load_service(db, service_id)
    versions = editing.history(db, g.actor, service_id)
    from loketwijzer.auth import can_edit

    return render_template("beheer/history.html", service=service, versions=versions,
                           may_edit=can_edit(db, g.actor, service))


@bp.post("/versie/<int:version_id>/terugzetten")
@login_required
def revert(version_id: str):
    result = editing.revert_version(get_session(), g.actor, version_id)
    flash(_("Teruggezet.") if result.changed else _("Er was niets terug te zetten."))
    return redirect(url_for("admin.history", service_id=result.service_id))


# ------------------------------------------------------------------ review queue

@bp.get("/beoordelen")
@login_required
def review_queue():
    return render_template("beheer/review.html",
                           items=review.open_items(get_session(), g.actor))


@bp.post("/beoordelen/<int:item_id>")
@login_required
def decide(item_id: int):
    accept = request.form.get("decision") == "accept"
    try:
        decision = review.decide(get_session(), g.actor, item_id, accept=accept,
                                 reason=request.form.get("reason"))
    except ActionError as exc:
        if exc.status == 403:
            raise
        flash(exc.message)
        return redirect(url_for("admin.review_queue"))
    if decision.set_password_token:
        flash(_("Account gekoppeld voor %(email)s. Stuur deze eenmalige link: %(link)s",
                email=decision.user_email, link=set_password_link(decision.set_password_token)))
    else:
        flash(_("Verwerkt."))
    return redirect(url_for("admin.review_queue"))


# ------------------------------------------------------------------ imports

@bp.get("/imports")
@login_required
def import_runs():
    return render_template("beheer/imports.html",
                           runs=imports.import_runs(get_session(), g.actor))


@bp.route("/sociale-kaart", methods=["GET", "POST"])
@login_required
def upload():
    report = None
    status = 200
    if request.method == "POST":
        upload_file = request.files.get("file")
        name = secure_filename(upload_file.filename or "") if upload_file else ""
        if not name:
            flash(_("Kies een bestand."))
            return redirect(url_for("admin.upload"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            data = upload_file.stream.read(imports.MAX_UPLOAD_BYTES + 1)
            path.write_bytes(data)
            report = imports.upload_sociale_kaart(get_db(), g.actor, path, get_settings())
        status = 200 if report["status"] == "ok" else 422
    else:
        imports.may_import(g.actor)  # the same role check as the upload
    return render_template("beheer/upload.html", report=report), status


@bp.get("/sociale-kaart-template.<fmt>")
def template(fmt: str):
    """The empty template, generated in memory (public: it holds no data)."""
    if fmt not in {"csv", "xlsx"}:
        abort(404)
    from importers.sociale_kaart_template import template_bytes

    # Built in memory: no temporary file or folder per request.
    mimetype = ("text/csv" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(io.BytesIO(template_bytes(fmt)), mimetype=mimetype, as_attachment=True,
                     download_name=f"sociale-kaart-template.{fmt}")


# ------------------------------------------------------------------ users (admins)

@bp.route("/gebruikers", methods=["GET", "POST"])
@login_required
def users():
    db = get_session()
    link = None
    if request.method == "POST":
        try:
            if request.form.get("action") == "disable":
                accounts.disable_user(db, g.actor, request.form.get("email", ""))
                flash(_("Account uitgeschakeld."))
            elif request.form.get("action") == "reset":
                link = set_password_link(accounts.reset_link(db, g.actor,
                                                             request.form.get("email", "")))
            else:
                new = accounts.create_user(
                    db, g.actor, request.form.get("email", ""), request.form.get("role", ""),
                    municipality=request.form.get("municipality") or None,
                    organization=request.form.get("organization") or None)
                link = set_password_link(new.set_password_token)
        except ActionError as exc:
            if exc.status == 403:
                raise
            flash(exc.message)
    return render_template("beheer/users.html", users=accounts.list_users(db, g.actor),
                           roles=ROLES, link=link)


# ------------------------------------------------------------------ scan questionnaire

@bp.route("/scan", methods=["GET", "POST"])
@login_required
def scan_answers():
    """The municipality answers the scan's questionnaire criteria (issue 14).

    Municipal editors answer for their own municipality; admins pick one with
    ``?gemeente=GMxxxx``. ``save_scan_answers`` checks the actor itself.
    """
    from loketwijzer.actions import scan
    from loketwijzer.scan import STATUSES
    from loketwijzer.scan.spec import SOURCE_VRAGENLIJST

    code = (request.values.get("gemeente") or g.actor.municipality or "").strip().upper()
    if not code:
        flash(_("Kies een gemeente, bijvoorbeeld ?gemeente=GM0363."))
        return render_template("beheer/scan.html", result=None, statuses=STATUSES)
    db = get_session()
    if not scan.can_answer(g.actor, code):
        abort(403)
    if request.method == "POST":
        answers = [{"criterion": cid, "status": request.form.get(f"status-{cid}", ""),
                    "comment": request.form.get(f"comment-{cid}") or None}
                   for cid in request.form.getlist("criterion")
                   if request.form.get(f"status-{cid}")]
        try:
            scan.save_scan_answers(db, g.actor, code, answers)
            db.commit()
            flash(_("De antwoorden zijn opgeslagen."))
            return redirect(url_for("admin.scan_answers", gemeente=code))
        except ActionError as exc:
            db.rollback()
            if exc.status == 403:
                raise
            flash(exc.message)
    result = scan.scan_municipality(db, code, stale_after_days=get_settings().stale_after_days)
    questions = [c for c in result.criteria() if c.source == SOURCE_VRAGENLIJST]
    return render_template("beheer/scan.html", result=result, questions=questions,
                           statuses=STATUSES, max_comment=scan.MAX_COMMENT)


# ------------------------------------------------------------------ Mysterie-check

@bp.route("/mysterie", methods=["GET", "POST"])
@login_required
def mysterie_work():
    """A municipality adds its own casussen and records its team sessions' findings
    (issue 11; the same actions as ``flask mysterie add`` and ``mysterie finding``)."""
    from loketwijzer.actions import mysterie
    from loketwijzer.mysterie.casus import MAX_FILE_BYTES, CasusInvalid, read_yaml_bytes
    from loketwijzer.mysterie.rules import VERDICTS

    code = (request.values.get("gemeente") or g.actor.municipality or "").strip().upper()
    db = get_session()
    if code and not mysterie.can_edit(g.actor, code):
        abort(403)
    problems: list[str] = []
    status = 200
    if code and request.method == "POST":
        try:
            if request.form.get("action") == "casus":
                upload_file = request.files.get("file")
                data = upload_file.stream.read(MAX_FILE_BYTES + 1) if upload_file else b""
                casus = mysterie.add_casus(db, g.actor, read_yaml_bytes(data),
                                           municipality=code)[0]
                db.commit()
                mysterie.clear_cache()
                flash(_("Casus %(id)s is opgeslagen.", id=casus.id))
            else:
                mysterie.record_finding(
                    db, g.actor, code, request.form.get("casus", ""),
                    verdict=request.form.get("verdict", ""),
                    text=request.form.get("text", ""), owner=request.form.get("owner", ""),
                    date=request.form.get("date") or None,
                    action=request.form.get("improvement") or None,
                    step=request.form.get("step") or None)
                db.commit()
                flash(_("De bevinding is opgeslagen."))
            return redirect(url_for("admin.mysterie_work", gemeente=code))
        except CasusInvalid as exc:
            db.rollback()
            problems = [str(p) for p in exc.problems]
            status = 422
        except ActionError as exc:
            db.rollback()
            if exc.status == 403:
                raise
            problems = [exc.message]
            status = 422 if exc.status != 404 else 404
    context = {"code": code, "problems": problems, "verdicts": VERDICTS,
               "max_kb": MAX_FILE_BYTES // 1024}
    if code:
        context.update(casussen=mysterie.list_casussen(db, code),
                       own=mysterie.own_casussen(db, code),
                       findings=mysterie.list_findings(db, code))
    return render_template("beheer/mysterie.html", **context), status
