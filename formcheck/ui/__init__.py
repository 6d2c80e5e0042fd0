"""The Streamlit app's pages and widgets (`streamlit run app.py`).

Pages: `video_page` (analyse a sample or an upload), `live_page` (webcam through streamlit-webrtc,
optionally leading a routine) and `progress_page` (the saved history); widgets: `sidebar` (exercise
picker and guidance), `report_view` (a report as metrics, cues, table, charts and downloads),
`routine_runner`; `analysis` caches video analyses and `history` saves finished sessions.
Plain Python, usable and testable without a running app: `catalog`, `samples`, `charts`,
`live_processor` (the per-session frame processing of the live page), `ice`, `sound` and `text`.
"""
