"""How close two free texts about skills are: a person's need and a volunteer's topics.

Pure standard library, built for a few hundred volunteers. Two signals are combined:

* a cosine over *content features*: stemmed content words (lower-cased, unicode-aware tokens,
  English stop words dropped, a light suffix-stripping stemmer so "presenting", "presentations"
  and "presenter" meet) plus *concept* features from a small hand-made map of related workplace
  terms ("sql" ~ "database" ~ "query", "public speaking" ~ "presenting", …);
* a cosine over character trigrams of the stemmed content words, which catches typos
  ("leadreship") and compound words ("dataengineering"). Trigram overlap below a noise floor
  counts as nothing, as unrelated words always share a few.

The stronger signal counts in full and the weaker one tops it up by a small share
(``hi + (1 - hi) * WEAKER_SHARE * lo``): identical texts score 1.0, either signal alone can raise
the score, a word matched by stem is not counted twice, and nothing exceeds 1.

`TopicIndex` pre-processes many volunteer topic texts once and scores a query against all of
them through inverted lists; `similarity` runs the very same arithmetic, in the same order, so
both give bit-identical numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.similarity_vocabulary import FILLER_WORDS, RELATED_TERMS, STOP_WORDS

__all__ = ["TopicIndex", "shared_terms", "similarity"]

# --- weights -----------------------------------------------------------------------------------

CONCEPT_WEIGHT = 1.0
"""Weight of one related-term concept against a stem (a stem weighs 1 + log(count))."""
TRIGRAM_WEIGHT = 0.8
"""How far trigram similarity alone can lift the score (a perfect typo-only match tops at 0.8)."""
TRIGRAM_FLOOR = 0.25
"""Trigram cosine at or below this is noise between unrelated words, and counts as 0."""
WEAKER_SHARE = 0.25
"""The stronger of the two signals counts in full; the weaker tops it up by this share only, so
a long word shared by stem is not counted twice ("product management" vs "people management")."""
MAX_TERM_WORDS = 4
"""A shared term shown to people is at most this many words long."""
_DECIMALS = 9
"""Scores are rounded so float noise never makes identical texts score 0.9999999999."""

# --- tokenising and stemming -------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:\+\+|#(?!\w))?")
"""Letters and digits of any script; keeps "c++" and "c#" whole."""
_PHRASE_GAP = re.compile(r"[\s\-/'\u2019&]*")
"""What may separate the words of one phrase; other punctuation (",", ";", "(") ends it."""
_TERM_GAP = re.compile(r"[ \t\-]*")
"""What may separate the words of one displayed term ("data modelling", "front-end")."""
_VOWELS = frozenset("aeiouy")
_NO_STEM = frozenset({"career", "series", "news", "species", "always", "data", "analysis"})
_NO_UNDOUBLE = _VOWELS | frozenset("lsz")
_SPELLING = (
    (re.compile(r"(?<=\w{3})is(e|ed|ing|er|ation)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})ys(e|ed|ing|er)$"), r"yz\1"),
)
"""British spellings folded into American ones (organisation/organization, analyse/analyze)."""
_SUFFIXES: tuple[tuple[str, str, int, bool], ...] = (
    # (suffix, replacement, shortest stem left, stem needs a vowel)
    ("ization", "iz", 3, False),
    ("ation", "at", 3, False),
    ("ator", "at", 3, False),
    ("elling", "el", 3, False),
    ("elled", "el", 3, False),
    ("eller", "el", 3, False),
    ("ment", "", 4, False),
    ("ness", "", 3, False),
    ("ship", "", 3, False),
    ("ing", "", 3, True),
    ("ied", "y", 2, False),
    ("ed", "", 3, True),
    ("er", "", 3, True),
    ("ly", "", 4, False),
)


def _fold(word: str) -> str:
    """Case-fold and drop accents from Latin letters ("Résumé" → "resume"), leaving the marks
    of other scripts alone (a Devanagari vowel sign is a combining mark too)."""
    word = word.casefold()
    if word.isascii():
        return word
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", word):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A light English suffix stripper: one plural step, up to two derivational suffixes, then
    tidying (final "e", doubled consonants, "-at" of "negotiat(e)"). Non-ASCII words are left
    as they are. Both sides of a comparison go through it, so stems need only be consistent."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha() or word in _NO_STEM:
        return word
    w = word
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w in _NO_STEM:
        return w
    for pattern, replacement in _SPELLING:
        w = pattern.sub(replacement, w)
    stripped = False
    for _ in range(2):
        for suffix, replacement, shortest, needs_vowel in _SUFFIXES:
            if not w.endswith(suffix):
                continue
            stem = w[: -len(suffix)]
            if len(stem) < shortest or (needs_vowel and not _VOWELS.intersection(stem)):
                continue
            w = stem + replacement
            stripped = True
            break
        else:
            break
    if stripped and len(w) > 3 and w[-1] == w[-2] and w[-1] not in _NO_UNDOUBLE:
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("at") and len(w) >= 7:
        w = w[:-2]
    return w


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    norm: str  # folded, unstemmed
    stem: str
    segment: int  # phrases and displayed terms never cross punctuation such as "," or ";"
    filler: bool


def _words(text: str) -> list[_Token]:
    """Every non-stop word of `text`, filler included, with its place in `text`."""
    tokens: list[_Token] = []
    segment = 0
    last_end = 0
    for match in _TOKEN.finditer(text):
        if not _PHRASE_GAP.fullmatch(text, last_end, match.start()):
            segment += 1
        last_end = match.end()
        norm = _fold(match.group())
        if norm in STOP_WORDS or norm.isdigit():
            continue
        stem = _stem(norm)
        tokens.append(_Token(match.start(), match.end(), norm, stem, segment, norm in FILLER_WORDS))
    return tokens


_Phrase = tuple[int, int, frozenset[str]]
"""A related-term phrase found in a text: first token, past-the-last token, its concepts."""


def _build_phrases() -> tuple[dict[tuple[str, ...], frozenset[str]], int]:
    phrases: dict[tuple[str, ...], set[str]] = {}
    for concept, terms in RELATED_TERMS.items():
        for term in terms:
            if any(_fold(word) in STOP_WORDS for word in _TOKEN.findall(term)):
                raise ValueError(f"related term {term!r} contains a stop word")
            key = tuple(token.stem for token in _words(term))
            phrases.setdefault(key, set()).add(concept)
    longest = max(len(key) for key in phrases)
    return {key: frozenset(value) for key, value in phrases.items()}, longest


_PHRASES, _LONGEST_PHRASE = _build_phrases()


def _phrase_matches(tokens: Sequence[_Token]) -> list[_Phrase]:
    """Greedy longest-first matches of related-term phrases within one segment."""
    found: list[_Phrase] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_PHRASE, len(tokens) - i), 0, -1):
            window = tokens[i : i + size]
            if window[0].segment != window[-1].segment:
                continue
            concepts = _PHRASES.get(tuple(token.stem for token in window))
            if concepts:
                found.append((i, i + size, concepts))
                i += size
                break
        else:
            i += 1
    return found


def _content(text: str) -> tuple[tuple[_Token, ...], tuple[_Phrase, ...]]:
    """The content words of `text` and the phrases among them: filler words are dropped unless
    they belong to a phrase ("learning" in "machine learning")."""
    tokens = _words(text)
    phrases = _phrase_matches(tokens)
    in_phrase = {i for first, past, _ in phrases for i in range(first, past)}
    keep = [i for i, token in enumerate(tokens) if not token.filler or i in in_phrase]
    new_index = {old: new for new, old in enumerate(keep)}
    return (
        tuple(tokens[i] for i in keep),
        tuple((new_index[first], new_index[past - 1] + 1, found) for first, past, found in phrases),
    )


def _trigrams(word: str) -> Iterable[str]:
    padded = f" {word} "
    return (padded[i : i + 3] for i in range(len(padded) - 2))


def _unit(counts: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in counts.values()))
    if norm == 0:
        return {}
    return {key: value / norm for key, value in counts.items()}


@dataclass(frozen=True, slots=True)
class _Profile:
    """Everything compared about one text. Treated as immutable once built."""

    text: str
    tokens: tuple[_Token, ...]
    phrases: tuple[_Phrase, ...]
    words: dict[str, float]  # unit vector over stems and "~concept" features
    grams: dict[str, float]  # unit vector over character trigrams of the stems

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(token.stem for token in self.tokens)

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(concept for _, _, found in self.phrases for concept in found)


def _profile(text: str) -> _Profile:
    text = unicodedata.normalize("NFC", text)
    tokens, phrases = _content(text)
    stem_counts = Counter(token.stem for token in tokens)
    words: dict[str, float] = {stem: 1.0 + math.log(n) for stem, n in stem_counts.items()}
    for _, _, concepts in phrases:
        for concept in concepts:
            words["~" + concept] = CONCEPT_WEIGHT
    grams = Counter(gram for token in tokens for gram in _trigrams(token.stem))
    return _Profile(
        text=text,
        tokens=tokens,
        phrases=phrases,
        words=_unit(words),
        grams=_unit({gram: 1.0 + math.log(n) for gram, n in grams.items()}),
    )


@lru_cache(maxsize=4096)
def _topic_profile(text: str) -> _Profile:
    """Volunteers' topics change rarely and are compared on every request: remember them.
    (A person's need is never cached.)"""
    return _profile(text)


# --- scoring -----------------------------------------------------------------------------------


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    # Summed in sorted key order: symmetric to the last bit, and the same order TopicIndex uses.
    total = 0.0
    for key in sorted(a.keys() & b.keys()):
        total += a[key] * b[key]
    return total


def _combine(words: float, grams: float) -> float:
    typo = TRIGRAM_WEIGHT * max(0.0, (min(1.0, grams) - TRIGRAM_FLOOR) / (1.0 - TRIGRAM_FLOOR))
    stronger, weaker = max(words, typo), min(words, typo)
    score = stronger + (1.0 - stronger) * WEAKER_SHARE * weaker
    return min(1.0, max(0.0, round(score, _DECIMALS)))


def _score(a: _Profile, b: _Profile) -> float:
    if not a.words or not b.words:
        return 0.0
    return _combine(_dot(a.words, b.words), _dot(a.grams, b.grams))


def similarity(a: str, b: str) -> float:
    """How close two texts are, in [0, 1]: symmetric, 1.0 for identical texts with content, 0.0
    when either has no content words (empty, or only stop words)."""
    return _score(_profile(a), _profile(b))


class TopicIndex:
    """Many topic texts pre-processed once; `scores(query)` compares a query with all of them.

    Equivalent to ``[similarity(query, text) for text in texts]``, but each text is tokenised
    once (and remembered across indexes) and only features the query shares are visited."""

    __slots__ = ("_grams", "_profiles", "_words")

    def __init__(self, texts: Sequence[str]) -> None:
        self._profiles = tuple(_topic_profile(text) for text in texts)
        self._words = self._postings(profile.words for profile in self._profiles)
        self._grams = self._postings(profile.grams for profile in self._profiles)

    @staticmethod
    def _postings(vectors: Iterable[Mapping[str, float]]) -> dict[str, list[tuple[int, float]]]:
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, vector in enumerate(vectors):
            for key, weight in vector.items():
                postings.setdefault(key, []).append((i, weight))
        return postings

    def __len__(self) -> int:
        return len(self._profiles)

    def _accumulate(
        self, query: Mapping[str, float], postings: Mapping[str, list[tuple[int, float]]]
    ) -> list[float]:
        totals = [0.0] * len(self._profiles)
        for key in sorted(query):
            weight = query[key]
            for i, other in postings.get(key, ()):
                totals[i] += weight * other
        return totals

    def scores(self, query: str) -> list[float]:
        """`similarity(query, text)` for every indexed text, in index order."""
        profile = _profile(query)
        if not profile.words:
            return [0.0] * len(self._profiles)
        words = self._accumulate(profile.words, self._words)
        grams = self._accumulate(profile.grams, self._grams)
        return [
            _combine(w, g) if other.words else 0.0
            for w, g, other in zip(words, grams, self._profiles, strict=True)
        ]


# --- explaining --------------------------------------------------------------------------------


def _near_miss(a: str, b: str) -> bool:
    """True when `a` and `b` (both at least 5 letters, a plural "s" aside) differ by one edit or
    one swap of neighbouring letters: a typo, not a different word."""
    a = a[:-1] if a.endswith("s") and len(a) > 5 else a
    b = b[:-1] if b.endswith("s") and len(b) > 5 else b
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def shared_terms(a: str, b: str, limit: int = 3) -> tuple[str, ...]:
    """Readable terms of `b` (a volunteer's topics) that meet `a` (a need): words with the same
    stem, words of a related-term phrase whose concept `a` mentions, or words `a` misspells.
    Neighbouring matched words are kept together ("data modelling"); the surface text comes
    from `b` only, in `b`'s order, without duplicates."""
    if limit <= 0:
        return ()
    need, topics = _profile(a), _topic_profile(b)
    if not need.words or not topics.words:
        return ()
    stems, concepts = need.stems, need.concepts
    typo_candidates = {token.norm for token in need.tokens if len(token.norm) >= 5}
    phrase_of: dict[int, int] = {}
    matched: set[int] = set()
    for number, (first, past, found) in enumerate(topics.phrases):
        for i in range(first, past):
            phrase_of[i] = number
        if found & concepts:
            matched.update(range(first, past))
    for i, token in enumerate(topics.tokens):
        if token.stem in stems or any(_near_miss(token.norm, w) for w in typo_candidates):
            matched.add(i)

    runs: list[list[int]] = []
    for i in sorted(matched):
        previous = runs[-1][-1] if runs else None
        joins = (
            previous == i - 1
            and len(runs[-1]) < MAX_TERM_WORDS
            and topics.tokens[i].segment == topics.tokens[i - 1].segment
            and (
                _TERM_GAP.fullmatch(topics.text, topics.tokens[i - 1].end, topics.tokens[i].start)
                is not None
                or phrase_of.get(i, -1) == phrase_of.get(i - 1, -2)
            )
        )
        if joins:
            runs[-1].append(i)
        else:
            runs.append([i])

    terms: list[str] = []
    seen: set[str] = set()
    for run in runs:
        surface = topics.text[topics.tokens[run[0]].start : topics.tokens[run[-1]].end]
        term = " ".join(surface.split())
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
        if len(terms) == limit:
            break
    return tuple(terms)
