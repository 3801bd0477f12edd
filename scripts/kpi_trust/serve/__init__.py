"""Serving the warehouse: alerts (`kpi-trust alert`), read API and its pages (`kpi-trust serve`).

Modules: ``warehouse`` (opening the DuckDB file, the optional root-cause table), ``queries``
(the SQL the API and the Streamlit dashboard share), ``alerts`` (which KPI-days page, grouped
into incidents), ``channels`` (Slack, JSON webhook, SMTP delivery with retries), ``api``
(FastAPI read endpoints and ``POST /score``), ``dashboard`` (the API's lightweight HTML pages,
no extra dependency), ``command`` (the CLI sub-commands). The interactive dashboard is
``kpi_trust.dashboard`` (Streamlit, an optional extra). See docs/serving.md.
"""
