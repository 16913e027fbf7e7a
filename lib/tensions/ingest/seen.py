"""The event ids kept so far, to filter a repeated id as a duplicate: held by hash, compared exactly.

GDELT republishes events across files, so an ingest keeps the first record of an id (in file order, then line
order: DuckDB hands the records over in the order it read them) and filters the others. The ids kept so far are
held as sorted runs of their 64-bit hashes (computed by DuckDB as it classifies, see
:func:`tensions.ingest.classify.stream_sql`) beside the ids themselves, as Arrow text: a batch is checked by one
sorted search per run, with no Python object per id, and only an id whose hash was met before is compared as
text, so that two ids sharing a hash are never taken for one another.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class SeenIds:
    """The ids kept so far: runs of (sorted hashes, ids in the same order), merged as they grow."""

    def __init__(self) -> None:
        """No id seen yet."""
        self.runs: list[tuple[np.ndarray, pa.Array]] = []

    def __len__(self) -> int:
        """How many ids are held."""
        return sum(len(hashes) for hashes, _ in self.runs)

    def first_seen(self, ids: pa.Array, hashes: np.ndarray) -> np.ndarray | None:
        """Which of ``ids`` (in order, with their ``hashes``) were not seen before; remember them.

        Args:
            ids: the ids of a batch of kept records, in file order.
            hashes: their 64-bit hashes.

        Returns:
            ``None`` if every id is new (the usual case), else a boolean mask of the first occurrences.
        """
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        suspects = np.zeros(len(ordered), dtype=bool)
        if len(ordered) > 1:
            repeated = ordered[1:] == ordered[:-1]
            suspects[1:] |= repeated
            suspects[:-1] |= repeated
        for run_hashes, _ in self.runs:
            suspects |= _found(run_hashes, ordered)
        if not suspects.any():
            self._add(ordered, pc.take(ids, pa.array(order)))
            return None
        fresh = self._resolve(ids, hashes, set(ordered[suspects].tolist()))
        kept = np.flatnonzero(fresh)
        self._add(hashes[kept], pc.take(ids, pa.array(kept)), presorted=False)
        return fresh

    def forget(self, ids: pa.Array) -> None:
        """Drop ``ids`` (the events of a scan that stopped with an error, read again file by file)."""
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        runs = []
        for run_hashes, run_ids in self.runs:
            keep = pc.invert(pc.is_in(run_ids, value_set=ids)).to_numpy(zero_copy_only=False)
            runs.append((run_hashes[keep], run_ids.filter(pa.array(keep))))
        self.runs = [run for run in runs if len(run[0])]

    def _resolve(self, ids: pa.Array, hashes: np.ndarray, suspect: set[int]) -> np.ndarray:
        """The mask of first occurrences, comparing as text the ids whose hash was met before or is repeated."""
        wanted = np.array(sorted(suspect), dtype=np.uint64)
        earlier: set[str] = set()
        for run_hashes, run_ids in self.runs:
            where = np.flatnonzero(_found(wanted, run_hashes))
            earlier.update(pc.take(run_ids, pa.array(where)).to_pylist())
        fresh = np.ones(len(ids), dtype=bool)
        rows = np.flatnonzero(np.isin(hashes, wanted))
        for row, rec_id in zip(rows, pc.take(ids, pa.array(rows)).to_pylist(), strict=True):
            fresh[row] = rec_id not in earlier
            earlier.add(rec_id)
        return fresh

    def _add(self, hashes: np.ndarray, ids: pa.Array, presorted: bool = True) -> None:
        """Add a run; merge the last runs while the newer is at least as long (a few runs, however many batches)."""
        if not presorted:
            order = np.argsort(hashes, kind="stable")
            hashes, ids = hashes[order], pc.take(ids, pa.array(order))
        if len(hashes):
            self.runs.append((hashes, ids))
        while len(self.runs) > 1 and len(self.runs[-1][0]) >= len(self.runs[-2][0]):
            (older, older_ids), (newer, newer_ids) = self.runs[-2], self.runs.pop()
            merged = np.concatenate([older, newer])
            order = np.argsort(merged, kind="stable")
            self.runs[-1] = (
                merged[order],
                pc.take(pa.concat_arrays([older_ids, newer_ids]), pa.array(order)),
            )


def _found(sorted_hashes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each of ``values``, whether it is in ``sorted_hashes``."""
    if not len(sorted_hashes):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_hashes, values), len(sorted_hashes) - 1)
    return sorted_hashes[at] == values
