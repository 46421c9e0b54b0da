"""The command line: a thin click layer over the library. The only module that prints or exits."""

from __future__ import annotations

import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pacefit.errors import PacefitError

ATHLETE_HELP = "Athlete YAML file with race times (needed for paces like '5k' or 'easy')."


class PacefitGroup(click.Group):
    """Turns pacefit's errors into one line and exit code 1; `--debug` shows tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = super().invoke(ctx)
            for warning in caught:
                click.echo(f"warning: {warning.message}", err=True)
            return result
        except PacefitError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"error: {exc}" if exc.location is None else str(exc), err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                err=True,
            )
            ctx.exit(2)


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
    from pacefit.core.workout import DEFAULT_LEVEL, LEVELS

    return click.option(
        "--level",
        type=click.Choice(LEVELS),
        default=DEFAULT_LEVEL,
        show_default=True,
        help="Which variant of the workout to build.",
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


def _crc_policy(ignore_crc: bool) -> Any:
    from pacefit.formats.fit_decode import CrcPolicy

    return CrcPolicy.WARN if ignore_crc else CrcPolicy.REFUSE


def _load_athlete(path: Path | None) -> Any:
    if path is None:
        return None
    from pacefit.formats.athlete_yaml import load_athlete

    return load_athlete(path)


@cli.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@athlete_option
@level_option
@out_option(default=Path("out"), help="Folder for the FIT files.")
def compile_command(
    paths: tuple[Path, ...], athlete_path: Path | None, level: str, out_dir: Path
) -> None:
    """Compile workout YAML files (or folders of them) into FIT workout files."""
    from pacefit.jobs.compile import compile_file, find_workout_files

    athlete = _load_athlete(athlete_path)
    failures = 0
    for source in find_workout_files(paths):
        try:
            result = compile_file(source, athlete=athlete, out_dir=out_dir, level=level)
        except PacefitError as exc:
            failures += 1
            click.echo(str(exc), err=True)
            continue
        for warning in result.warnings:
            click.echo(f"{source}: warning: {warning}", err=True)
        state = "wrote" if result.written else "unchanged"
        click.echo(f"{state} {result.output}  ({result.workout.name}, {level})")
    if failures:
        raise click.ClickException(f"{failures} workout(s) failed to compile")


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@athlete_option
@level_option
def show(path: Path, athlete_path: Path | None, level: str) -> None:
    """Show a workout's steps expanded, with paces, distance and time."""
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.reports import text as reports

    athlete = _load_athlete(athlete_path)
    workout = load_workout(path, athlete=athlete, level=level)
    click.echo(reports.workout_table(workout, athlete=athlete))


@cli.command()
@click.option(
    "--race",
    "races",
    multiple=True,
    metavar="DIST=TIME",
    help="A race result, e.g. 10k=45:00 or half=1:39:30. Repeatable.",
)
@click.option("--vdot", type=click.FloatRange(20, 90), help="A VDOT instead of race times.")
@athlete_option
def paces(races: tuple[str, ...], vdot: float | None, athlete_path: Path | None) -> None:
    """Show race paces and training paces from race times or a VDOT."""
    from pacefit.core.paces import Athlete, pace_table
    from pacefit.reports import text as reports

    athlete = _load_athlete(athlete_path) or Athlete()
    times = dict(athlete.race_times_s)
    times.update(_parse_race_options(races))
    athlete = Athlete(
        name=athlete.name,
        race_times_s=times,
        vdot=vdot or athlete.vdot,
        display_unit=athlete.display_unit,
    )
    table = pace_table(athlete)
    if table is None:
        raise click.UsageError(
            "give at least one --race (e.g. --race 10k=45:00), a --vdot or an --athlete"
        )
    click.echo(reports.pace_table_text(table))


