"""The template environment every document renders in: shipped and group templates, locales, escaping.

Stage: outputs (documents). Every document comes from a Jinja2 template. The shipped ones live in
``meetctl/documents/templates/``; a group overrides any of them with a file of the same name
in a ``templates/`` folder beside its programme (or ``--templates DIR``), and can
extend a shipped one as ``builtin/NAME``.

Escaping follows the template's format, so a group's own template cannot forget
it: ``*.html.j2`` templates are autoescaped for HTML, ``*.md.j2`` ones escape
Markdown (and inline HTML), ``*.txt.j2`` ones are plain text. Fixed words go
through ``_()``: with a ``group.locale`` (or ``--locale``) whose language has a
catalogue in ``meetctl/documents/locales/`` (Catalan, French), they are translated; dates
and times follow the locale in any language Babel knows.

Templates are data (a group's templates folder may be shared, and cron renders it):
they render in Jinja2's immutable sandbox, so a template reaches no Python internals
(``cycler.__init__.__globals__``), cannot change the values it is given, and loads only
files inside the template folders (a symlink out of them is refused). A template the
sandbox stops is an input error at the template's file and line.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.wording import format_date, format_time

#: The folder of templates shipped with meetctl.
BUILTIN_DIR = Path(__file__).resolve().parent / "templates"

#: Paper sizes for flyers: CSS ``@page size`` and the page in millimetres (width, height).
PAPERS: dict[str, tuple[str, tuple[float, float]]] = {
    "a4": ("A4", (210.0, 297.0)),
    "a5": ("A5", (148.0, 210.0)),
    "letter": ("letter", (215.9, 279.4)),
}

FORMATS = {"text": "txt", "markdown": "md", "html": "html"}


# --------------------------------------------------------------------------- templates


def builtin_templates() -> list[str]:
    """The names of the templates shipped with meetctl, sorted."""
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if p.is_file() and p.name.endswith(".j2"))


def template_dirs(option: Path | None, programme_paths: Sequence[str | Path]) -> list[Path]:
    """Where a group's own templates are: ``--templates DIR``, else ``templates/`` beside the programme.

    The folder beside the programme is optional; one named with ``--templates`` must exist.
    """
    if option is not None:
        if not option.is_dir():
            raise MeetctlError.at(Location(str(option)), "no such templates folder")
        return [option]
    if programme_paths:
        first = Path(programme_paths[0])
        folder = (first if first.is_dir() else first.parent) / "templates"
        if folder.is_dir():
            return [folder]
    return []


def default_templates_folder(option: Path | None, programme_paths: Sequence[str | Path]) -> Path:
    """The folder ``templates copy`` writes to (created if needed)."""
    if option is not None:
        return option
    first = Path(programme_paths[0]) if programme_paths else Path("programme.toml")
    return (first if first.is_dir() else first.parent) / "templates"


def markdown_escape(text: str) -> str:
    """Programme text made literal in Markdown: no emphasis, links, headings or raw HTML."""
    text = re.sub(r"([\\`*_\[\]<|~])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)  # "&amp;" would otherwise show as "&"
    # Block syntax only counts at the start of a line.
    text = re.sub(r"(?m)^(\s*)([#>+=-])", r"\1\\\2", text)
    return re.sub(r"(?m)^(\s*\d+)([.)])(?=\s|$)", r"\1\\\2", text)


def wrap(text: str, width: int = 72) -> str:
    """Text wrapped for mail at ``width`` columns, never breaking a word, an address or a URL."""
    import textwrap

    paragraphs = str(text).split("\n")
    return "\n".join(textwrap.fill(p, width, break_long_words=False, break_on_hyphens=False) for p in paragraphs)


def heading(text: str, rule: str = "=", width: int = 72) -> str:
    """A plain-text heading wrapped at ``width`` columns and underlined as long as its longest line."""
    lines = wrap(text, width).split("\n")
    return "\n".join(lines) + "\n" + rule * min(width, max(len(line) for line in lines))


def markdown_link(url: str) -> Any:
    """A checked http(s) link as a Markdown autolink ``<...>``: nothing in it is read as Markdown.

    CommonMark takes an autolink's text literally up to the first ``>``; spaces and
    control characters never pass model validation, and ``<``/``>`` are percent-encoded.
    """
    from urllib.parse import quote

    from markupsafe import Markup

    return Markup("<" + quote(str(url), safe=":/?#[]@!$&'()*+,;=%-._~") + ">")


def _upfirst(text: str) -> str:
    """'last Wednesday of every month' -> 'Last Wednesday of every month' (unlike |capitalize)."""
    return text[:1].upper() + text[1:]


#: Translation catalogues of the templates' fixed words: ``LANG.po`` per language, compiled to ``LANG.mo``.
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def shipped_languages() -> list[str]:
    """The languages the templates' fixed words are translated into (besides English)."""
    return sorted(p.stem for p in LOCALES_DIR.glob("*.po"))


