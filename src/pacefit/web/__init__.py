"""The web app (`pacefit serve`): the training log in the browser, a thin layer over the jobs
(`jobs.log`) and the pages (`reports`), beside the CLI. One module per kind of page; the
templates extend the report pages' own; `static/` is the browser code it ships."""
