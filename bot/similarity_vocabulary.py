"""The words `bot.similarity` works with: English stop and filler words, and hand-made groups of
related workplace terms. Data only, kept apart so the scoring module reads as arithmetic."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["FILLER_WORDS", "RELATED_TERMS", "STOP_WORDS"]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _word_set(
    """
    a about above after again against all almost also am among an and any are aren around as at
    be became because become been before being below between both but by can cannot could
    couldn d did didn do does doesn doing don done down during each either else etc even ever
    every few for from further get gets getting go goes going got had hadn has hasn have haven
    having he her here hers herself him himself his how however i if in into is isn it its itself
    just least less let like ll m many may me might mine more most much must mustn my myself need
    needs neither no nor not now o of off often on once one only or other others our ours
    ourselves out over own per please quite rather re really s same say see seem seems shall she
    should shouldn since so some someone something somewhat still such t than that the their
    theirs them themselves then there these they thing things this those though through thus to
    too under until up upon us use used using ve very via want wanted wants was wasn way we well
    were weren what whatever when where whether which while who whom whose why will with within
    without won would wouldn y yet you your yours yourself yourselves
    """
)
"""English function words: never content, not even inside a related-term phrase."""

FILLER_WORDS = _word_set(
    """
    better improve improving improvement learn learning looking help helping skill skills stuff
    good great advice tips started
    """
)
"""Words every request shares ("want to learn … better"): ignored, except as part of a
related-term phrase ("machine learning")."""

RELATED_TERMS: Mapping[str, tuple[str, ...]] = {
    "databases": (
        "sql",
        "database",
        "query",
        "postgres",
        "postgresql",
        "mysql",
        "sqlite",
        "relational",
        "data modelling",
        "data model",
        "schema design",
    ),
    "presenting": (
        "public speaking",
        "presenting",
        "speaking",
        "talks",
        "conference talks",
        "keynote",
        "slides",
        "slide decks",
        "storytelling",
        "pitching",
    ),
    "leadership": (
        "management",
        "leadership",
        "managing people",
        "people management",
        "managing teams",
        "team management",
        "leading teams",
        "team lead",
        "tech lead",
        "line management",
        "first time manager",
        "new manager",
        "leader",
    ),
    "machine_learning": (
        "ml",
        "machine learning",
        "ai",
        "artificial intelligence",
        "deep learning",
        "neural networks",
        "llm",
        "llms",
        "data science",
    ),
    "product": (
        "product",
        "product management",
        "product manager",
        "product owner",
        "roadmap",
        "product strategy",
        "product discovery",
    ),
    "negotiation": (
        "negotiation",
        "negotiating",
        "bargaining",
        "salary negotiation",
        "contract negotiation",
    ),
    "career": (
        "career",
        "career path",
        "career development",
        "career growth",
        "career change",
        "promotion",
        "progression",
        "career progression",
    ),
    "feedback": (
        "feedback",
        "giving feedback",
        "receiving feedback",
        "difficult conversations",
        "performance reviews",
    ),
    "conflict": ("conflict", "conflict resolution", "difficult conversations", "mediation"),
    "hiring": ("hiring", "recruiting", "recruitment", "interviewing", "interviews"),
    "programming": (
        "programming",
        "coding",
        "software development",
        "software engineering",
        "developer",
        "code review",
        "clean code",
        "refactoring",
    ),
    "frontend": (
        "frontend",
        "front end",
        "javascript",
        "typescript",
        "react",
        "css",
        "web development",
    ),
    "ux": (
        "ux",
        "user experience",
        "user research",
        "usability",
        "interaction design",
        "ui",
        "user interface",
        "ux design",
    ),
    "analytics": (
        "analytics",
        "data analysis",
        "statistics",
        "excel",
        "spreadsheets",
        "dashboards",
        "business intelligence",
        "bi",
        "reporting",
    ),
    "project_management": (
        "project management",
        "agile",
        "scrum",
        "kanban",
        "delivery",
        "project planning",
        "programme management",
        "program management",
    ),
    "time_management": (
        "time management",
        "prioritisation",
        "prioritization",
        "productivity",
    ),
    "stakeholders": (
        "stakeholder management",
        "stakeholders",
        "managing stakeholders",
        "influencing",
        "influence",
    ),
    "strategy": ("strategy", "strategic thinking", "business strategy"),
    "finance": ("finance", "budgeting", "budgets", "accounting", "financial planning"),
    "sales": ("sales", "selling", "business development", "account management"),
    "marketing": ("marketing", "branding", "seo", "content marketing", "social media"),
    "cloud": (
        "devops",
        "cloud",
        "aws",
        "azure",
        "gcp",
        "kubernetes",
        "infrastructure",
        "ci cd",
        "site reliability",
        "sre",
    ),
    "security": ("security", "cybersecurity", "infosec", "application security"),
    "testing": ("testing", "qa", "quality assurance", "test automation"),
    "writing": ("writing", "technical writing", "documentation", "copywriting"),
    "wellbeing": (
        "wellbeing",
        "work life balance",
        "burnout",
        "stress",
        "resilience",
        "mental health",
    ),
    "confidence": ("confidence", "imposter syndrome", "impostor syndrome", "assertiveness"),
}
"""Hand-made groups of related workplace terms; a text mentioning any phrase of a group gets
that group's concept feature. Phrases go through the same pipeline as texts (so "presenting"
also covers "presentations" and "presenter"); the longest phrase wins, so "product management"
means product, not people management."""
