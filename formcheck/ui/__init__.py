"""The Streamlit app's pages and widgets (`streamlit run app.py`).

Modules that touch Streamlit are the pages (`video_page`, `live_page`), `sidebar`, `report_view`
and `analysis`; `catalog`, `samples`, `charts`, `live_processor`, `ice` and `sound` are plain Python
so they can be used and tested without a running app.
"""
