"""The article coder: dates, actors with dated roles, hedges, duplicates, bad input, review and save round trip."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensions
from tensions import paths
from tensions.coder import CoderError, code_article
from tensions.coder.actors import find_actors, office_on
from tensions.coder.commands import read_candidates, write_csv_atomically
from tensions.coder.dates import find_dates
from tensions.coder.hedges import find_confidence
from tensions.coder.language import tokenize
from tensions.coder.lexicon import load_lexicon
from tensions.own import OwnEventsError, save_accepted

ARTICLES = Path(__file__).parent / "articles"
NO_EVENTS = tensions.load_events(include_own=False).iloc[0:0]


def _one(sentence: str, language: str = "en", base: date = date(2025, 1, 3), **kwargs):
    found = find_dates(sentence, language, base, **kwargs)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    folder = tmp_path / "workspace"
    monkeypatch.setenv("TENSIONS_WORKSPACE_DIR", str(folder))
    return folder


# ------------------------------------------------------------------------------------------- dates


def test_absolute_date_is_taken_as_written():
    d = _one("The plane was shot down on December 25, 2024.")
    assert (d.date, d.precision, d.note, d.flag) == (date(2024, 12, 25), "day", "", "")


def test_partial_date_takes_its_year_from_the_publication_date_and_says_so():
    d = _one("Aliyev spoke on December 29.")
    assert d.date == date(2024, 12, 29)  # published 3 January 2025: the past December
    assert "year taken from the publication date 2025-01-03" in d.note


def test_weekday_with_day_in_brackets_that_agree():
    d = _one("Azerbaijan suspended flights on Friday (27th December).")
    assert d.date == date(2024, 12, 27) and d.flag == ""


def test_weekday_that_contradicts_the_day_is_flagged_with_both_dates_and_the_day_kept():
    d = _one("Azerbaijan suspended flights on Friday (28th December).")
    assert d.date == date(2024, 12, 28)
    assert "weekday contradiction" in d.flag and "2024-12-28" in d.flag and "2024-12-27" in d.flag


def test_weekday_contradiction_in_russian():
    d = _one("Это случилось в субботу, 27 декабря.", "ru")
    assert d.date == date(2024, 12, 27) and "2024-12-28" in d.flag


@pytest.mark.parametrize(
    ("sentence", "language", "expected", "precision"),
    [
        ("Putin called Aliyev yesterday.", "en", date(2025, 1, 2), "day"),
        ("Вчера Путин позвонил Алиеву.", "ru", date(2025, 1, 2), "day"),
        ("Позавчера Путин позвонил Алиеву.", "ru", date(2025, 1, 1), "day"),
        ("The ministers met on Sunday.", "en", date(2024, 12, 29), "day"),
        ("The ministers met last week.", "en", date(2024, 12, 23), "day"),
        ("It happened in December 2024.", "en", date(2024, 12, 1), "month"),
        ("It happened last October.", "en", date(2024, 10, 1), "month"),
        ("Это случилось в октябре.", "ru", date(2024, 10, 1), "month"),
        ("Это случилось в декабре 2024 года.", "ru", date(2024, 12, 1), "month"),
        ("It happened in 2023.", "en", date(2023, 1, 1), "year"),
        ("Это случилось в 2023 году.", "ru", date(2023, 1, 1), "year"),
        ("25 декабря 2024 года самолёт был сбит.", "ru", date(2024, 12, 25), "day"),
    ],
)
def test_relative_month_and_year_dates(sentence, language, expected, precision):
    d = _one(sentence, language)
    assert (d.date, d.precision) == (expected, precision)
    if precision == "month":
        assert d.end_date.month == expected.month and d.end_date.day >= 28


def test_relative_dates_need_a_base():
    assert find_dates("Putin called yesterday.", "en", None) == []
    assert _one("It happened on 5 May 2024.", base=None).date == date(2024, 5, 5)


def test_the_next_day_counts_from_the_previous_date():
    d = _one("The next day, Moscow answered.", previous=date(2025, 2, 14))
    assert d.date == date(2025, 2, 15) and "previous date" in d.note


# ------------------------------------------------------------------------------------------ actors


def _actors(sentence: str, language: str = "en", on: date | None = date(2025, 1, 3)):
    lexicon = load_lexicon(language)
    return find_actors(tokenize(sentence, language), lexicon, on)


def test_inflected_russian_names_capitals_and_institutions_map_to_iso3():
    found = _actors("Кремль обвинил Баку, а МИД Азербайджана ответил России и Казахстану.", "ru")
    assert [m.iso3 for m in found] == ["RUS", "AZE", "AZE", "RUS", "KAZ"]


def test_english_adjectives_capitals_and_institutions():
    found = _actors("The Kremlin and Russian officials told Astana and the Azerbaijani side.")
    assert [m.iso3 for m in found] == ["RUS", "RUS", "KAZ", "AZE"]


@pytest.mark.parametrize(
    ("on", "role"),
    [
        (date(2010, 5, 1), "President of Russia"),
        (date(2015, 5, 1), "Prime Minister of Russia"),
        (date(2024, 5, 1), "Deputy Chairman of the Security Council of Russia"),
    ],
)
def test_office_holder_role_depends_on_the_date(on, role):
    (mention,) = _actors("Medvedev spoke.", on=on)
    assert mention.iso3 == "RUS" and mention.detail == f"{role} Dmitry Medvedev" and mention.flag == ""


def test_office_holder_out_of_office_is_flagged():
    (mention,) = _actors("Nazarbayev spoke.", on=date(2024, 6, 1))
    assert mention.iso3 == "KAZ" and "no longer" in mention.flag


def test_russian_surnames_in_any_case_and_both_aliyevs():
    found = _actors("Путин встретился с Токаевым и Мирзиёевым, а Пашиняну позвонил Алиев.", "ru")
    assert [m.iso3 for m in found] == ["RUS", "KAZ", "UZB", "ARM", "AZE"]
    assert "Ilham Aliyev" in found[-1].detail
    heydar = _actors("Heydar Aliyev signed it.", on=date(1999, 1, 1))
    assert heydar[0].detail == "President of Azerbaijan Heydar Aliyev"


def test_office_on_picks_the_current_term():
    terms = load_lexicon("en").offices["Vladimir Putin"]
    assert office_on(terms, date(2010, 1, 1))[0].role == "Prime Minister of Russia"
    assert office_on(terms, date(2025, 1, 1))[0].role == "President of Russia"


# ------------------------------------------------------------------------------------------ hedges


@pytest.mark.parametrize(
    ("sentence", "language", "level", "words"),
    [
        ("Russia reportedly detained two pilots.", "en", "reported", "reportedly"),
        ("According to officials, Russia detained two pilots.", "en", "reported", "According to"),
        ("Russia allegedly detained two pilots.", "en", "alleged", "allegedly"),
        ("Russia detained two pilots.", "en", "confirmed", ""),
        ("Россия якобы задержала двух пилотов.", "ru", "alleged", "якобы"),
        ("По данным СМИ, Россия задержала двух пилотов.", "ru", "reported", "По данным"),
    ],
)
def test_hedges_decide_confidence_and_name_the_words(sentence, language, level, words):
    assert find_confidence(tokenize(sentence, language), load_lexicon(language)) == (level, words)


# ---------------------------------------------------------------------------------- code_article


def test_candidates_have_the_events_schema_and_review_columns():
    frame = code_article(ARTICLES / "en_01_airspace.txt", published="2025-03-07", known_events=NO_EVENTS)
    for column in [
        "date",
        "actor",
        "target",
        "cameo_code",
        "quad_class",
        "goldstein",
        "confidence",
        "evidence",
    ]:
        assert column in frame.columns
    for column in [
        "sentence",
        "sentence_start",
        "sentence_end",
        "rule",
        "score",
        "flags",
        "matches_event_id",
    ]:
        assert column in frame.columns
    text = (ARTICLES / "en_01_airspace.txt").read_text(encoding="utf-8")
    for _, row in frame.iterrows():
        assert len(row["evidence"].split()) <= 15
        assert row["evidence"] in row["sentence"]
        assert " ".join(text[row["sentence_start"] : row["sentence_end"]].split()) == row["sentence"]
    summoned = frame[(frame["actor"] == "AZE") & (frame["cameo_code"] == "114")]
    assert summoned["date"].tolist() == ["2025-03-03"]
    detained = frame[frame["cameo_code"] == "173"]
    assert detained["confidence"].tolist() == ["reported"] and "reportedly" in detained["rule"].iloc[0]


def test_russian_article():
    frame = code_article(ARTICLES / "ru_01_diplomacy.txt", published="2025-04-02", known_events=NO_EVENTS)
    assert frame["language"].eq("ru").all()
    note = frame[(frame["actor"] == "AZE") & (frame["cameo_code"] == "114")]
    assert note["date"].tolist() == ["2025-02-14"]
    assert ("RUS", "AZE", "2025-02-15") in set(
        zip(frame["actor"], frame["target"], frame["date"], strict=True)
    )


def test_multilateral_event_becomes_one_row_per_pair_sharing_a_group():
    text = "Kazakhstan, Uzbekistan and Kyrgyzstan signed an agreement on 10 April 2025."
    frame = code_article(text, published="2025-04-11", known_events=NO_EVENTS)
    assert sorted(frame["pair"]) == ["KAZ-KGZ", "KAZ-UZB", "KGZ-UZB"]
    assert frame["group_id"].nunique() == 1 and frame["group_id"].iloc[0].startswith("GR-")


def test_sentences_about_one_event_are_merged_with_all_their_evidence():
    text = (
        "Azerbaijan suspended flights to Russia on 6 March 2025. "
        "On 6 March 2025 Azerbaijan also suspended all flights to Russian cities."
    )
    frame = code_article(text, published="2025-03-07", known_events=NO_EVENTS)
    assert len(frame) == 1
    assert frame["sentence_count"].iloc[0] == 2 and frame["all_evidence"].iloc[0].count(" | ") == 1
    assert "2 sentences about this event merged" in frame["flags"].iloc[0]


def test_a_candidate_that_repeats_a_curated_event_names_it_and_flags_another_date():
    events = tensions.load_events(include_own=False)
    same = code_article("Azerbaijan suspended flights to Russia on 27 December 2024.", known_events=events)
    assert same["matches_event_id"].tolist() == ["EV-0041"] and "repeats" not in same["flags"].iloc[0]
    other = code_article("Azerbaijan suspended flights to Russia on 29 December 2024.", known_events=events)
    assert other["matches_event_id"].tolist() == ["EV-0041"]
    assert (
        "EV-0041, which is dated 2024-12-27" in other["flags"].iloc[0]
        and "2024-12-29" in other["flags"].iloc[0]
    )


def test_no_publication_date_counts_from_the_latest_date_and_says_so():
    text = "Russia accused Azerbaijan on 5 May 2025. Yesterday Azerbaijan denied it to Russia."
    frame = code_article(text, known_events=NO_EVENTS)
    late = frame[frame["cameo_code"].str.startswith("01")]
    assert late["date"].tolist() == ["2025-05-04"]
    assert frame["flags"].str.contains("no publication date given").all()


# -------------------------------------------------------------------------------------- bad input


def test_bad_input_gets_a_clear_error(tmp_path):
    with pytest.raises(CoderError, match="empty"):
        code_article("   \n ")
    binary = tmp_path / "article.txt"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(CoderError, match="binary"):
        code_article(binary)
    with pytest.raises(CoderError, match="no such file"):
        code_article(tmp_path / "missing.html")
    with pytest.raises(CoderError, match="language 'de'"):
        code_article("Die Regierung hat gestern beschlossen, alle Flüge nach Russland einzustellen.")
    with pytest.raises(CoderError, match="not an ISO date"):
        code_article("Russia accused Azerbaijan.", published="yesterday")


def test_html_scripts_and_boilerplate_are_not_coded(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Talks</title><script>var s = 'Russia attacked Azerbaijan on 1 May 2025';</script>"
        "</head><body><nav>Turkey praised Iran on 2 May 2025</nav><article>"
        "<p>Russia accused Azerbaijan of lying on 3 May 2025.</p></article></body></html>",
        encoding="utf-8",
    )
    frame = code_article(page, known_events=NO_EVENTS)
    assert frame["pair"].tolist() == ["AZE-RUS"] and frame["date"].tolist() == ["2025-05-03"]
    assert frame["source_title"].iloc[0] == "Talks"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_candidates_or_a_clear_error(text):
    try:
        frame = code_article(text, published="2025-01-01", language="en", known_events=NO_EVENTS)
    except CoderError as exc:
        assert str(exc)
    else:
        assert isinstance(frame, pd.DataFrame)


# ------------------------------------------------------------------------- review and own events


def _digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*.csv")))).hexdigest()


def test_review_round_trip_accept_save_load(workspace):
    before = _digest(paths.DATA_DIR)
    candidates = code_article(ARTICLES / "en_02_summit.txt", published="2025-05-26", known_events=NO_EVENTS)
    view = tensions.review(candidates, source={"title": "Leaders meet", "url": "https://example.org/a"})
    assert "<mark class='actor'" in view.cards[0].sentence.value
    view.cards[0].accept()
    view.cards[1].accept()
    view.cards[1].cameo.value = next(o for o in view.cards[1].cameo.options if o.startswith("111 "))
    view.cards[1].paraphrase.value = "Our own words about the event."
    view.cards[2].reject()
    view.save_button.click()
    assert "2 event(s) saved" in view.message.value
    events = tensions.load_events()
    own = events[events["origin"] == "own"]
    assert own["event_id"].tolist() == ["OWN-0001", "OWN-0002"]
    assert own["cameo_code"].iloc[1] == "111" and own["quad_class"].iloc[1] == 3
    assert own["description"].iloc[1] == "Our own words about the event."
    assert set(own["source_ids"]) == {"OWN-S0001"}
    assert len(tensions.load_events(include_own=False)) == len(events) - 2
    assert "OWN-S0001" in set(tensions.load_dataset()["sources"]["source_id"])
    view.cards[3].accept()
    view.save()  # a second save appends, with the next id, citing the same source
    again = tensions.load_events()
    assert again[again["origin"] == "own"]["event_id"].tolist()[-1] == "OWN-0003"
    assert len(pd.read_csv(workspace / "sources.csv")) == 1
    assert _digest(paths.DATA_DIR) == before


def test_an_invalid_candidate_is_named_and_nothing_is_saved(workspace):
    candidates = code_article("Russia accused Azerbaijan on 3 May 2025.", known_events=NO_EVENTS)
    candidates["status"] = "accepted"
    candidates.loc[0, "actor"] = "XXX"
    with pytest.raises(OwnEventsError, match="candidate C-0001, field 'actor'"):
        save_accepted(candidates)
    assert not (workspace / "events.csv").exists()
    view = tensions.review(candidates)
    view.save()
    assert "nothing was saved" in view.message.value


def test_cli_code_then_accept(workspace, tmp_path, capsys):
    from tensions.cli import main

    out = tmp_path / "candidates.csv"
    article = ARTICLES / "ru_02_central_asia.txt"
    assert (
        main(
            [
                "code",
                str(article),
                "--published",
                "2025-05-23",
                "--title",
                "=cmd|' /C calc'!A0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "'=cmd" in out.read_text(encoding="utf-8")  # the formula is neutralised in the CSV
    assert main(["accept", str(out)]) == 0 and "nothing saved" in capsys.readouterr().out
    assert main(["accept", str(out), "--ids", "C-0001"]) == 0
    own = tensions.load_events().query("origin == 'own'")
    assert len(own) == 1
    assert tensions.load_dataset()["sources"]["title"].iloc[-1] == "=cmd|' /C calc'!A0"
    assert main(["code", str(tmp_path / "missing.txt"), "--out", str(out)]) == 2
    assert main(["accept", str(out), "--ids", "C-9999"]) == 2


def test_candidates_csv_round_trip_undoes_the_formula_guard(tmp_path):
    frame = pd.DataFrame({"candidate_id": ["C-0001"], "status": ["accepted"], "actor": ["RUS"], "target": ["AZE"],
                          "date": ["2025-01-01"], "cameo_code": ["112"], "title": ["=HYPERLINK(\"x\")"]})  # fmt: skip
    path = write_csv_atomically(frame, tmp_path / "c.csv")
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8")
    assert read_candidates(path)["title"].iloc[0] == '=HYPERLINK("x")'


def test_origin_says_where_an_event_comes_from(tmp_path):
    assert set(tensions.load_events()["origin"]) == {"curated"}
    events, _ = tensions.read_events(paths.EXTERNAL_DIR / "icews_events_2018-06-01.tab", source_format="icews",
                                     rejects_dir=tmp_path)  # fmt: skip
    assert len(events) and set(events["origin"]) == {"machine-coded"}


def test_review_card_shows_flags_and_escapes_article_text():
    text = "Russia <b onclick='x()'>really</b> accused Azerbaijan on 3 May 2025 & 4 May 2025."
    candidates = code_article(text, published="2025-05-05", known_events=NO_EVENTS, min_score=0)
    card = tensions.review(candidates).cards[0]
    assert "<b " not in card.sentence.value and "&lt;b onclick=&#39;x()&#39;&gt;" in card.sentence.value
    assert "several dates in the sentence" in card.header.value and "Flags(" not in card.header.value


def test_a_russian_article_in_windows_1251_is_read(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes("Вчера Россия обвинила Азербайджан во лжи.".encode("cp1251"))
    frame = code_article(path, published="2025-05-02", known_events=NO_EVENTS)
    assert frame[["actor", "target", "date"]].values.tolist() == [["RUS", "AZE", "2025-05-01"]]


def test_a_broken_own_events_file_is_a_clear_cli_error(workspace, tmp_path, capsys):
    from tensions.cli import main

    workspace.mkdir()
    (workspace / "events.csv").write_text("event_id,date\nOWN-0001,not a date\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Russia accused Azerbaijan on 3 May 2025.", encoding="utf-8")
    assert main(["code", str(article), "--out", str(tmp_path / "c.csv")]) == 2
    assert "events.csv" in capsys.readouterr().err


def test_review_stays_a_function_after_its_module_is_imported():
    import importlib

    module = importlib.import_module("tensions.review_view")
    assert tensions.review is module.review
    assert callable(tensions.review)
