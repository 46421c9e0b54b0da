"""The command line: a thin click layer over the library. The only module that prints or exits.

Each command parses its options, calls one job (`pacefit.jobs`), and prints the job's result with
a report (`pacefit.reports`). Modules are imported inside the commands so that `pacefit --help`
starts without loading decoders.
"""

from __future__ import annotations

import datetime as dt
import errno
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from pacefit.errors import Location, PacefitError, PacefitWarning

if TYPE_CHECKING:
    from pathlib import Path

    from pacefit.core.paces import Athlete
    from pacefit.formats import ReadOptions

ATHLETE_HELP = "Athlete YAML file with race times (needed for paces like '5k' or 'easy')."


TODAY_ENV = "PACEFIT_TODAY"


def today() -> dt.date:
    """The day the runner is in: the computer's date, or `PACEFIT_TODAY` (YYYY-MM-DD) for
    scripts and tests that must not depend on when they run."""
    import os

    fixed = os.environ.get(TODAY_ENV)
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError as exc:
        raise click.UsageError(f"{TODAY_ENV}={fixed} is not a date (YYYY-MM-DD)") from exc


class InputPath(click.Path):
    """A file or folder a command reads. One that is missing, or a folder where a file is
    wanted, is bad input like a corrupt file (`path: message`, exit 1); click's exit 2 is kept
    for usage mistakes (an unknown option, a missing argument)."""

    must_exist = True

    def __init__(self, *, file_okay: bool = True, dir_okay: bool = True) -> None:
        super().__init__(file_okay=file_okay, dir_okay=dir_okay)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pathlib import Path  # here, not at the top: `pacefit --help` has no path to read

        from pacefit.errors import InputPathError

        path = Path(value)
        where = Location(str(path))
        wanted = (
            "file" if not self.dir_okay else "folder" if not self.file_okay else "file or folder"
        )
        if not path.exists():
            if not self.must_exist:
                return path
            raise InputPathError(f"no such {wanted}", location=where)
        if path.is_dir() and not self.dir_okay:
            raise InputPathError("this is a folder; a file is wanted here", location=where)
        if not path.is_dir() and not self.file_okay:
            raise InputPathError("this is a file; a folder is wanted here", location=where)
        super().convert(value, param, ctx)  # click's own checks (permissions)
        return path


class OutputPath(InputPath):
    """A file or folder a command writes: it need not exist, but must be of the right kind."""

    must_exist = False


# One of each: click names a path type in words looked up in gettext's catalogues as it is made.
A_FILE = InputPath(dir_okay=False)
A_FOLDER = InputPath(file_okay=False)
A_FILE_OR_FOLDER = InputPath()
A_NEW_FILE = OutputPath(dir_okay=False)
A_NEW_FOLDER = OutputPath(file_okay=False)


class PacefitGroup(click.Group):
    """Turns pacefit's errors into one line and exit code 1; `--debug` shows tracebacks.
    Warnings are printed whether or not the command then fails."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PacefitWarning)
            try:
                return super().invoke(ctx)
            except PacefitError as exc:
                if debug:
                    import traceback  # only here: its import is a tenth of pacefit's start-up

                    traceback.print_exc()
                _print_warnings(caught)
                click.echo(f"error: {exc}" if exc.location is None else str(exc), err=True)
                ctx.exit(1)
            except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                _print_warnings(caught)
                raise
            except KeyboardInterrupt:
                _print_warnings(caught)
                click.echo("interrupted", err=True)
                ctx.exit(130)
            except OSError as exc:
                if debug:
                    raise
                # the library names every file it writes; this is the output stream itself, or
                # a refusal of the system the library did not foresee: the user's to fix either
                # way, said in one line
                _print_warnings(caught)
                where = f"{exc.filename}: " if exc.filename else ""
                what = "cannot write the output: " if exc.errno in _OUTPUT_ERRNOS else ""
                click.echo(f"{where}{what}{exc.strerror or exc}", err=True)
                ctx.exit(1)
            except Exception as exc:
                if debug:
                    raise
                _print_warnings(caught)
                click.echo(
                    f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                    err=True,
                )
                ctx.exit(2)
            finally:
                _print_warnings(caught)


# refusals to write the output stream (a full disk, a closed pipe): the user's to fix, not a bug
# in pacefit; every file pacefit writes itself is named by the library's own error
_OUTPUT_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EPIPE}


def _print_errors(errors: Iterable[PacefitError], hints: set[str] | None = None) -> None:
    """Errors of a batch, one line each; a hint is shown once, at the first error it helps
    (`hints`: those shown already)."""
    shown = set() if hints is None else hints
    for error in errors:
        click.echo(error.headline, err=True)
        if error.hint and error.hint not in shown:
            shown.add(error.hint)
            click.echo(f"  hint: {error.hint}", err=True)


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Print (once) the warnings recorded so far."""
    while caught:
        message = caught.pop(0).message
        if isinstance(message, PacefitWarning) and message.location is not None:
            click.echo(f"{message.location}: warning: {message.message}", err=True)
        else:
            click.echo(f"warning: {message}", err=True)


