"""The store: the training log in one database (SQLite by default, PostgreSQL by URL), below the
jobs. It keeps athletes, the plans assigned to them, every run file as uploaded (by content hash)
with the facts matching needs, and each run's score against its session as a cache the jobs can
throw away and recompute. It never reads a run or scores one: that is the jobs' work."""