def translations(locale: str | None) -> Any:
    """A gettext translations object for ``locale`` (English words when none is shipped)."""
    import gettext

    from meetctl.model.wording import uses_babel

    if not locale or not uses_babel(locale):
        return gettext.NullTranslations()
    language = locale.replace("-", "_").split("_")[0].lower()
    # The compiled catalogue (documents/catalogues.py makes it from the .po): the standard
    # library reads it, so translated words need no Babel.
    path = LOCALES_DIR / f"{language}.mo"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        return gettext.GNUTranslations(f)


def with_locale(programmes: Sequence[Programme], locale: str | None) -> list[Programme]:
    """The programmes as documents should speak them: ``--locale`` over each ``group.locale``.

    An unknown locale is an error at ``--locale`` or at the group's ``locale`` key.
    """
    from dataclasses import replace

    from meetctl.model.wording import check_locale

    if locale:
        try:
            check_locale(locale)
        except ValueError as exc:
            raise MeetctlError(Problem(f"--locale: {exc}")) from None
        return [replace(p, group=replace(p.group, locale=locale)) for p in programmes]
    for p in programmes:
        if p.group.locale:
            try:
                check_locale(p.group.locale)
            except ValueError as exc:
                raise MeetctlError.at(p.locate(("group", "locale")), f"group.locale: {exc}") from None
    return list(programmes)


def colon(locale: str | None) -> str:
    """The colon after a label in ``locale``: French puts a narrow no-break space before it ("ANNULÉE :").

    Templates write ``{{ colon }}`` and ``{{ semicolon }}`` (made from this) wherever they put one.
    """
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    return "\u202f:" if language == "fr" else ":"


def words(locale: str | None, message: str) -> str:
    """A fixed phrase made in code (not in a template), translated like the templates' words."""
    return _gettext_for(locale)(message)


@functools.cache
def _gettext_for(locale: str | None) -> Any:
    return translations(locale).gettext


