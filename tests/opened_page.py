"""A page opened in headless Chromium, with everything it did (shared by the browser tests
of the HTML views and of the workbench; conftest modules are not importable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar


@dataclass
class Opened:
    """A page opened in the browser, with everything it did."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        """The value of a script expression evaluated in the page."""
        return self.page.evaluate(expression, arg)


PageT = TypeVar("PageT", bound=Opened)


def watch(opened: PageT) -> PageT:
    """Record on ``opened`` every request, console message, error and dialog of its page
    (each dialog dismissed); returns it."""
    page = opened.page
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return opened
