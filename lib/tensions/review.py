"""``review(candidates)``: check coded candidates in JupyterLab, edit them, accept or reject, save the accepted.

Each candidate is a card: its sentence with the matched actors, verb and date highlighted, the coder's
rule, score and flags, the curated event it repeats, and editable fields (pair, date, precision, CAMEO code
with a searchable picker showing names, confidence, title and paraphrase). "Save accepted" appends the
accepted cards to the analyst's own events (:func:`tensions.own.save_accepted`). Every text shown comes
from the article, so every text is escaped (jinja2 with autoescape).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import ipywidgets as widgets
import jinja2
import pandas as pd

from tensions import paths, reference
from tensions.data import canonical_pairs
from tensions.vocabulary import CONFIDENCE_LEVELS, DATE_PRECISIONS

_ENV = jinja2.Environment(autoescape=True)
_SENTENCE = _ENV.from_string(
    "<div class='tensions-review-sentence' style='line-height:1.5'>"
    "{% for text, kind in parts %}{% if kind %}"
    "<mark class='{{ kind }}' style='background:{{ colours[kind] }};padding:0 2px' title='{{ kind }}'>{{ text }}</mark>"
    "{% else %}{{ text }}{% endif %}{% endfor %}</div>"
)
_HEADER = _ENV.from_string(
    "<div><b>{{ row.candidate_id }}</b> · {{ row.actor }} → {{ row.target }} · {{ row.date }} ({{ row.date_precision }}) · score {{ '%.2f' % row.score }} · <i>{{ row.rule }}</i>"
    "{% if row.matches_event_id %} · repeats <b>{{ row.matches_event_id }}</b>{% endif %}</div>"
    "{% if row.flags %}<div style='color:#9a3412'>⚑ {{ row.flags }}</div>{% endif %}"
    "{% if row.date_note %}<div style='color:#555'>date: {{ row.date_note }}</div>{% endif %}"
    "<div style='color:#555'>evidence: “{{ row.all_evidence }}”</div>"
)
_COLOURS = {"actor": "#dbeafe", "verb": "#fde68a", "date": "#dcfce7"}
DECISIONS = ("pending", "accepted", "rejected")


def highlight_sentence(sentence: str, highlights: str | list) -> str:
    """HTML of ``sentence`` with its highlighted spans (``[[start, end, kind], ...]``), every text escaped.

    >>> highlight_sentence("Russia <b>met</b> Baku", [[0, 6, "actor"]]).count("&lt;b&gt;")
    1
    """
    spans = json.loads(highlights) if isinstance(highlights, str) and highlights else list(highlights or [])
    parts, cursor = [], 0
    for start, end, kind in sorted(spans):
        if start < cursor:
            continue
        parts.append((sentence[cursor:start], ""))
        parts.append((sentence[start:end], kind if kind in _COLOURS else ""))
        cursor = end
    parts.append((sentence[cursor:], ""))
    return _SENTENCE.render(parts=[p for p in parts if p[0]], colours=_COLOURS)


def cameo_options() -> list[str]:
    """Picker entries ``"057 Sign formal agreement"`` for every CAMEO code of the reference table."""
    codes = reference.load_cameo_codes()
    return [f"{c} {d}" for c, d in zip(codes["cameo_code"], codes["description"], strict=True)]


def _with(options: list[tuple[str, str]], value: str) -> list[tuple[str, str]]:
    """``options`` plus ``value`` when it is not among them (so that a bad value is shown, then refused on save)."""
    if value in {v for _, v in options}:
        return options
    return [*options, (f"{value} (not in countries.csv)", value)]


def _date_or_none(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class CandidateCard:
    """The widgets of one candidate: what the coder found, and fields the analyst can change."""

    def __init__(self, row: pd.Series, countries: list[tuple[str, str]], cameo: list[str]):
        self.row = row
        layout = widgets.Layout(width="auto")
        self.header = widgets.HTML(_HEADER.render(row=row.to_dict()))
        self.sentence = widgets.HTML(highlight_sentence(str(row["sentence"]), str(row["highlights"])))
        actor, target = str(row["actor"]), str(row["target"])
        self.actor = widgets.Dropdown(options=_with(countries, actor), value=actor, description="actor")
        self.target = widgets.Dropdown(options=_with(countries, target), value=target, description="target")
        self.date = widgets.DatePicker(value=_date_or_none(row["date"]), description="date")
        self.precision = widgets.Dropdown(
            options=list(DATE_PRECISIONS), value=row["date_precision"], description="precision"
        )
        current = next((o for o in cameo if o.split(" ", 1)[0] == row["cameo_code"]), str(row["cameo_code"]))
        self.cameo = widgets.Combobox(
            value=current,
            options=cameo,
            ensure_option=True,
            description="CAMEO",
            layout=widgets.Layout(width="32em"),
        )
        self.confidence = widgets.Dropdown(
            options=list(CONFIDENCE_LEVELS), value=row["confidence"], description="confidence"
        )
        self.title = widgets.Text(
            value=str(row["title"]), description="title", layout=widgets.Layout(width="40em")
        )
        self.paraphrase = widgets.Textarea(
            value=str(row["description"]), description="paraphrase", layout=widgets.Layout(width="40em")
        )
        status = str(row.get("status") or "pending")
        self.decision = widgets.ToggleButtons(
            options=list(DECISIONS),
            value=status if status in DECISIONS else "pending",
            description="decision",
        )
        self.widget = widgets.VBox(
            [
                self.header,
                self.sentence,
                widgets.HBox([self.actor, self.target], layout=layout),
                widgets.HBox([self.date, self.precision], layout=layout),
                widgets.HBox([self.cameo, self.confidence], layout=layout),
                self.title,
                self.paraphrase,
                self.decision,
            ],
            layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"),
        )

    def accept(self) -> None:
        """Mark the candidate accepted."""
        self.decision.value = "accepted"

    def reject(self) -> None:
        """Mark the candidate rejected."""
        self.decision.value = "rejected"

    def edited(self) -> dict[str, Any]:
        """The candidate's fields as the analyst left them."""
        code = (self.cameo.value or str(self.row["cameo_code"])).split(" ", 1)[0]
        when = self.date.value or _date_or_none(self.row["date"])
        if when is None:
            raise ValueError(
                f"candidate {self.row['candidate_id']}: the date {self.row['date']!r} is not a date"
            )
        if self.precision.value == "month":
            when = when.replace(day=1)
        elif self.precision.value == "year":
            when = when.replace(month=1, day=1)
        end = str(self.row.get("end_date") or "")
        if end and end < when.isoformat():
            end = ""
        weights = reference.load_goldstein_weights("gdelt")
        quad = reference.load_quad_class_map("cameo")
        return {
            "actor": self.actor.value,
            "target": self.target.value,
            "date": when.isoformat(),
            "date_precision": self.precision.value,
            "end_date": end,
            "cameo_code": code,
            "quad_class": int(quad[code[:2]]),
            "goldstein": float(weights.get(code, 0.0)),
            "confidence": self.confidence.value,
            "title": self.title.value,
            "description": self.paraphrase.value,
            "status": self.decision.value,
        }


