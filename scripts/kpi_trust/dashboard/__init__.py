"""The interactive dashboard (`make dashboard`): a Streamlit app over the warehouse, read-only.

Streamlit is an optional extra (requirements-dashboard.txt, `make install-dashboard`): nothing
else in the package imports this one, so `make run`, the API and the alerts work without it.
Modules: ``data`` (warehouse reads through the read API's SQL, ``serve.queries``; no Streamlit),
``charts`` (Altair charts, which ship with Streamlit: no CDN, no network), ``scoring`` (the
upload page's CSV reading and detector runs, the code of ``kpi-trust detect``), ``ui``
(Streamlit helpers: cached reads, messages, pickers), ``app`` (the entry point for
``streamlit run``) and one script per page in ``views/``. See docs/serving.md.
"""

from pathlib import Path

APP = Path(__file__).with_name("app.py")
