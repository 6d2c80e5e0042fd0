"""The Streamlit app's pages and widgets (`streamlit run app.py`; the pages are app_page.py).

Pages: `video_page` (analyse a sample or an upload), `live_page` (webcam through streamlit-webrtc,
optionally leading a routine hands-free) and `progress_page` (the saved history); widgets: `sidebar`
(exercise picker and guidance), `report_view` (a report as metrics, cues, table, charts and
downloads), `routine_runner`, `live_board` (the live counter, cue and voice, with `live_board.js`);
`analysis` caches video analyses (`sample_cache` keeps the samples' on disk) and `history` saves
finished sessions. Plain Python, usable and testable without a running app: `catalog`, `samples`,
`charts`, `live_processor` (the per-session frame processing of the live page), `coach` (what the
live page says), `live_channel` (the push channel to the page), `ice`, `sound` and `text`.
"""
