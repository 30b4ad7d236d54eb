"""Rendering for the browser map (no Streamlit): layer definitions, the data payload, folium elements."""
