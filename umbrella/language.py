"""The command line in the run's language: ``--lang`` on every command, translated help.

The language is chosen before any command runs (:func:`lang.choose_language`:
``--lang``, else ``UMBRELLA_LANG``, else the locale). Help texts stay English in the
code, as the catalogs' message ids; :func:`translate_help` puts each command's help
and each option's help in the chosen language when the language is set, and click's
own words ("Usage:", "Options:"...) come from the same catalog through the standard
gettext domain.

Examples
--------
>>> import click
>>> @click.command()
... @click.option("--n", help="How many.")
... def hello(n: int) -> None:
...     '''Say hello.'''
>>> add_lang_option(hello)
>>> [p.name for p in hello.params]
['lang', 'n']
"""

from __future__ import annotations

import gettext as stdlib_gettext
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from graph.text import translate_with
from lang import LANGUAGES, choose_language, gettext, language, set_language
from lang.core import DOMAIN, LOCALEDIR, LOCALES

# the messages of graph and the generator, which may not import the language package
translate_with(gettext)

_ORIGINAL = "_umbrella_english"


def walk(command: click.Command) -> Iterator[click.Command]:
    """A command and every command under it."""
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from walk(sub)


def width(text: str) -> int:
    """How many terminal columns ``text`` takes (a Chinese character takes two).

    Examples
    --------
    >>> width("abc"), width("用法：")
    (3, 6)
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: A Chinese line does not start with these (they stay at the end of the line before).
_CLOSING = set("，。；：、）】》」』”’！？,.;:)]")
#: A word of Latin letters, digits or signs (kept whole), one wide character, or a space.
_TOKEN = re.compile(r"\s+|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|.")


def wrap(text: str, columns: int, first: str = "", rest: str = "") -> list[str]:
    """One paragraph as lines of at most ``columns`` terminal columns: Latin words kept
    whole, Chinese broken between characters (never before closing punctuation).

    Examples
    --------
    >>> wrap("每一行都会经过校验，绝不静默丢弃。", 12)
    ['每一行都会经', '过校验，绝不', '静默丢弃。']
    >>> wrap("use --wait to wait", 10, "  ", "  ")
    ['  use', '  --wait', '  to wait']
    """
    lines: list[str] = []
    line, used = first, width(first)
    for token in _TOKEN.findall(" ".join(text.split())):
        size = width(token)
        if used + size > columns and line.strip() and token not in _CLOSING:
            lines.append(line.rstrip())
            line, used = rest, width(rest)
            if token.isspace():
                continue
        if token.isspace() and not line.strip():
            continue
        line += token
        used += size
    lines.append(line.rstrip())
    return lines


def _paragraphs(text: str, columns: int, indent: str) -> str:
    """Text as click lays help out (paragraphs rewrapped; a ``\\b`` block as written)."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.expandtabs()):
        lines = block.splitlines()
        if not lines:
            continue
        extra = " " * (width(lines[0]) - width(lines[0].lstrip()))
        if lines[0].strip() == "\b":
            out.append("\n".join(indent + extra + line for line in lines[1:]))
        else:
            out.append("\n".join(wrap(block, columns, indent + extra, indent + extra)))
    return "\n\n".join(out)