class Templates:
    """The Jinja2 environments (one per output format) over the group's and the shipped templates."""

    def __init__(self, group_dirs: Sequence[Path] = (), locale: str | None = None, sandbox_all: bool = False) -> None:
        self.group_dirs = list(group_dirs)
        self.locale = locale
        self._envs: dict[str, Any] = {}
        # The sandbox is for a group's own templates. When the group replaces none of the
        # shipped ones, a shipped template can only load shipped ones, which are ours and
        # autoescaped: they render in a plain environment, without the sandbox's cost per
        # attribute (16 million checks in a big site). `sandbox_all` is for tests.
        self.trusted = not sandbox_all and not any(
            os.path.lexists(Path(d) / name) for d in self.group_dirs for name in _shipped_names()
        )

    def _environment(self, kind: str) -> Any:
        if kind in self._envs:
            return self._envs[kind]
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment
        from markupsafe import Markup

        builtin = _folder_loader(BUILTIN_DIR)
        loader = jinja2.ChoiceLoader(
            [
                *(_folder_loader(d) for d in self.group_dirs),
                jinja2.PrefixLoader({"builtin": builtin}),
                builtin,
            ]
        )

        def finalize(value: Any) -> Any:
            if value is None:
                return ""
            if kind == "markdown" and isinstance(value, str) and not isinstance(value, Markup):
                return markdown_escape(value)
            return value

        from meetctl.documents.bounds import CountedRange, checked_binop

        class BoundedSandbox(ImmutableSandboxedEnvironment):
            # `*` and `**` are checked before they run: "x" * 3000000000 is refused, not allocated.
            intercepted_binops = frozenset({"*", "**"})

            def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
                checked_binop(operator, left, right)
                return super().call_binop(context, operator, left, right)

        env = BoundedSandbox(
            loader=loader,
            # CSS is included raw inside <style>; everything else in an HTML document is escaped.
            autoescape=(lambda name: not (name or "").endswith(".css.j2")) if kind == "html" else False,
            undefined=jinja2.StrictUndefined,  # a typo in a group's template is an error, not a blank
            finalize=finalize,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
            bytecode_cache=_bytecode_cache(kind),
        )
        # Compiled templates call gettext at render time, so the bytecode cache is shared by all languages.
        env.install_gettext_translations(translations(self.locale), newstyle=True)  # type: ignore[attr-defined]
        env.globals["range"] = CountedRange  # loops count against the render's budget (meetctl.documents.bounds)
        env.globals["colon"] = colon(self.locale)
        env.globals["semicolon"] = colon(self.locale).replace(":", ";")
        env.filters["upfirst"] = _upfirst
        env.filters["wrap"] = wrap
        env.filters["heading"] = heading
        env.filters["markdown_link"] = markdown_link
        env.globals["format_date"] = format_date
        env.globals["format_time"] = format_time
        self._envs[kind] = env
        return env

    def _shipped_environment(self, kind: str) -> Any:
        """The plain environment of the shipped templates alone (see ``trusted``), set up as the sandbox's."""
        key = "shipped-" + kind
        if key not in self._envs:
            import jinja2

            sandboxed = self._environment(kind)
            builtin = _folder_loader(BUILTIN_DIR)
            env = jinja2.Environment(
                loader=jinja2.ChoiceLoader([jinja2.PrefixLoader({"builtin": builtin}), builtin]),
                autoescape=sandboxed.autoescape,
                undefined=jinja2.StrictUndefined,
                finalize=sandboxed.finalize,
                keep_trailing_newline=True,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
                bytecode_cache=_bytecode_cache("shipped-" + kind),
            )
            # Every global and filter the sandbox has (its gettext is the plain environment's own, below).
            env.globals.update({k: v for k, v in sandboxed.globals.items() if k not in env.globals})
            env.filters.update({k: v for k, v in sandboxed.filters.items() if k not in env.filters})
            env.install_gettext_translations(translations(self.locale), newstyle=True)  # type: ignore[attr-defined]
            self._envs[key] = env
        return self._envs[key]

    def _template(self, name: str, kind: str) -> Any:
        if self.trusted and not name.startswith("builtin/") and (BUILTIN_DIR / name).is_file():
            return self._shipped_environment(kind).get_template(name)
        return self._environment(kind).get_template(name)

    def render(self, name: str, **context: Any) -> str:
        """Render template ``name``; a broken template is a MeetctlError at its file and line."""
        import jinja2

        kind = "html" if name.endswith(".html.j2") else "markdown" if name.endswith(".md.j2") else "text"
        from meetctl.documents.bounds import bounded, count_output

        try:
            template = self._template(name, kind)
            if not _sandboxed(template):  # the shipped templates alone: ours, nothing to bound
                return template.render(**context)
            with bounded():
                return count_output(template.render(**context))
        except MeetctlError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            where = Location(exc.filename or exc.name or name, exc.lineno)
            raise MeetctlError.at(where, f"template error: {exc.message}") from None
        except Exception as exc:  # a group's template is user input: any failure is theirs to fix
            raise MeetctlError(_template_problem(exc, name, [*self.group_dirs, BUILTIN_DIR])) from None

    def render_stream(self, name: str, **context: Any) -> Iterator[str]:
        """Render template ``name`` piece by piece (a long page never sits in memory whole).

        Context values may be iterators, consumed as the template reaches them. Errors are
        reported as by :meth:`render`.
        """
        import jinja2

        kind = "html" if name.endswith(".html.j2") else "markdown" if name.endswith(".md.j2") else "text"
        from meetctl.documents.bounds import bounded, count_output, new_budget

        budget = new_budget()  # the whole page's: each piece runs within what the earlier ones left
        try:
            template = self._template(name, kind)
            if not _sandboxed(template):  # the shipped templates alone: ours, nothing to bound
                yield from template.generate(**context)
                return
            with bounded(budget):
                pieces = template.generate(**context)
            while True:
                with bounded(budget):
                    piece = next(pieces, None)
                    if piece is None:
                        return
                    count_output(piece)
                yield piece
        except MeetctlError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            where = Location(exc.filename or exc.name or name, exc.lineno)
            raise MeetctlError.at(where, f"template error: {exc.message}") from None
        except Exception as exc:  # a group's template is user input: any failure is theirs to fix
            raise MeetctlError(_template_problem(exc, name, [*self.group_dirs, BUILTIN_DIR])) from None


