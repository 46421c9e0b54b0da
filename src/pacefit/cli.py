"""The command line: a thin click layer over the library. The only module that prints or exits.

Each command parses its options, calls one job (`pacefit.jobs`), and prints the job's result with
a report (`pacefit.reports`). Modules are imported inside the commands so that `pacefit --help`
starts without loading decoders.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pacefit.errors import PacefitError, PacefitWarning

if TYPE_CHECKING:
    from pacefit.core.paces import Athlete
    from pacefit.formats import ReadOptions

ATHLETE_HELP = "Athlete YAML file with race times (needed for paces like '5k' or 'easy')."


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
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=ATHLETE_HELP,
    )(function)


def level_option(function: Callable[..., Any]) -> Callable[..., Any]:
    from pacefit.core.workout import LEVELS

    return click.option(
        "--level",
        type=click.Choice(LEVELS),
        help="The runner's level: which variant of each workout to build "
        "[default: the athlete file's level, else intermediate].",
    )(function)


def format_option(function: Callable[..., Any]) -> Callable[..., Any]:
    from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS

    kinds = "; ".join(f"{name}: {writer.description}" for name, writer in WORKOUT_WRITERS.items())
    return click.option(
        "--format",
        "file_format",
        type=click.Choice(list(WORKOUT_WRITERS)),
        default=DEFAULT_WORKOUT_FORMAT,
        show_default=True,
        help=f"The file format to write ({kinds}).",
    )(function)


def device_option(function: Callable[..., Any]) -> Callable[..., Any]:
    from pacefit.core.devices import DEVICE_PROFILES

    return click.option(
        "--device",
        type=click.Choice(list(DEVICE_PROFILES)),
        help="The watch or program the workouts are for: they are fitted to its limits "
        "(see `pacefit devices`) [default: the athlete file's device, else generic].",
    )(function)


def out_option(*, default: Path, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
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
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@athlete_option
@level_option
@format_option
@device_option
@out_option(default=Path("out"), help="Folder for the workout files.")
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
    click.echo(compile_summary(result))
    for failure in result.failures:
        click.echo(str(failure.error), err=True)
    if result.failures:
        raise click.ClickException(f"{len(result.failures)} workout(s) failed to compile")


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the YAML here instead of printing it.",
)
@athlete_option
@ignore_crc_option
def decompile(
    path: Path, out_path: Path | None, athlete_path: Path | None, ignore_crc: bool
) -> None:
    """Turn a workout file back into workout YAML: FIT (.fit), Zwift (.zwo, paces from
    --athlete), intervals.icu text (.txt), TCX (.tcx) or Garmin Connect JSON (.json)."""
    from pacefit.jobs.workouts import decompile_workout

    result = decompile_workout(
        path,
        out_path=out_path,
        options=_read_options(ignore_crc, _load_athlete(athlete_path)),
    )
    if result.output is None:
        click.echo(result.yaml_text, nl=False)
    else:
        click.echo(f"wrote {result.output}")


@cli.command()
@click.argument(
    "run_path", metavar="RUN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--workout",
    "workout_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
    type=click.Path(dir_okay=False, path_type=Path),
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
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--race-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Race day (YYYY-MM-DD); every session is dated back from it.",
)
@athlete_option
@level_option
@format_option
@device_option
@out_option(default=Path("build"), help="Folder for the workout files and plan.ics.")
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
        )
    click.echo(build_summary(result))
    for path in result.stale:
        click.echo(
            f"note: {path} is not part of this build (left in place; push leaves it out)", err=True
        )
    for outcome in result.failures:
        click.echo(str(outcome.error), err=True)
        if outcome.session:
            click.echo(f"  scheduled at {outcome.session.spec.location}", err=True)
    if result.failures:
        raise click.ClickException(
            f"{len(result.failures)} of {len(result.outcomes)} sessions failed to build"
        )


@cli.command()
@click.option("--markdown", is_flag=True, help="Print the table as Markdown (as in the README).")
def devices(markdown: bool) -> None:
    """List the device profiles (--device) with their limits and where each number comes from."""
    from pacefit.reports.text import device_table

    click.echo(device_table(markdown=markdown))


class _ProgressBar:
    """A progress bar on stderr, shown from the first item done (so that a job that fails
    before it starts prints only its error)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--to",
    "mount",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The watch's mount point, when pacefit does not find it by itself.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be copied; copy nothing.")
@click.option("--force", is_flag=True, help="Replace files of the same name already on the watch.")
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
    help="Send nothing: say what the watch did with each file pushed from FOLDER.",
)
@device_option
def push(
    paths: tuple[Path, ...],
    mount: Path | None,
    dry_run: bool,
    force: bool,
    weeks: int | None,
    start: Any,
    status: bool,
    device: str | None,
) -> None:
    """Copy a build FOLDER's workout files (those its last build made), or the FIT files
    given, to the watch (GARMIN/NewFiles), verifying each copy."""
    if status:
        from pacefit.jobs.push import push_status
        from pacefit.reports.text import status_summary

        if len(paths) != 1 or not paths[0].is_dir():
            raise click.UsageError("--status takes the one build folder that was pushed")
        click.echo(status_summary(push_status(paths[0], to=mount)))
        return
    if start is not None and weeks is None:
        raise click.UsageError("--from goes with --weeks")
    from pacefit.jobs.push import push_files
    from pacefit.reports.text import push_summary

    result = push_files(
        paths,
        to=mount,
        force=force,
        dry_run=dry_run,
        weeks=weeks,
        start=start.date() if start else None,
        device=device,
    )
    click.echo(push_summary(result))
    if result.refused:
        raise click.ClickException(
            f"{len(result.refused)} file(s) not copied: the watch has different files of the "
            "same name"
        )


@cli.command()
@click.argument("plan_folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("runs_folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
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
    type=click.Path(dir_okay=False, path_type=Path),
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
    block = review_block(
        plan_folder,
        runs_folder,
        race_date=race_date.date(),
        athlete=athlete,
        workers=workers,
        level=level,
    )
    unit = display_unit(athlete)
    if html_path is not None:
        from pacefit.files import path_inside, write_atomic
        from pacefit.jobs.block import block_runs
        from pacefit.reports.html import render_block_pages

        runs = block_runs(block, athlete, workers=workers)
        pages = render_block_pages(block, runs, unit=unit, tile_url=tile_url)
        for name, text in pages.runs.items():
            write_atomic(path_inside(html_path.parent, name), text.encode())
        write_atomic(html_path, pages.block.encode())
    click.echo(
        json.dumps(block_data(block), indent=2) if as_json else review_table(block, unit=unit)
    )


def main() -> None:
    cli(prog_name="pacefit")