class WideHelpFormatter(click.HelpFormatter):
    """click's help layout, measured in terminal columns, for help written in Chinese."""

    def write_text(self, text: str) -> None:
        """Paragraphs rewrapped to the width, as click does."""
        self.write(_paragraphs(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        """Options or commands and their help, in two columns."""
        rows = list(rows)
        first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
        for term, help_text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not help_text:
                self.write("\n")
                continue
            if width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _paragraphs(help_text, max(self.width - first_col - 2, 10), "").splitlines()
            self.write((lines[0] if lines else "") + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class Context(click.Context):
    """A command's context: help laid out in terminal columns when the run speaks Chinese."""

    def make_formatter(self) -> click.HelpFormatter:
        """The help formatter for the language spoken now."""
        if language() == "zh":
            return WideHelpFormatter(width=self.terminal_width,
                                     max_width=self.max_content_width)
        return super().make_formatter()


def help_texts(root: click.Command) -> Iterator[str]:
    """Every English help text of a command tree (the catalog's messages)."""
    for cmd in walk(root):
        for text in (getattr(cmd, _ORIGINAL, {}).get("help", cmd.help), cmd.short_help):
            if text:
                yield text
        for p in cmd.params:
            text = getattr(p, _ORIGINAL, {}).get("help", getattr(p, "help", None))
            if text:
                yield text


def _first_sentence(text: str | None) -> str | None:
    """The first sentence of a translated help, as the list of commands shows it (click
    would shorten a Chinese one, which has no spaces to break at, to "...").

    Examples
    --------
    >>> _first_sentence("统计节点和记录数。\\n\\n    其他说明。")
    '统计节点和记录数'
    """
    if not text:
        return text
    first = text.split("\n\n")[0].strip()
    return first.split("。")[0] if "。" in first else first


#: The help click gives the ``--help`` option (its message id).
_HELP_OPTION = "Show this message and exit."


def translate_help(root: click.Command) -> None:
    """Put every help text of the tree in the language spoken now (the English kept)."""
    for cmd in walk(root):
        english = cmd.__dict__.setdefault(_ORIGINAL, {"help": cmd.help,
                                                      "short_help": cmd.short_help})
        cmd.help = gettext(english["help"]) if english["help"] else english["help"]
        cmd.short_help = (gettext(english["short_help"]) if english["short_help"]
                          else _first_sentence(cmd.help) if cmd.help != english["help"]
                          else english["short_help"])
        # the --help option click made already (it is made once, in the language spoken then)
        made = getattr(cmd, "_help_option", None)
        for p in [*cmd.params, *([made] if isinstance(made, click.Option) else [])]:
            if not isinstance(p, click.Option):
                continue
            # click wrote the --help option's help in the language spoken when it made it:
            # its English is click's own message id
            english_p = p.__dict__.setdefault(_ORIGINAL, {
                "help": _HELP_OPTION if p is made else p.help})
            p.help = gettext(english_p["help"]) if english_p["help"] else english_p["help"]


def speak(code: str, root: click.Command | None = None) -> None:
    """Speak ``code``: our messages, click's own words and (with ``root``) the help."""
    set_language(code)
    stdlib_gettext.bindtextdomain(DOMAIN, str(LOCALEDIR))
    stdlib_gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LOCALES[code]
    if root is not None:
        translate_help(root)


@contextmanager
def speaking(root: click.Command, explicit: str | None = None) -> Iterator[None]:
    """Run a command tree in the language the environment asks for (``--lang`` may change
    it on the way), then speak again as before: the language, the ``LANGUAGE`` variable
    click's words follow, and the help texts (one process may run several commands, as
    tests and the workbench do).

    Examples
    --------
    >>> @click.command()
    ... def hello() -> None:
    ...     "Say hello."
    >>> with speaking(hello, "zh"):
    ...     language()
    'zh'
    >>> language()
    'en'
    """
    before, env = language(), os.environ.get("LANGUAGE")
    speak(choose_language(explicit), root)
    try:
        yield
    finally:
        speak(before, root)
        if env is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = env


def _on_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        speak(value, ctx.find_root().command)


def add_lang_option(command: click.Command) -> None:
    """Give ``command`` the ``--lang`` option (once), processed before its other options."""
    if any(p.name == "lang" for p in command.params):
        return
    command.params.insert(0, click.Option(
        ["--lang"], type=click.Choice(LANGUAGES), expose_value=False, is_eager=True,
        callback=_on_lang, help="Interface language (default: UMBRELLA_LANG, else the locale: "
        "zh_CN gives Chinese). The data is shown as written."))


def prepare(root: click.Command, explicit: str | None = None, **_: Any) -> None:
    """Before a run: ``--lang`` on every command, and the language the environment asks for."""
    for cmd in walk(root):
        add_lang_option(cmd)
        cmd.context_class = Context
    speak(choose_language(explicit), root)
