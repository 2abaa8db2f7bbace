"""Every message has its Chinese: a missing, stale or mismatched entry fails here."""

from __future__ import annotations

from umbrella.catalog import problems


def test_the_chinese_catalog_is_complete_and_current() -> None:
    found = problems("zh")
    assert found == [], "\n".join(found[:40]) + (f"\n... {len(found) - 40} more"
                                                  if len(found) > 40 else "")
