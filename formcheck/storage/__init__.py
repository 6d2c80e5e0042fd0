"""The local session history (SQLite) and the progress computed from it."""

from .progress import (Period, PeriodTotals, Streaks, WeekStatus, period_totals, practice_streaks, this_week, week_start,
                       weekly_target, weekly_targets)
from .schema import LATEST_VERSION, MIGRATIONS, Migration
from .store import (DB_ENV, SessionRecord, SessionStore, StorageError, content_source_key, default_db_path,
                    video_source_key)

__all__ = [
    "DB_ENV",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "Period",
    "PeriodTotals",
    "SessionRecord",
    "SessionStore",
    "StorageError",
    "Streaks",
    "WeekStatus",
    "content_source_key",
    "default_db_path",
    "period_totals",
    "practice_streaks",
    "this_week",
    "week_start",
    "video_source_key",
    "weekly_target",
    "weekly_targets",
]
