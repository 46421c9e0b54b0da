"""The tables, as the code reads them. The migrations (`migrations/versions`) create them; a
change here comes with a new migration."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

athletes = sa.Table(
    "athletes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("athlete_yaml", sa.Text, nullable=False),  # the athlete file as given
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("folder", sa.Text, nullable=False),  # the plan folder on the server's disk
    sa.Column("race_date", sa.Date, nullable=False),
    sa.Column("level", sa.String(40)),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    # a digest of the plan's files, the athlete file, level and race date its scores are of
    sa.Column("scored_against", sa.String(64)),
    sa.UniqueConstraint("athlete_id", "folder", "race_date"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),  # as uploaded: shown, never a path
    sa.Column("file_format", sa.String(8), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("start_time", sa.DateTime(timezone=True)),
    sa.Column("local_date", sa.Date),
    sa.Column("sport", sa.String(40), nullable=False),
    sa.Column("distance_m", sa.Float, nullable=False),
    sa.Column("timer_s", sa.Float, nullable=False),
    sa.Column("speed_quantiles", sa.Text, nullable=False),  # JSON list of m/s
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("athlete_id", "sha256"),
)
sa.Index("runs_by_day", runs.c.athlete_id, runs.c.local_date)

scores = sa.Table(
    "scores",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
    sa.Column("session_number", sa.Integer, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),  # JSON: the score, or the error's line
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("run_id", "plan_id", "session_number"),
)