def _sandboxed(template: Any) -> bool:
    """Whether ``template`` renders in the sandbox (a group's templates are involved): then it is bounded."""
    from jinja2.sandbox import SandboxedEnvironment

    return isinstance(template.environment, SandboxedEnvironment)


@functools.cache
def _shipped_names() -> tuple[str, ...]:
    """Every shipped template, as a group would name it to replace it (``site/meeting.html.j2``)."""
    return tuple(str(p.relative_to(BUILTIN_DIR)) for p in BUILTIN_DIR.rglob("*.j2"))


def _folder_loader(folder: Path) -> Any:
    """A Jinja2 loader for the templates inside ``folder`` only, read by the rule of :mod:`meetctl.beside`.

    A name that is not there falls through to the next folder (the shipped templates);
    one that is there but leads out of the folder (a symlink to /etc/passwd) or is not a
    regular file is an error at its path, never read and never silently replaced.
    """
    import jinja2
    from jinja2.loaders import split_template_path

    from meetctl.beside import read_beside

    class FolderLoader(jinja2.BaseLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            path = os.path.join(folder, *split_template_path(template))  # no "..": Jinja refuses it
            if not os.path.lexists(path):
                raise jinja2.TemplateNotFound(template)
            source = read_beside(path, folder).decode("utf-8")
            mtime = os.path.getmtime(path)
            return source, path, lambda: os.path.lexists(path) and os.path.getmtime(path) == mtime

        def list_templates(self) -> list[str]:
            return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*.j2"))

    return FolderLoader()


def _bytecode_cache(kind: str) -> Any:
    """Compiled templates kept in the user's cache folder: a run skips Jinja's compiler (~20 ms).

    Jinja checks each template's source checksum, so an edited template is recompiled.
    Compiled code depends on the environment too (autoescaping is decided at compile
    time), so each output format and each meetctl version has its own folder: a
    template included from both an HTML and a text template is never run with the
    other's escaping. ``MEETCTL_CACHE_DIR`` moves the folder; an unwritable one only
    costs speed.
    """
    import jinja2

    from meetctl import __version__

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    try:
        from platformdirs import user_cache_dir

        base = Path(os.environ.get("MEETCTL_CACHE_DIR") or user_cache_dir("meetctl"))
        folder = base / "templates" / f"{__version__}-{'' if kind.startswith('shipped-') else 'bounded-'}{kind}"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietCache(str(folder))


def _template_problem(exc: BaseException, name: str, dirs: Sequence[Path]) -> Problem:
    import jinja2
    from jinja2.sandbox import SecurityError

    from meetctl.documents.bounds import RenderStopped

    # Jinja rewrites tracebacks so template frames carry the template's file and line;
    # the innermost frame from a templates folder is where the problem is.
    folders = [os.path.abspath(d) + os.sep for d in dirs]
    where = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(os.path.abspath(filename).startswith(f) for f in folders):
            where = Location(filename, tb.tb_lineno)
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"template error: {exc.message}"
    elif isinstance(exc, RenderStopped):
        message = f"template stopped: {exc} (a render is bounded in time and size)"
    elif isinstance(exc, MemoryError):
        message = "template stopped: it asked for more memory than a render may have (a render is bounded in size)"
    elif isinstance(exc, SecurityError):
        message = f"template refused: {exc} (templates are data: they reach only the values they are given)"
    else:
        message = f"template error: {type(exc).__name__}: {exc}"
    return Problem(message, where or Location(name))
