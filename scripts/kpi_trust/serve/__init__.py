"""Serving the warehouse: alerts (`kpi-trust alert`), read API and dashboard (`kpi-trust serve`).

Modules: ``warehouse`` (opening the DuckDB file, the optional root-cause table), ``alerts``
(which KPI-days page, grouped into incidents), ``channels`` (Slack, JSON webhook, SMTP delivery
with retries), ``api`` (FastAPI read endpoints and ``POST /score``), ``dashboard`` (the pages),
``command`` (the CLI sub-commands). See docs/serving.md.
"""
