"""The dashboard's pages: scripts Streamlit runs (``app.st.navigation``), one per file.

A package only so the page files ship with ``kpi_trust``; nothing imports them.
"""
