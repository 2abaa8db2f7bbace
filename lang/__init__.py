"""The interface language: gettext catalogs (zh, en), choosing the language, messages
with typed fields, and the way each language writes dates, money and kinship.

Every room may import it. The data is always shown as written; only the words
around it follow the run's language (:func:`lang.core.choose_language`).
"""

from lang.core import (
    LANGUAGES,
    N_,
    NP_,
    choose_language,
    gettext,
    language,
    ngettext,
    pgettext,
    set_language,
    use_language,
)

_ = gettext

__all__ = ["LANGUAGES", "NP_", "N_", "_", "choose_language", "gettext", "language",
           "ngettext", "pgettext", "set_language", "use_language"]
