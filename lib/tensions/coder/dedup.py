"""Merge candidates that describe one event, and find the curated events a candidate repeats."""

from __future__ import annotations

import pandas as pd

from tensions.periods import period_end

#: How far (days) a candidate's date may lie from a curated event's window and still match it.
MATCH_SLACK_DAYS = 3


def merge_duplicates(candidates: pd.DataFrame) -> pd.DataFrame:
    """One row per (undirected pair, CAMEO root, date): the first sentence's row, with every evidence kept.

    Merged rows keep the highest score, the union of flags and every quote in ``all_evidence``.
    """
    if candidates.empty:
        return candidates
    key = candidates["pair"] + "|" + candidates["cameo_code"].str[:2] + "|" + candidates["date"].astype(str)
    key = key + "|" + candidates["group_key"].fillna("")
    rows = []
    for _, group in candidates.groupby(key, sort=False):
        first = group.iloc[0].copy()
        if len(group) > 1:
            first["all_evidence"] = " | ".join(dict.fromkeys(group["evidence"]))
            first["score"] = float(group["score"].max())
            flags = [f for fl in group["flags"] for f in fl.split("; ") if f]
            flags.append(f"{len(group)} sentences about this event merged")
            first["flags"] = "; ".join(dict.fromkeys(flags))
            first["sentence_count"] = len(group)
            if (first["confidence"] != group["confidence"]).any():
                first["flags"] += "; sentences disagree on confidence"
        rows.append(first)
    return pd.DataFrame(rows).reset_index(drop=True)


def match_curated(candidates: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Fill ``matches_event_id`` with the curated event each candidate repeats, flagging a different date.

    A candidate repeats an event with the same undirected pair, the same CAMEO root and a date inside
    the event's window (its day, month or year, or ``date``..``end_date``) widened by
    :data:`MATCH_SLACK_DAYS`.
    """
    out = candidates.copy()
    if out.empty or events.empty:
        return out
    start = pd.to_datetime(events["date"])
    end = pd.to_datetime(events["end_date"]).fillna(period_end(start, events["date_precision"].astype(str)))
    slack = pd.Timedelta(days=MATCH_SLACK_DAYS)
    by_key: dict[tuple[str, str], list[tuple]] = {}
    columns = (events["event_id"], events["pair"], events["cameo_code"].astype(str), start, end)
    for row in zip(*columns, events["date_precision"].astype(str), strict=True):
        by_key.setdefault((row[1], row[2][:2]), []).append(row)
    for pos in out.index:
        when = pd.Timestamp(out.at[pos, "date"])
        key = (out.at[pos, "pair"], str(out.at[pos, "cameo_code"])[:2])
        hits = [e for e in by_key.get(key, []) if e[3] - slack <= when <= e[4] + slack]
        if not hits:
            continue
        best = min(hits, key=lambda e: abs(e[3] - when))
        out.at[pos, "matches_event_id"] = best[0]
        if best[3].date() != when.date():
            flag = f"repeats {best[0]}, which is dated {best[3].date()} ({best[5]}); this says {when.date()}"
            out.at[pos, "flags"] = "; ".join(f for f in (out.at[pos, "flags"], flag) if f)
    return out