@click.group(cls=PacefitGroup)
@click.version_option(package_name="pacefit")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
def cli(debug: bool) -> None:
    """Structured running workouts: YAML in, FIT out, and pacing analysis of the run."""


def athlete_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--athlete",
        "athlete_path",
        type=A_FILE,
        help=ATHLETE_HELP,
    )(function)


class _LazyChoice(click.Choice[str]):
    """A choice whose values are looked up when a command parses or shows its options, so that
    building the command line (`pacefit --help`) imports no job's modules."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[Any, ...]:
        return tuple(self._load())

    @choices.setter
    def choices(self, value: tuple[Any, ...]) -> None:
        pass


class _LazyHelpOption(click.Option):
    """An option whose help text is made when it is shown."""

    def __init__(self, *args: Any, make_help: Callable[[], str], **kwargs: Any) -> None:
        self._make_help = make_help
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return self._make_help()

    @help.setter
    def help(self, value: str | None) -> None:
        pass


def _levels() -> Sequence[str]:
    from pacefit.core.workout import LEVELS

    return LEVELS


def _workout_formats() -> Sequence[str]:
    from pacefit.formats import WORKOUT_WRITERS

    return list(WORKOUT_WRITERS)


def _default_workout_format() -> str:
    from pacefit.formats import DEFAULT_WORKOUT_FORMAT

    return DEFAULT_WORKOUT_FORMAT


def _format_help() -> str:
    from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS

    kinds = "; ".join(f"{name}: {writer.description}" for name, writer in WORKOUT_WRITERS.items())
    return f"The file format to write ({kinds}).  [default: {DEFAULT_WORKOUT_FORMAT}]"


def _devices() -> Sequence[str]:
    from pacefit.core.devices import DEVICE_PROFILES

    return list(DEVICE_PROFILES)


def level_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--level",
        type=_LazyChoice(_levels),
        help="The runner's level: which variant of each workout to build "
        "[default: the athlete file's level, else intermediate].",
    )(function)


def format_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format",
        "file_format",
        cls=_LazyHelpOption,
        make_help=_format_help,
        type=_LazyChoice(_workout_formats),
        default=_default_workout_format,
    )(function)


def device_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--device",
        type=_LazyChoice(_devices),
        help="The watch or program the workouts are for: they are fitted to its limits "
        "(see `pacefit devices`) [default: the athlete file's device, else generic].",
    )(function)


def out_option(*, default: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--out",
        "out_dir",
        type=A_NEW_FOLDER,
        default=default,
        show_default=True,
        help=help,
    )


def ignore_crc_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ignore-crc",
        is_flag=True,
        help="Read a FIT file whose checksum is wrong (with a warning).",
    )(function)


def tiles_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--tiles",
        "tile_url",
        envvar="PACEFIT_TILE_URL",
        metavar="URL",
        help="Draw map tiles under the route from this tile server, e.g. "
        "'https://tile.example.org/{z}/{x}/{y}.png' (or set PACEFIT_TILE_URL). Without it a "
        "page makes no network request.",
    )(function)


def _read_options(ignore_crc: bool, athlete: Athlete | None = None) -> ReadOptions:
    from pacefit.jobs.workouts import read_options

    return read_options(athlete, ignore_crc=ignore_crc)


def _load_athlete(path: Path | None) -> Athlete | None:
    if path is None:
        return None
    from pacefit.formats.athlete_yaml import load_athlete

    return load_athlete(path)


@cli.command("compile")
@click.argument("paths", nargs=-1, required=True, type=A_FILE_OR_FOLDER)
@athlete_option
@level_option
@format_option
@device_option
@out_option(default="out", help="Folder for the workout files.")
def compile_command(
    paths: tuple[Path, ...],
    athlete_path: Path | None,
    level: str | None,
    file_format: str,
    device: str | None,
    out_dir: Path,
) -> None:
    """Compile workout YAML files (or folders of them) into FIT workout files (or another
    format with --format)."""
    from pacefit.jobs.compile import compile_workouts
    from pacefit.reports.text import compile_summary

    result = compile_workouts(
        paths,
        athlete=_load_athlete(athlete_path),
        out_dir=out_dir,
        level=level,
        file_format=file_format,
        device=device,
    )
    summary = compile_summary(result)
    if summary:
        click.echo(summary)
    _print_errors(failure.error for failure in result.failures)
    if result.failures:
        raise click.ClickException(f"{len(result.failures)} workout(s) failed to compile")


@cli.command()
@click.argument("path", type=A_FILE)
@athlete_option
@level_option
def show(path: Path, athlete_path: Path | None, level: str | None) -> None:
    """Show a workout's steps expanded, with paces, distance and time."""
    from pacefit.jobs.workouts import show_workout
    from pacefit.reports.text import workout_table

    athlete = _load_athlete(athlete_path)
    workout = show_workout(path, athlete=athlete, level=level)
    click.echo(workout_table(workout, athlete=athlete))