class ReviewView:
    """The review of a set of candidates: one card each, and a "save accepted" button.

    Attributes:
        cards: one :class:`CandidateCard` per candidate, in order.
        save_button: saves the accepted candidates to the analyst's own events.
        message: what the last save did (or why it did not).
    """

    def __init__(self, candidates: pd.DataFrame, source: Mapping[str, Any] | None = None):
        self.candidates = candidates.reset_index(drop=True)
        self.source = source
        self.last_report = None
        self.saved_ids: set[str] = set()
        table = pd.read_csv(paths.COUNTRIES_CSV, dtype=str)
        countries = [(f"{iso} {name}", iso) for iso, name in zip(table["iso3"], table["name"], strict=True)]
        cameo = cameo_options()
        self.cards = [CandidateCard(row, countries, cameo) for _, row in self.candidates.iterrows()]
        self.save_button = widgets.Button(description="save accepted", button_style="success", icon="save")
        self.save_button.on_click(lambda _: self.save())
        self.message = widgets.HTML()
        intro = widgets.HTML(
            _ENV.from_string(
                "<p>{{ n }} candidate(s) from <i>{{ title }}</i>. Check each sentence, edit, accept or reject, "
                "then save: accepted events go to <code>{{ folder }}</code>.</p>"
            ).render(
                n=len(self.cards),
                title=(source or {}).get("title")
                or (self.candidates["source_title"].iloc[0] if len(self.cards) else ""),
                folder=str(paths.workspace_dir()),
            )
        )
        self.widget = widgets.VBox([intro, *[c.widget for c in self.cards], self.save_button, self.message])

    def edited_frame(self) -> pd.DataFrame:
        """The candidates with the analyst's edits and decisions (``status``)."""
        out = self.candidates.copy()
        for position, card in enumerate(self.cards):
            for column, value in card.edited().items():
                out.at[position, column] = value
        out["pair"] = canonical_pairs(out["actor"], out["target"])
        return out

    def save(self):
        """Append the accepted candidates to the analyst's own events; the message says what happened."""
        from tensions.own import OwnEventsError, save_accepted

        try:
            frame = self.edited_frame()
            frame.loc[frame["candidate_id"].isin(self.saved_ids), "status"] = "saved"  # never saved twice
            self.last_report = save_accepted(frame, self.source)
        except (OwnEventsError, ValueError) as exc:
            error = _ENV.from_string("<pre style='color:#b91c1c'>{{ m }}</pre>")
            self.message.value = error.render(m=str(exc))
            return None
        for card in self.cards:
            if card.decision.value == "accepted":
                self.saved_ids.add(str(card.row["candidate_id"]))
                card.decision.disabled = True
        self.message.value = _ENV.from_string("<p>{{ m }}</p>").render(m=str(self.last_report))
        return self.last_report

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def review(candidates: pd.DataFrame, source: Mapping[str, Any] | None = None) -> ReviewView:
    """Show ``candidates`` (from :func:`tensions.code_article`) for review; returns the view.

    Args:
        candidates: the coder's candidates (or a reviewed candidates file read back).
        source: the article to cite when saving (default: the candidates' ``source_*`` columns).
    """
    return ReviewView(candidates, source)
