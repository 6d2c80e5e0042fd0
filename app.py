"""formcheck's app: `streamlit run app.py` (or `make run`).

Streamlit serves the pages (app_page.py) and, on the same server and port, the live page's push
channel: the counter, the cues and the words to say, sent to the browser as each camera frame is
analysed (formcheck/ui/live_channel.py).
"""

from pathlib import Path

from streamlit.web.server.starlette import App

# The pages' modules load with the server, not while the first page waits for them (the live page's
# WebRTC libraries load when that page is first opened).
from formcheck.ui import catalog, progress_page, routine_runner, sample_cache, samples, sidebar, video_page  # noqa: F401
from formcheck.ui.live_channel import live_routes

sample_cache.code_version()  # read once, now
app = App(Path(__file__).with_name("app_page.py"), routes=live_routes())