@cli.command()
@click.option(
    "--race",
    "races",
    multiple=True,
    metavar="DIST=TIME",
    help="A race result, e.g. 10k=45:00 or half=1:39:30. Repeatable.",
)
@click.option("--vdot", type=float, help="A VDOT instead of race times.")
@click.option(
    "--model",
    type=click.Choice(["vdot", "riegel"]),
    help="How race paces are predicted from other races [default: vdot, or the athlete file's].",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@athlete_option
def paces(
    races: tuple[str, ...],
    vdot: float | None,
    model: str | None,
    as_json: bool,
    athlete_path: Path | None,
) -> None:
    """Show race paces and training paces from race times or a VDOT."""
    from pacefit.core.paces import PaceModel
    from pacefit.jobs.paces import runner_paces

    table = runner_paces(
        _load_athlete(athlete_path),
        races=races,
        vdot=vdot,
        model=PaceModel(model) if model else None,
    )
    if as_json:
        import json

        from pacefit.reports.data import pace_table_data

        click.echo(json.dumps(pace_table_data(table), indent=2))
    else:
        from pacefit.reports.text import pace_table_text

        click.echo(pace_table_text(table))


@cli.command()
@click.argument("path", type=A_FILE)
@click.option(
    "-o",
    "--out",
    "out_path",
    type=A_NEW_FILE,
    help="Write the YAML here instead of printing it.",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Paces to the millisecond, so that compiling the YAML again gives the same file "
    "(by default paces are whole seconds, as a runner writes them).",
)
@athlete_option
@ignore_crc_option
def decompile(
    path: Path, out_path: Path | None, exact: bool, athlete_path: Path | None, ignore_crc: bool
) -> None:
    """Turn a workout file back into workout YAML: FIT (.fit), Zwift (.zwo, paces from
    --athlete), intervals.icu text (.txt), TCX (.tcx) or Garmin Connect JSON (.json)."""
    from pacefit.jobs.workouts import decompile_workout

    result = decompile_workout(
        path,
        out_path=out_path,
        options=_read_options(ignore_crc, _load_athlete(athlete_path)),
        exact_paces=exact,
    )
    if result.output is None:
        click.echo(result.yaml_text, nl=False)
    else:
        click.echo(f"wrote {result.output}")


@cli.command()
@click.argument("run_path", metavar="RUN", type=A_FILE)
@click.option(
    "--workout",
    "workout_path",
    type=A_FILE,
    help="The planned workout (YAML). Not needed when the watch embedded it in the run.",
)
@athlete_option
@level_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print every figure as JSON instead of a table."
)
@click.option(
    "--html",
    "html_path",
    type=A_NEW_FILE,
    help="Also write the run's page: one self-contained HTML file (charts, route, tables).",
)
@tiles_option
@ignore_crc_option
def analyze(
    run_path: Path,
    workout_path: Path | None,
    athlete_path: Path | None,
    level: str | None,
    as_json: bool,
    html_path: Path | None,
    tile_url: str | None,
    ignore_crc: bool,
) -> None:
    """Score how well a run (FIT, GPX or TCX) kept the paces of its workout, step by step."""
    import json

    from pacefit.jobs.analyze import analyze_file
    from pacefit.reports.data import analysis_data
    from pacefit.reports.text import analysis_table, display_unit

    athlete = _load_athlete(athlete_path)
    analysis = analyze_file(
        run_path,
        workout_path=workout_path,
        athlete=athlete,
        level=level,
        options=_read_options(ignore_crc),
    )
    unit = display_unit(athlete)
    if html_path is not None:
        from pacefit.files import write_atomic
        from pacefit.reports.html import render_analysis_html

        page = render_analysis_html(analysis, unit=unit, tile_url=tile_url)
        write_atomic(html_path, page.encode())
    if as_json:
        click.echo(json.dumps(analysis_data(analysis), indent=2))
    else:
        click.echo(analysis_table(analysis, unit=unit))
        if html_path is not None:
            click.echo(f"wrote {html_path}")