def _parse_race_options(races: tuple[str, ...]) -> dict[str, float]:
    from pacefit.core.paces import RACE_DISTANCES_M
    from pacefit.core.units import parse_clock_s

    times: dict[str, float] = {}
    for race in races:
        name, _, time_text = race.partition("=")
        time_s = parse_clock_s(time_text)
        if name.lower() not in RACE_DISTANCES_M or time_s is None:
            raise click.BadParameter(
                f"'{race}': write DIST=TIME with DIST one of {', '.join(RACE_DISTANCES_M)}, "
                "e.g. 10k=45:00",
                param_hint="--race",
            )
        times[name.lower()] = time_s
    return times


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the YAML here instead of printing it.",
)
@ignore_crc_option
def decompile(path: Path, out_path: Path | None, ignore_crc: bool) -> None:
    """Turn a FIT workout file (e.g. from Garmin Connect) back into workout YAML."""
    from pacefit.files import write_atomic
    from pacefit.formats.fit_workout import read_workout
    from pacefit.formats.workout_yaml import dump_workout

    workout = read_workout(path, crc=_crc_policy(ignore_crc))
    text = dump_workout(workout)
    if out_path is None:
        click.echo(text, nl=False)
        return
    write_atomic(out_path, text.encode())
    click.echo(f"wrote {out_path}")


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
    help="Also write a self-contained HTML report with a pace chart.",
)
@ignore_crc_option
def analyze(
    run_path: Path,
    workout_path: Path | None,
    athlete_path: Path | None,
    level: str,
    as_json: bool,
    html_path: Path | None,
    ignore_crc: bool,
) -> None:
    """Score how well a run (FIT or GPX) kept the paces of its workout, step by step."""
    import json

    from pacefit.core.units import DistanceUnit
    from pacefit.formats.workout_yaml import load_workout
    from pacefit.jobs.analyze import analyze_run, read_activity
    from pacefit.reports.data import analysis_data, analysis_table

    athlete = _load_athlete(athlete_path)
    workout = load_workout(workout_path, athlete=athlete, level=level) if workout_path else None
    activity = read_activity(run_path, crc=_crc_policy(ignore_crc))
    analysis = analyze_run(activity, workout)
    unit = athlete.display_unit if athlete else DistanceUnit.KM
    if html_path is not None:
        from pacefit.files import write_atomic
        from pacefit.reports.html import render_html

        write_atomic(html_path, render_html(analysis, unit=unit).encode())
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
@out_option(default=Path("build"), help="Folder for the FIT files and plan.ics.")
def build(folder: Path, race_date: Any, athlete_path: Path | None, out_dir: Path) -> None:
    """Build a plan folder (plan.yaml) into dated FIT files and plan.ics, or compile every
    workout in a plain folder. One bad session does not stop the others."""
    from pacefit.jobs import build as builder
    from pacefit.reports.text import build_summary

    athlete = _load_athlete(athlete_path)
    job = builder.prepare_build(folder, race_date=race_date.date() if race_date else None)
    items = builder.build_items(job)
    outcomes = []
    with click.progressbar(
        items, label=f"building {job.name}", file=sys.stderr, show_pos=True
    ) as bar:
        for item in bar:
            outcomes.append(builder.build_one(item, athlete=athlete, out_dir=out_dir))
    click.echo(build_summary(outcomes))
    if job.schedule is not None:
        for spec, date in job.schedule.dropped:
            click.echo(f"{spec.location}: warning: dropped, {date} is after race day", err=True)
        path, changed = builder.write_calendar(job, outcomes, out_dir=out_dir, athlete=athlete)
        click.echo(f"{'wrote' if changed else 'unchanged'} {path}")
    for path in builder.stale_outputs(out_dir, outcomes):
        click.echo(f"note: {path} is not part of this build (left in place)", err=True)
    for outcome in outcomes:
        for warning in outcome.warnings:
            click.echo(f"{outcome.source}: warning: {warning}", err=True)
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        click.echo(str(outcome.error), err=True)
        if outcome.session:
            click.echo(f"  scheduled at {outcome.session.spec.location}", err=True)
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(outcomes)} sessions failed to build")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--to",
    "mount",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The watch's mount point, when pacefit does not find it by itself.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be copied; copy nothing.")
@click.option("--force", is_flag=True, help="Replace files of the same name already on the watch.")
def push(folder: Path, mount: Path | None, dry_run: bool, force: bool) -> None:
    """Copy the FIT files of FOLDER to the watch (GARMIN/NewFiles), verifying each copy."""
    from pacefit.delivery import usb as device

    files = sorted(p for p in folder.glob("*.fit") if p.is_file())
    if not files:
        raise click.ClickException(f"no .fit files in {folder}: build or compile first")
    watch = device.choose_watch(mount)
    if watch is not None:
        transfers = device.push_to_drive(files, watch, force=force, dry_run=dry_run)
        where = str(watch)
    elif device.mtp_available():
        transfers = device.push_over_mtp(files, force=force, dry_run=dry_run)
        where = "the MTP watch"
    else:
        from pacefit.errors import DeviceError

        raise DeviceError("no watch found", hint=device.MTP_HELP)
    for transfer in transfers:
        click.echo(f"{transfer.action.value}: {transfer.source.name} -> {transfer.destination}")
    counts: dict[str, int] = {}
    for transfer in transfers:
        counts[transfer.action.name.lower()] = counts.get(transfer.action.name.lower(), 0) + 1
    summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
    click.echo(f"{where}: {summary}{' (dry run)' if dry_run else ''}")
    refused = [t for t in transfers if t.action is device.Action.REFUSED]
    if refused:
        raise click.ClickException(
            f"{len(refused)} file(s) not copied: the watch has different files of the same name"
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
@click.option("--json", "as_json", is_flag=True, help="Print the review as JSON.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the review as an HTML page.",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Processes to use (default: all cores)."
)
def review(
    plan_folder: Path,
    runs_folder: Path,
    race_date: Any,
    athlete_path: Path | None,
    as_json: bool,
    html_path: Path | None,
    workers: int | None,
) -> None:
    """Match completed runs (FIT/GPX) to a plan's sessions by date; score each, week by week."""
    import json

    from pacefit.jobs import build as builder
    from pacefit.jobs import review as reviewer
    from pacefit.reports.text import review_data, review_table

    athlete = _load_athlete(athlete_path)
    job = builder.prepare_build(plan_folder, race_date=race_date.date())
    if job.schedule is None:
        raise click.UsageError(f"{plan_folder} has no plan.yaml")
    result = reviewer.review(
        job.schedule, reviewer.find_runs(runs_folder), athlete=athlete, workers=workers
    )
    data = review_data(result)
    if html_path is not None:
        from pacefit.files import write_atomic
        from pacefit.reports.html import render_review_html

        write_atomic(html_path, render_review_html(data, title=f"{job.name}: review").encode())
    click.echo(json.dumps(data, indent=2) if as_json else review_table(result))


def main() -> None:
    cli(prog_name="pacefit")
