"""Repository paths and the project-local caches the renderer needs (anny, warp, mesa)."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "render"
SAMPLES = REPO / "sample_videos"


def configure_caches():
    """Keep anny's ~800 MB first-load cache and shader caches inside the (ignored) repo cache."""
    defaults = {
        "ANNY_CACHE_DIR": CACHE / "anny",
        "WARP_CACHE_PATH": CACHE / "warp",
        "XDG_CACHE_HOME": CACHE / "xdg",
        "MESA_SHADER_CACHE_DIR": CACHE / "mesa",
    }
    for key, path in defaults.items():
        os.environ.setdefault(key, str(path))
        Path(os.environ[key]).mkdir(parents=True, exist_ok=True)
