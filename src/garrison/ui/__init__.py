"""App logic without Streamlit: permalinks, search, filters, and safe HTML for panels."""
