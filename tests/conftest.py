import os

from hypothesis import settings

# CI runs the same examples every time, so that a red build always means a change broke
# something; locally, hypothesis keeps exploring new inputs.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