@cli.command()
@click.argument("folder", type=A_FOLDER)
@click.option(
    "--race-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Race day (YYYY-MM-DD); every session is dated back from it.",
)
@athlete_option
@level_option
@format_option
@device_option
@out_option(default="build", help="Folder for the workout files and plan.ics.")
def build(
    folder: Path,
    race_date: Any,
    athlete_path: Path | None,
    level: str | None,
    file_format: str,
    device: str | None,
    out_dir: Path,
) -> None:
    """Build a plan folder (plan.yaml) into dated FIT files (or another format with --format)
    and plan.ics, or compile every workout in a plain folder. One bad session does not stop
    the others."""
    from pacefit.jobs.build import build_plan
    from pacefit.reports.text import build_summary

    with _ProgressBar(f"building {folder.name}") as progress:
        result = build_plan(
            folder,
            race_date=race_date.date() if race_date else None,
            athlete=_load_athlete(athlete_path),
            out_dir=out_dir,
            progress=progress,
            level=level,
            file_format=file_format,
            device=device,
            today=today(),
        )
    click.echo(build_summary(result))
    for path in result.stale:
        click.echo(
            f"note: {path} is not part of this build (left in place; push leaves it out)", err=True
        )
    hints: set[str] = set()
    for outcome in result.failures:
        assert outcome.error is not None
        _print_errors([outcome.error], hints)
        if outcome.session:
            click.echo(f"  scheduled at {outcome.session.spec.location}", err=True)
    _print_errors(result.record_errors, hints)
    if result.failures:
        raise click.ClickException(
            f"{len(result.failures)} of {len(result.outcomes)} sessions failed to build"
        )
    if result.record_errors:
        raise click.ClickException("the build's records could not be written")


@cli.command()
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (as in the README).")
def devices(markdown: bool) -> None:
    """List the device profiles (--device) with their limits and where each number comes from."""
    from pacefit.reports.text import device_table

    click.echo(device_table(markdown=markdown))


