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
from collections.abc import Iterator
from typing import Any

import click

from lang import LANGUAGES, choose_language, gettext, set_language
from lang.core import DOMAIN, LOCALEDIR, LOCALES

_ORIGINAL = "_umbrella_english"


def walk(command: click.Command) -> Iterator[click.Command]:
    """A command and every command under it."""
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from walk(sub)


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


def translate_help(root: click.Command) -> None:
    """Put every help text of the tree in the language spoken now (the English kept)."""
    for cmd in walk(root):
        english = cmd.__dict__.setdefault(_ORIGINAL, {"help": cmd.help,
                                                      "short_help": cmd.short_help})
        cmd.help = gettext(english["help"]) if english["help"] else english["help"]
        cmd.short_help = (gettext(english["short_help"]) if english["short_help"]
                          else english["short_help"])
        for p in cmd.params:
            if not isinstance(p, click.Option):
                continue
            english_p = p.__dict__.setdefault(_ORIGINAL, {"help": p.help})
            p.help = gettext(english_p["help"]) if english_p["help"] else english_p["help"]


def speak(code: str, root: click.Command | None = None) -> None:
    """Speak ``code``: our messages, click's own words and (with ``root``) the help."""
    set_language(code)
    stdlib_gettext.bindtextdomain(DOMAIN, str(LOCALEDIR))
    stdlib_gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LOCALES[code]
    if root is not None:
        translate_help(root)


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
    speak(choose_language(explicit), root)
