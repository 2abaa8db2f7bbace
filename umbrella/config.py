"""Where the database is: ``--db``, else ``UMBRELLA_DB``, else ``./umbrella.db``."""

from __future__ import annotations

DEFAULT_DB = "umbrella.db"
DB_ENV = "UMBRELLA_DB"