class _ProgressBar:
    """A progress bar on stderr when it is a terminal (nothing when it is piped or logged),
    shown from the first item done (so that a job that fails before it starts prints only its
    error)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = sys.stderr.isatty()
        self.done = 0

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.shown:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


CALENDAR = "intervals.icu"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=A_FILE_OR_FOLDER)
@click.option(
    "--to",
    "to",
    metavar="MOUNT|intervals.icu",
    help="The watch's mount point, when pacefit does not find it by itself; or intervals.icu, "
    "to put the sessions on its calendar (API key from INTERVALS_ICU_API_KEY).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace files of the same name on the watch, send again what it already took in, "
    "and replace events changed on intervals.icu.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    help="Only the sessions due in the next N weeks (counted from today, or --from).",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --weeks: the first day of the window (YYYY-MM-DD) instead of today.",
)
@click.option(
    "--status",
    is_flag=True,
    help="Send nothing: say what became of each file pushed from FOLDER (on the watch the "
    "last push went to, unless --to).",
)
@click.option("--verbose", is_flag=True, help="List each file left out, and why.")
@athlete_option
@device_option
def push(
    paths: tuple[Path, ...],
    to: str | None,
    dry_run: bool,
    force: bool,
    weeks: int | None,
    start: Any,
    status: bool,
    verbose: bool,
    athlete_path: Path | None,
    device: str | None,
) -> None:
    """Copy a build FOLDER's workout files (those its last build made), or the FIT files
    given, to the watch (GARMIN/NewFiles), verifying each copy, with a FIT schedule that puts
    them on its calendar; or put the sessions on intervals.icu's calendar."""
    if start is not None and weeks is None:
        raise click.UsageError("--from goes with --weeks")
    if status:
        if len(paths) != 1 or not paths[0].is_dir():
            raise click.UsageError("--status takes the one build folder that was pushed")
        _push_status(paths[0], to=to, athlete_path=athlete_path)
        return
    if to == CALENDAR:
        _push_to_calendar(
            paths,
            force=force,
            dry_run=dry_run,
            weeks=weeks,
            start=start,
            verbose=verbose,
            athlete_path=athlete_path,
        )
        return
    from pacefit.jobs.push import push_files
    from pacefit.reports.text import push_summary

    result = push_files(
        paths,
        to=_mount(to),
        force=force,
        dry_run=dry_run,
        weeks=weeks,
        start=start.date() if start else today(),
        device=device,
    )
    click.echo(push_summary(result, verbose=verbose))
    if result.log_error is not None:
        _print_errors([result.log_error])
    if result.stopped is not None:
        raise result.stopped
    if result.log_error is not None:
        raise click.ClickException("the push log could not be written")
    if result.refused:
        raise click.ClickException(
            f"{len(result.refused)} file(s) not copied: the watch has different files of the "
            "same name"
        )


def _mount(to: str | None) -> Path | None:
    """`--to` as a watch's mount point (a folder that must be there), when it is not the
    calendar."""
    if to is None:
        return None
    mount: Path = A_FOLDER.convert(to, None, None)
    return mount


def _push_status(folder: Path, *, to: str | None, athlete_path: Path | None) -> None:
    from pacefit.jobs.push import last_destination_is_calendar

    if to == CALENDAR or (to is None and last_destination_is_calendar(folder)):
        from pacefit.jobs.calendar_push import calendar_status
        from pacefit.reports.text import calendar_status_summary

        result = calendar_status(folder, athlete=_load_athlete(athlete_path))
        click.echo(calendar_status_summary(result))
        return
    from pacefit.jobs.push import push_status
    from pacefit.reports.text import status_summary

    click.echo(status_summary(push_status(folder, to=_mount(to))))


def _push_to_calendar(
    paths: tuple[Path, ...],
    *,
    force: bool,
    dry_run: bool,
    weeks: int | None,
    start: Any,
    verbose: bool,
    athlete_path: Path | None,
) -> None:
    from pacefit.jobs.calendar_push import push_to_calendar
    from pacefit.reports.text import calendar_push_summary

    result = push_to_calendar(
        paths,
        force=force,
        dry_run=dry_run,
        weeks=weeks,
        start=start.date() if start else today(),
        athlete=_load_athlete(athlete_path),
    )
    click.echo(calendar_push_summary(result, verbose=verbose))
    if result.log_error is not None:
        _print_errors([result.log_error])
    if result.stopped is not None:
        raise result.stopped
    if result.log_error is not None:
        raise click.ClickException("the push log could not be written")


