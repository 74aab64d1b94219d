"""`nhilint audit`: the machine-identity inventory of many repositories at once, with git history.

Each repository is one task (nhilint.audit.task) that checks out the audited commit, scans it with the
library API, dates every identity's block with `git blame`, suggests an owner and returns a plain JSON
record. Executors run the tasks in local worker processes or on a Dask cluster; records are streamed to a
work directory and assembled into audit.json, CSV files and an offline HTML report.

Heavy or optional libraries (gitpython, codeowners, jinja2, rich, dask) are imported only here.
"""
