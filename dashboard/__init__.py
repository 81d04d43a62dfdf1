"""Streamlit dashboard: `streamlit run dashboard/app.py` (pages in dashboard/pages, queries in queries.py)."""
