"""pacefit: structured running workouts as YAML, compiled to FIT, and pacing analysis of runs."""

__version__ = "0.2.0"
