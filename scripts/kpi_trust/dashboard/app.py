"""The entry point `streamlit run` takes (`make dashboard`): page setup and the page list.

Pages are files in ``views/`` (not functions) so Streamlit's ``AppTest.switch_page`` can open
each one in the tests. The first page is the default; the URL paths are the ones the docs use.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).with_name("views")
PAGES = (
    ("kpis.py", "KPIs and trust", "kpis", ":material/monitoring:"),
    ("anomalies.py", "Anomalies and verdicts", "anomalies", ":material/crisis_alert:"),
    ("root_causes.py", "Root causes", "root-causes", ":material/account_tree:"),
    ("quality.py", "Quality evidence", "quality", ":material/fact_check:"),
    ("upload.py", "Score a CSV", "upload", ":material/upload_file:"),
)

# An emoji icon: Streamlit draws it as a data: URL. A ":material/...:" page icon would make the
# browser fetch an SVG from fonts.gstatic.com (not offline; caught by the browser test).
st.set_page_config(page_title="KPI Trust dashboard", page_icon="📊", layout="wide")
navigation = st.navigation(
    [
        st.Page(VIEWS / name, title=title, url_path=path, icon=icon, default=index == 0)
        for index, (name, title, path, icon) in enumerate(PAGES)
    ]
)
navigation.run()
