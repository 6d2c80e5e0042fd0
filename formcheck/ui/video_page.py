"""The "Analyse a video" page: a bundled sample or an upload, analysed with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from formcheck.specs import ExerciseSpec
from formcheck.storage import SessionStore, content_source_key

from .analysis import Upload, analyse, analyse_upload, error_message
from .history import keep_in_history
from .progress_page import save_video_report
from .report_view import show_report
from .samples import VIDEO_SUFFIXES, SampleClip, default_sample
from .text import placement_text, sentence

SOURCE_KEY = "video_source"
SAMPLE_SOURCE, UPLOAD_SOURCE = "A sample clip", "Your own video"


def render(spec: ExerciseSpec, samples: list[SampleClip],
           open_history: Callable[[], SessionStore | None] | None = None) -> None:
    """`open_history` gives the history database that analyses of the user's own videos are saved
    to (the bundled samples are not the user's practice and are not saved)."""
    if SOURCE_KEY not in st.session_state and st.query_params.get("source") == "upload":
        st.session_state[SOURCE_KEY] = UPLOAD_SOURCE  # a link straight to the upload (?source=upload)
    source = st.radio("Video to analyse", [SAMPLE_SOURCE, UPLOAD_SOURCE], horizontal=True, key=SOURCE_KEY,
                      label_visibility="collapsed")
    chosen = _pick_sample(spec, samples) if source == SAMPLE_SOURCE else _pick_upload(spec)
    if chosen is None:
        return
    label = chosen.name if isinstance(chosen, Upload) else chosen[1]
    try:
        result = analyse_upload(chosen, spec) if isinstance(chosen, Upload) else analyse(chosen[0], spec, label)
    except Exception as exc:  # every failure ends as a message on the page, never a traceback
        st.error(f"Could not analyse {label}: {error_message(exc)}")
        return
    st.subheader(f"{spec.title}: {label}")
    show_report(result.report, spec, result.times, result.values, key="video", video=result.annotated_mp4)
    if isinstance(chosen, Upload) and open_history is not None:
        upload = chosen
        keep_in_history(open_history, lambda store: save_video_report(
            store, result.report, content_source_key(upload.digest, spec.id), result.recorded_at))


def _pick_sample(spec: ExerciseSpec, samples: list[SampleClip]) -> tuple[Path, str] | None:
    clips = [c for c in samples if c.exercise == spec.id]
    if not clips:
        others = sorted({c.exercise for c in samples})
        hint = f" Sample clips exist for: {', '.join(others)}." if others else ""
        st.info(f"There is no sample clip of {spec.title}.{hint} Choose "
                f"'{UPLOAD_SOURCE}' above to analyse a recording of your own.")
        return None
    by_name = {c.name: c for c in clips}
    names = list(by_name)
    index = names.index(default_sample(clips, [spec.id]).name)  # type: ignore[union-attr]
    name = st.selectbox("Sample clip", names, index=index, format_func=lambda n: clip_label(by_name[n]),
                        key=f"sample-{spec.id}")
    return by_name[name].path, f"{clip_label(by_name[name])} (sample)"


def clip_label(clip: SampleClip) -> str:
    """A sample as its description says what it shows ("2 press-ups; in rep 2 the hips rise"), not by
    its file name."""
    note = clip.sidecar.get("description") or ("done well" if clip.clean else "")
    return sentence(note) if note else clip.name


def _pick_upload(spec: ExerciseSpec) -> Upload | None:
    limit_mb = int(st.get_option("server.maxUploadSize"))
    kinds = [s.lstrip(".") for s in VIDEO_SUFFIXES]
    upload = st.file_uploader(f"Your video of {spec.title} ({', '.join(kinds)}; up to {limit_mb} MB)",
                              type=kinds, key="upload")
    if upload is None:
        view = "side-on" if spec.camera.view == "side" else "facing the camera"
        st.info(f"Record yourself doing {spec.title.lower()} {view}, the whole body in the picture, "
                f"then drop the file above. {placement_text(spec)}")
        return None
    return Upload.of(upload.name, upload.getvalue())
