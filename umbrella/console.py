"""Terminal output: tables that align Chinese text, progress bars on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# No console markup by default: names, titles and cells come from input files, and a
# "[/]" or "[link=...]" in them must print as written (pass markup=True, with the data
# escaped by :func:`rich.markup.escape`, where styling is wanted).
out = Console(highlight=False, soft_wrap=True, markup=False)
if not out.is_terminal:  # files and pipes: wide enough that ids and Chinese titles stay whole
    out = Console(highlight=False, soft_wrap=True, width=160, markup=False)
err = Console(stderr=True, highlight=False, markup=False)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
          right: Sequence[str] = (), whole: Sequence[str] = ("id", "score", "rule", "date")
          ) -> Table:
    """A rich table; ``right`` columns are right-aligned, ``whole`` ones never wrap."""
    t = Table(title=title, title_justify="left", header_style="bold", min_width=len(title) + 4)
    for h in headers:
        t.add_column(h, justify="right" if h in right else "left", no_wrap=h in whole)
    for r in rows:
        t.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in r))
    return t


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress bar on stderr (silent when stderr is not a terminal)."""
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as p:
        yield p


def progress_callback(p: Progress) -> Callable[[str, int, int], None]:
    """A ``(stage, done, total)`` callback that drives one task of ``p``."""
    task = p.add_task("starting", total=None)

    def cb(stage: str, done: int, total: int) -> None:
        p.update(task, description=stage, completed=done, total=total or None)

    return cb
