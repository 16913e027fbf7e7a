"""The article coder: from an article (English or Russian) to candidate events for an analyst to review.

The modules have one job each: :mod:`~tensions.coder.read` (text, HTML), :mod:`~tensions.coder.language`
(language, sentences, lemmas), :mod:`~tensions.coder.lexicon` (dictionaries, cached),
:mod:`~tensions.coder.actors`, :mod:`~tensions.coder.verbs`, :mod:`~tensions.coder.dates`,
:mod:`~tensions.coder.hedges`, :mod:`~tensions.coder.pairs` (who acts on whom),
:mod:`~tensions.coder.candidate` (the candidate rows and columns), :mod:`~tensions.coder.dedup` and
:mod:`~tensions.coder.code` (:func:`code_article`, which puts them together).
"""

from tensions.coder.candidate import CANDIDATE_COLUMNS, REVIEW_COLUMNS
from tensions.coder.code import code_article
from tensions.coder.read import CoderError

__all__ = ["CANDIDATE_COLUMNS", "REVIEW_COLUMNS", "CoderError", "code_article"]
