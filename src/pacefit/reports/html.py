"""Self-contained HTML pages: the run page and the block page, each one file with its scripts
and styles inlined, so it opens anywhere, offline, and can be mailed. Everything is shown in the
runner's unit. The pages themselves are built in `run_page` and `block_page` from templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from pacefit.core.score import Analysis
from pacefit.core.units import DistanceUnit
from pacefit.jobs.block import Block, BlockRuns
from pacefit.reports.block_page import render_block_page, run_page_filename
from pacefit.reports.run_page import render_run_page


def render_analysis_html(
    analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM, tile_url: str | None = None
) -> str:
    """The run page (`run.html`)."""
    return render_run_page(analysis, unit=unit, tile_url=tile_url)


@dataclass(frozen=True)
class BlockPages:
    block: str  # the block page
    runs: dict[str, str]  # each done session's run page, by its file name beside the block page


def render_block_pages(
    block: Block,
    runs: BlockRuns,
    *,
    unit: DistanceUnit = DistanceUnit.KM,
    tile_url: str | None = None,
) -> BlockPages:
    names = {number: run_page_filename(block.review.sessions[number]) for number in runs.analyses}
    return BlockPages(
        block=render_block_page(block, unit=unit, run_pages=names, unplanned=runs.unplanned),
        runs={
            names[number]: render_run_page(analysis, unit=unit, tile_url=tile_url)
            for number, analysis in runs.analyses.items()
        },
    )
