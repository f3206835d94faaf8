"""The image and the requirements: what runs is separate from what tests."""

from __future__ import annotations

from loketwijzer.config import REPO_ROOT

DEV_TOOLS = ("pytest", "playwright", "axe-playwright-python", "ruff")


def names(path) -> set[str]:
    out = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            out.add(line.split("==")[0].split("[")[0].lower())
    return out


def test_runtime_requirements_hold_no_test_tools():
    runtime = names(REPO_ROOT / "requirements.txt")
    assert "gunicorn" in runtime and "flask" in runtime
    assert not runtime & set(DEV_TOOLS)
    dev_text = (REPO_ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in dev_text
    assert set(DEV_TOOLS) <= names(REPO_ROOT / "requirements-dev.txt")


def test_dockerignore_keeps_local_state_out():
    ignored = {line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "instance", "tests", ".pytest_cache"} <= ignored


def test_dockerfile_serves_with_a_healthcheck_and_a_separate_import_step():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "requirements-dev" not in dockerfile.split("FROM", 1)[1].replace(
        "(requirements-dev.txt)", "")
    entry = (REPO_ROOT / "docker" / "entrypoint.sh").read_text()
    assert "set -eu" in entry and "import-all" in entry and "gunicorn -c gunicorn.conf.py" in entry
    import_step = entry.split("import)")[1].split(";;")[0]
    assert "gunicorn" not in import_step  # migrate + import only, its exit code is the job's


def test_ci_runs_ruff_and_the_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and ci.rstrip().endswith("make test")
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "gunicorn -c gunicorn.conf.py" in makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "flask" in makefile.split("\ndev:")[1].split("\n\n")[0].lower()
