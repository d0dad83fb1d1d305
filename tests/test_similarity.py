"""Text similarity between a need and a volunteer's topics: `bot.similarity`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.similarity import TopicIndex, shared_terms, similarity

UNRELATED = "watercolour painting and pottery"

WORDS = [
    "sql", "database", "queries", "public", "speaking", "presenting", "presentations",
    "management", "leadership", "managing", "people", "ml", "machine", "learning", "product",
    "negotiation", "negotiating", "career", "path", "the", "and", "of", "leadreship", "C++",
    "Résumé", "données", "Führung", "データ", "kubernetes", "data", "modelling", ",", ";", "-",
]  # fmt: skip
texts = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.text(max_size=40),
)


@pytest.mark.parametrize(
    "text",
    ["public speaking", "SQL, data modelling", "Führung von Teams", "データ分析", "C++ and C#"],
)
def test_identical_texts_score_one(text: str) -> None:
    assert similarity(text, text) == 1.0


@pytest.mark.parametrize("empty", ["", "   ", "the and of it", "!!! ... ---", "123 456"])
def test_texts_without_content_words_score_zero(empty: str) -> None:
    assert similarity(empty, "public speaking") == 0.0
    assert similarity("public speaking", empty) == 0.0
    assert similarity(empty, empty) == 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("python programming", "public speaking"),
        ("kubernetes and cloud infrastructure", UNRELATED),
        ("accounting and budgeting", "frontend react typescript"),
        ("project management and stakeholder communication", "presentation skills, negotiation"),
    ],
)
def test_unrelated_texts_score_near_zero(a: str, b: str) -> None:
    assert similarity(a, b) < 0.05


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("presenting", "presentations"),
        ("presenting", "presenter"),
        ("negotiation", "negotiating"),
        ("negotiate", "negotiator"),
        ("managing", "management"),
        ("organisation", "organization"),
        ("data modelling", "data modeling"),
        ("programming", "programmer"),
        ("careers", "career"),
    ],
)
def test_stemming_lets_word_forms_meet(a: str, b: str) -> None:
    assert similarity(a, b) >= 0.9


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("sql", "database"),
        ("sql", "query"),
        ("database", "queries"),
        ("public speaking", "presenting"),
        ("management", "leadership"),
        ("management", "managing people"),
        ("leadership", "managing people"),
        ("ml", "machine learning"),
        ("product", "product management"),
        ("negotiation", "negotiating"),
        ("career", "career path"),
    ],
)
def test_related_workplace_terms_meet(a: str, b: str) -> None:
    score = similarity(a, b)
    assert score >= 0.3
    assert score > similarity(a, UNRELATED) + 0.25


def test_a_related_topic_beats_a_shared_generic_word() -> None:
    need = "product management"
    assert similarity(need, "roadmaps and product discovery") > similarity(
        need, "people management"
    )


def test_filler_words_count_only_inside_a_phrase() -> None:
    # "learn" is filler in a request, so it does not pull towards "machine learning" ...
    assert similarity("I want to learn SQL", "machine learning") == 0.0
    # ... but "learning" is part of the phrase, so "deep learning" still meets ML.
    assert similarity("deep learning", "ML") >= 0.3


@pytest.mark.parametrize(
    ("typo", "right"),
    [
        ("leadreship", "leadership"),
        ("negotiaton", "negotiation"),
        ("dataengineering", "data engineering"),
        ("kubernetis", "kubernetes"),
    ],
)
def test_trigrams_catch_typos_and_compound_words(typo: str, right: str) -> None:
    assert similarity(typo, right) >= 0.3
    assert similarity(typo, UNRELATED) == 0.0


def test_accents_on_latin_letters_do_not_matter() -> None:
    assert similarity("Résumé writing", "resume writing") == 1.0


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_symmetric_and_in_range(a: str, b: str) -> None:
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert score == similarity(b, a)


@settings(max_examples=100, deadline=None)
@given(st.lists(texts, max_size=8), texts)
def test_topic_index_agrees_with_similarity(topics: list[str], query: str) -> None:
    index = TopicIndex(topics)
    assert len(index) == len(topics)
    assert index.scores(query) == [similarity(query, text) for text in topics]


def test_topic_index_scores_a_realistic_pool_like_similarity() -> None:
    topics = [
        "SQL, data modelling",
        "Public speaking, storytelling",
        "Managing people, hiring, giving feedback",
        "",
        "the and of",
        UNRELATED,
        "machine learning and statistics",
    ]
    index = TopicIndex(topics)
    for query in ["presenting to the board", "database design", "first time manager", "", "ML"]:
        assert index.scores(query) == [similarity(query, text) for text in topics]
    assert TopicIndex([]).scores("anything") == []


def test_shared_terms_are_the_volunteers_own_words_kept_together() -> None:
    terms = shared_terms("database design and data modelling", "SQL, data modelling, UX")
    assert terms == ("SQL", "data modelling")


def test_shared_terms_follow_stems_synonyms_and_typos() -> None:
    assert shared_terms("presenting to executives", "Public speaking, presentations") == (
        "Public speaking",
        "presentations",
    )
    assert shared_terms("leadreship", "Leadership and hiring") == ("Leadership",)


def test_shared_terms_respects_the_limit_and_empty_texts() -> None:
    topics = "SQL, databases, queries, PostgreSQL, data modelling"
    assert len(shared_terms("sql", topics)) == 3
    assert len(shared_terms("sql", topics, limit=1)) == 1
    assert shared_terms("sql", topics, limit=0) == ()
    assert shared_terms("", topics) == ()
    assert shared_terms("sql", "") == ()
    assert shared_terms("sql", UNRELATED) == ()
