"""formcheck's app: `streamlit run app.py` (or `make run`).

Streamlit serves the pages (app_page.py) and, on the same server and port, the live page's push
channel: the counter, the cues and the words to say, sent to the browser as each camera frame is
analysed (formcheck/ui/live_channel.py).
"""

from pathlib import Path

from streamlit.web.server.starlette import App

from formcheck.ui import video_page  # noqa: F401  loaded with the server, not by the first page shown
from formcheck.ui.live_channel import live_routes

app = App(Path(__file__).with_name("app_page.py"), routes=live_routes())
