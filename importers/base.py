"""The one import pipeline every source goes through: read → validate → stage → upsert → report.

A provider only knows its own format (how to read rows and turn them into records);
the pipeline owns atomicity, error reporting, progress and the upsert. This mirrors
pygeoapi's provider pattern: many sources, one base class, one way in.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from loketwijzer.config import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class RowError:
    """Why one row (or the file header, row 1) was refused; shown to the person importing."""

    row: int | None
    field: str | None
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"rij {self.row}" if self.row is not None else "bestand"
        what = f", veld '{self.field}'" if self.field else ""
        shown = f" (waarde: {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}{what}: {self.reason}{shown}"


class RowRejected(Exception):
    """Raised by ``validate`` for a row that cannot be imported."""

    def __init__(self, errors: list[RowError] | RowError) -> None:
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(str(e) for e in self.errors))


class SourceUnreadable(Exception):
    """The file cannot be read at all (missing, wrong format): contract exit code 2."""


@dataclass
class Record:
    """One row to write: a model, its column values, and dependent rows replaced with it."""

    model: type
    values: dict[str, Any]
    children: list[Record] = field(default_factory=list)
    row: int | None = None


@dataclass
class ImportReport:
    provider: str
    source: str
    path: str | None = None
    status: str = "ok"  # ok | rejected | unreadable | failed
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: values that were left out without refusing the row (e.g. a URL in an e-mail field)
    warnings: list[RowError] = field(default_factory=list)
    message: str | None = None
    seconds: float = 0.0
    #: fields an editor changed that the source changed too (sent to the review queue)
    conflicts: int = 0

    @property
    def exit_code(self) -> int:
        return {
            "ok": EXIT_OK,
            "rejected": EXIT_REJECTED,
        }.get(self.status, EXIT_UNREADABLE)

    def summary(self) -> str:
        if self.status == "unreadable":
            return f"{self.provider}: bestand niet te lezen: {self.message}"
        if self.status == "failed":
            return f"{self.provider}: import afgebroken, niets gewijzigd: {self.message}"
        line = (
            f"{self.provider}: {self.inserted} inserted / {self.updated} updated / "
            f"{self.unchanged} unchanged / {self.rejected_rows} rejected"
        )
        if self.deactivated:
            line += f" / {self.deactivated} deactivated"
        if self.warnings:
            line += f" ({len(self.warnings)} waarschuwingen)"
        if self.status == "rejected":
            line += " — niets geschreven: het bestand gaat in zijn geheel in of helemaal niet"
        return line

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "source": self.source,
            "path": self.path,
            "status": self.status,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "rejected": self.rejected_rows,
            "errors": [e.__dict__ for e in self.errors],
            "warnings": [w.__dict__ for w in self.warnings],
            "message": self.message,
            "seconds": round(self.seconds, 3),
        }


class Provider(ABC):
    """A data source. Subclasses define how to find, read and validate their rows."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: provenance ``source`` written on every record (an instance may override it)
    source: str
    #: file inside the mirror directory, if the source has a fixed one
    mirror_path: ClassVar[str | None] = None
    #: where the publisher offers this data (named in messages and the README)
    official_url: ClassVar[str | None] = None
    #: an official address serving exactly the mirror's format; fetched as the last resort
    #: when online fetching is allowed (``--online`` / ``LOKETWIJZER_ONLINE=1``)
    download_url: ClassVar[str | None] = None
    #: further mirror files read next to ``mirror_path`` (fetched with it when downloading)
    companion_paths: ClassVar[tuple[str, ...]] = ()
    #: a full snapshot: services of this source missing from the file become inactive
    snapshot: ClassVar[bool] = True

    def __init__(self, path: Path | str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.path = Path(path) if path is not None else None
        if not hasattr(self, "source"):
            self.source = self.name

    # -- locate ---------------------------------------------------------------------------
    def locate(self) -> Path:
        """The file to read: an explicit path, the mirror copy, or a fresh download."""
        if self.path is not None:
            if not self.path.exists():
                raise SourceUnreadable(f"bestand bestaat niet: {self.path}")
            return self.path
        if self.mirror_path and self.settings.sources_dir:
            candidate = self.settings.sources_dir / self.mirror_path
            if candidate.exists():
                return candidate
        from importers import fetch

        failure: SourceUnreadable | None = None
        if self.mirror_path and self.settings.download_url:
            url = fetch.mirror_url(self.settings.download_url, self.mirror_path)
            try:
                path = fetch.download(url, self.mirror_path,
                                      cache_dir=self.settings.download_cache)
            except SourceUnreadable as exc:
                failure = exc
            else:
                self._fetch_companions(fetch)
                return path
        if self.download_url and self.settings.allow_online:
            return fetch.download(self.download_url,
                                  self.mirror_path or f"{self.name}/"
                                  f"{fetch.cache_name(self.download_url, self.name)}",
                                  cache_dir=self.settings.download_cache)
        if failure is not None:
            raise failure
        where = self.settings.sources_dir or ("(geen bronmap: zet LOKETWIJZER_SOURCES of "
                                              "LOKETWIJZER_DOWNLOAD_URL)")
        origin = f"; bron: {self.official_url}" if self.official_url else ""
        raise SourceUnreadable(f"{self.mirror_path or self.name} niet gevonden in {where}"
                               f"{origin}")

    def _fetch_companions(self, fetch: Any) -> None:
        for relative in self.companion_paths:
            url = fetch.mirror_url(self.settings.download_url, relative)
            try:
                fetch.download(url, relative, cache_dir=self.settings.download_cache)
            except SourceUnreadable as exc:  # optional extras: import without them
                log.warning("%s: %s not downloaded: %s", self.name, relative, exc)

    # -- the provider's own steps ------------------------------------------------------------
    def prepare(self, session: Session) -> dict[str, Any]:
        """Reference data the validation needs (known codes, gazetteer); read once."""
        return {}

    @staticmethod
    def warn(ctx: dict[str, Any], warning: RowError) -> None:
        """Note a value that was left out without refusing its row."""
        ctx.setdefault("warnings", []).append(warning)

    @abstractmethod
    def read(self, path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
        """Yield (row number, raw row). Raise SourceUnreadable if the file makes no sense."""

    @abstractmethod
    def validate(self, rownum: int, row: dict[str, Any], ctx: dict[str, Any]) -> list[Record]:
        """Turn one raw row into records, or raise RowRejected naming field and reason."""

    def stage(self, records: list[Record], ctx: dict[str, Any]) -> list[RowError]:
        """Checks across rows; by default: no two rows may claim the same record."""
        return duplicate_key_errors(records)

    def after_upsert(self, session: Session, ctx: dict[str, Any]) -> None:  # noqa: B027
        """Hook for work that needs the written rows; most providers need none."""

    def estimate_rows(self, path: Path) -> int | None:
        return None


def record_key(record: Record) -> tuple:
    values = record.values
    if "source_id" in values and "id" in values:
        return (record.model.__name__, values.get("source"), values["source_id"])
    pk = [c.key for c in record.model.__mapper__.primary_key]
    return (record.model.__name__, *(values[k] for k in pk))


def duplicate_key_errors(records: list[Record]) -> list[RowError]:
    seen: dict[tuple, int | None] = {}
    errors: list[RowError] = []
    for record in records:
        key = record_key(record)
        if key in seen:
            errors.append(
                RowError(
                    record.row,
                    "id",
                    f"dubbel: dezelfde sleutel staat ook op rij {seen[key]}",
                    str(key[-1]),
                )
            )
        else:
            seen[key] = record.row
    return errors


def progress(iterable: Iterable, *, total: int | None, desc: str, enabled: bool) -> Iterator:
    """A tqdm bar on stderr for long imports; silent when not on a terminal."""
    if not enabled:
        yield from iterable
        return
    from tqdm import tqdm

    yield from tqdm(iterable, total=total, desc=desc, unit=" rij", file=sys.stderr, leave=False)


def today() -> dt.date:
    return dt.date.today()