@cli.command()
@click.argument("plan_folder", type=A_FOLDER)
@click.argument("runs_folder", type=A_FOLDER)
@click.option(
    "--race-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Race day (YYYY-MM-DD) the plan was dated from.",
)
@athlete_option
@level_option
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON.")
@click.option(
    "--html",
    "html_path",
    type=A_NEW_FILE,
    help="Also write the block's page (a calendar, week totals, trends), each done session's "
    "run page beside it.",
)
@tiles_option
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Processes to use (default: all cores)."
)
def review(
    plan_folder: Path,
    runs_folder: Path,
    race_date: Any,
    athlete_path: Path | None,
    level: str | None,
    as_json: bool,
    html_path: Path | None,
    tile_url: str | None,
    workers: int | None,
) -> None:
    """Match completed runs (FIT, GPX, TCX) to a plan's sessions; score each, week by week."""
    import json

    from pacefit.jobs.block import review_block
    from pacefit.reports.data import block_data
    from pacefit.reports.text import display_unit, review_table

    athlete = _load_athlete(athlete_path)
    with _ProgressBar(f"reviewing {runs_folder}") as progress:
        block = review_block(
            plan_folder,
            runs_folder,
            race_date=race_date.date(),
            athlete=athlete,
            workers=workers,
            level=level,
            progress=progress,
            today=today(),
        )
    unit = display_unit(athlete)
    undrawn: tuple[PacefitError, ...] = ()
    if html_path is not None:
        from pacefit.files import path_inside, write_atomic
        from pacefit.jobs.block import block_runs
        from pacefit.reports.html import render_block_pages

        runs = block_runs(block, athlete, workers=workers)
        pages = render_block_pages(block, runs, unit=unit, tile_url=tile_url)
        for name, text in pages.runs.items():
            write_atomic(path_inside(html_path.parent, name), text.encode())
        write_atomic(html_path, pages.block.encode())
        undrawn = runs.failures
    click.echo(
        json.dumps(block_data(block), indent=2) if as_json else review_table(block, unit=unit)
    )
    _print_errors(undrawn)
    result = block.review
    failed = len(result.unreadable_runs) + sum(
        1 for s in result.sessions if s.error and (s.run, s.error) not in result.unreadable_runs
    )
    problems = [f"{failed} run file(s) could not be read or scored"] if failed else []
    problems += [f"{len(undrawn)} run page(s) could not be drawn"] if undrawn else []
    if problems:
        raise click.ClickException(f"{'; '.join(problems)}; the others were reviewed")


DB_HELP = (
    "The log: a SQLite file, or a postgresql://user@host/db URL (default: the user's data folder)."
)


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_url", metavar="URL", envvar="PACEFIT_DB", help=DB_HELP)(
        function
    )


