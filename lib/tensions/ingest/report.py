"""The row accounting of an ingest: ``read == kept + filtered + rejected``, with the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class IngestError(ValueError):
    """A file cannot be read at all (missing, empty, not a zip, another format)."""


@dataclass
class IngestReport:
    """Row accounting of one ingest: ``read == kept + filtered + rejected`` always holds.

    Attributes:
        source_format: the format read (``gdelt2``...).
        files: the files named (after glob expansion).
        read: records read.
        kept: records kept.
        filtered: records filtered (outside the request, not a country pair, duplicates...).
        rejected: records rejected (unreadable fields, impossible values...).
        reasons: the count of each reason (``filtered: ...``, ``rejected: ...``).
        file_errors: one message per file that could not be read (whole or in part).
        rejects_path: the CSV of rejected records (file, line, reason, record), if any.
    """

    source_format: str
    files: list[str]
    read: int = 0
    kept: int = 0
    filtered: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    file_errors: list[str] = field(default_factory=list)
    rejects_path: Path | None = None

    def check(self) -> None:
        """Raise if a record went missing in the accounting."""
        if self.read != self.kept + self.filtered + self.rejected:
            raise AssertionError(
                f"row accounting broken: read {self.read} != kept {self.kept} + filtered "
                f"{self.filtered} + rejected {self.rejected}"
            )

    def count(self, status: str, n: int) -> None:
        """Add ``n`` records of outcome ``status`` (``kept``, ``filtered: reason`` or ``rejected: reason``).

        Args:
            status: the outcome.
            n: how many records had it.
        """
        self.read += n
        if status == "kept":
            return
        kind, reason = status.split(": ", 1)
        if kind == "filtered":
            self.filtered += n
        else:
            self.rejected += n
        key = f"{kind}: {reason}"
        self.reasons[key] = self.reasons.get(key, 0) + n

    def __str__(self) -> str:
        """The accounting as printed by ``python -m tensions ingest``: totals, reasons, file errors."""
        lines = [
            f"{self.source_format}: {len(self.files)} file(s), read {self.read:,} = kept {self.kept:,} + "
            f"filtered {self.filtered:,} + rejected {self.rejected:,}"
        ]
        lines += [
            f"  {count:,} {reason}" for reason, count in sorted(self.reasons.items(), key=lambda x: -x[1])
        ]
        lines += [f"  file error: {e}" for e in self.file_errors]
        if self.rejects_path:
            lines.append(f"  rejects written to {self.rejects_path}")
        return "\n".join(lines)