def plan_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The athlete and plan to put in the log (the first time, or to change them)."""
    function = click.option(
        "--race-date",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Race day of the plan (YYYY-MM-DD).",
    )(function)
    function = click.option("--plan", "plan_folder", type=A_FOLDER, help="A plan folder.")(function)
    function = level_option(function)
    return click.option(
        "--athlete",
        "athlete_path",
        type=A_FILE,
        help="An athlete file to put in the log (by its name: a new athlete, or an update).",
    )(function)


def _open_log(
    db_url: str | None,
    athlete_path: Path | None,
    plan_folder: Path | None,
    race_date: Any,
    level: str | None,
) -> tuple[Any, Any]:
    """The log opened, and the athlete `--athlete` added or updated in it (else None)."""
    from pacefit.jobs.log import add_athlete
    from pacefit.store.database import Store

    if plan_folder is not None and athlete_path is None:
        raise click.UsageError("--plan needs --athlete: the athlete the plan is for")
    # a log is made where an athlete comes with the command, and only there
    store = Store.open(db_url, create=athlete_path is not None)
    log = None
    if athlete_path is not None:
        log, created = add_athlete(
            store,
            athlete_path,
            plan_folder=plan_folder,
            race_date=race_date.date() if race_date else None,
            level=level,
        )
        plan = (
            f" on {log.plan.schedule.name} (race {log.plan.record.race_date})" if log.plan else ""
        )
        click.echo(f"{'added' if created else 'updated'} {log.record.name}{plan}")
    return store, log


def _one_athlete(store: Any, name: str | None) -> Any:
    from pacefit.jobs.log import athlete_log

    athletes = store.athletes()
    if name is not None:
        athletes = [a for a in athletes if a.name == name]
    if len(athletes) != 1:
        names = ", ".join(a.name for a in store.athletes()) or "none yet"
        what = f"no athlete named {name!r}" if name else "the log has several athletes"
        if not store.athletes():
            what = "the log has no athlete"
        raise PacefitError(
            f"{what} (athletes: {names})",
            hint="name one with --name, or add one with --athlete FILE",
        )
    return athlete_log(store, athletes[0].id)


@cli.group()
def log() -> None:
    """The training log: runs kept in a database, each matched to its session and scored."""


@log.command("import")
@click.argument("paths", nargs=-1, required=True, type=A_FILE_OR_FOLDER)
@db_option
@plan_options
@click.option("--name", help="The athlete the runs are for, when the log has several.")
def log_import(
    paths: tuple[Path, ...],
    db_url: str | None,
    athlete_path: Path | None,
    level: str | None,
    plan_folder: Path | None,
    race_date: Any,
    name: str | None,
) -> None:
    """Keep runs (FIT, GPX, TCX files or folders of them) in the log, as an upload does."""
    from pacefit.jobs.log import import_run
    from pacefit.jobs.review import find_runs
    from pacefit.reports.text import imported_line

    store, added = _open_log(db_url, athlete_path, plan_folder, race_date, level)
    try:
        # the athlete just given with --athlete, in a log of one athlete or of many
        athlete = added if added is not None and name is None else _one_athlete(store, name)
        files = [f for p in paths for f in (find_runs(p) if p.is_dir() else [p])]
        refused = kept = 0
        for path in files:
            try:
                imported = import_run(store, athlete, path.read_bytes(), path.name, today=today())
            except PacefitError as exc:
                refused += 1
                where = exc.location  # the upload's name, with the line and column kept
                shown = Location(str(path), where.line, where.column) if where else path
                click.echo(f"{shown}: {exc.message}", err=True)  # a line a file, as `review`
                continue
            kept += imported.new
            click.echo(f"{path}: {imported_line(imported, path.name)}")
        click.echo(
            f"{kept} new run(s) kept, {len(files) - kept - refused} already there, "
            f"{refused} refused"
        )
    finally:
        store.close()
    if refused:
        sys.exit(1)


@log.command("show")
@db_option
@click.option("--name", help="The athlete to show, when the log has several.")
def log_show(db_url: str | None, name: str | None) -> None:
    """The block as the log has it: each session's date, name, verdict and score, and the runs
    not in the plan."""
    from pacefit.core import units
    from pacefit.jobs.log import log_block
    from pacefit.reports.text import review_table

    store, _ = _open_log(db_url, None, None, None, None)
    try:
        shown = log_block(store, _one_athlete(store, name), today=today())
    finally:
        store.close()
    unit = shown.log.athlete.display_unit
    if shown.block is not None:
        click.echo(review_table(shown.block, unit=unit))
    if shown.unplanned:
        click.echo("\nruns not in the plan:")
        for record, run in shown.unplanned:
            click.echo(
                f"  {run.date or '-'}  {record.file_name}  "
                f"{units.format_distance_in(run.distance_m, unit)}"
            )


@log.command("rescore")
@db_option
def log_rescore(db_url: str | None) -> None:
    """Read every kept file again and score it again (after pacefit improved)."""
    from pacefit.jobs.log import rescore

    store, _ = _open_log(db_url, None, None, None, None)
    try:
        result = rescore(store)
    finally:
        store.close()
    for record, error in result.failed:
        click.echo(
            f"{record.file_name} (run {record.id}): {error.message}; kept as it was", err=True
        )
    for athlete, error in result.unread_plans:
        click.echo(
            f"{athlete.name}: the plan could not be read ({error.headline}); "
            "the scores are kept as they were",
            err=True,
        )
    click.echo(f"{result.runs} run(s) read and scored again")
    if result.failed or result.unread_plans:
        sys.exit(1)


@cli.command()
@db_option
@plan_options
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="The port to listen on.",
)
@click.option(
    "--password",
    envvar="PACEFIT_PASSWORD",
    help="Asked of every visitor (needed to listen beyond this computer). Or PACEFIT_PASSWORD.",
)
@click.option(
    "--max-upload-mb",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="The largest upload accepted.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Processes that read and score uploaded runs (0: on the request's own thread).",
)
def serve(
    db_url: str | None,
    athlete_path: Path | None,
    level: str | None,
    plan_folder: Path | None,
    race_date: Any,
    host: str,
    port: int,
    password: str | None,
    max_upload_mb: int,
    workers: int,
) -> None:
    """The training log in the browser: the block as a calendar, runs uploaded and judged."""
    import uvicorn

    from pacefit.web.app import create_app
    from pacefit.web.security import check_listen_address
    from pacefit.web.server import Settings

    check_listen_address(host, password)
    store, _ = _open_log(db_url, athlete_path, plan_folder, race_date, level)
    settings = Settings(
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        password=password,
        workers=workers,
        today=today,
    )
    click.echo(
        f"pacefit serves {store.engine.url.render_as_string(hide_password=True)} on http://{host}:{port}/"
    )
    uvicorn.run(create_app(store, settings), host=host, port=port, log_level="warning")


def main() -> None:
    cli(prog_name="pacefit")
