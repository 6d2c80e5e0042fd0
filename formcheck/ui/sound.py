"""Short tones for the live page, played by the browser (WebAudio) so nothing is downloaded.

A rising two-note chime marks a counted repetition or hold; a low double buzz marks a new form
fault. The snippet carries a sequence number: Streamlit re-creates the iframe only when its HTML
changes, and each new event must sound once.
"""

from __future__ import annotations

# (frequency Hz, start s, length s, waveform) per note
TONES: dict[str, list[tuple[float, float, float, str]]] = {
    "count": [(660.0, 0.0, 0.12, "sine"), (990.0, 0.12, 0.18, "sine")],
    "fault": [(220.0, 0.0, 0.15, "square"), (220.0, 0.22, 0.15, "square")],
}


def tone_html(kind: str, seq: int) -> str:
    notes = ",".join(f"[{f},{s},{d},'{w}']" for f, s, d, w in TONES[kind])
    return f"""<script>
// formcheck cue {kind} #{seq}
(function () {{
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  const now = ctx.currentTime + 0.02;
  for (const [freq, start, length, wave] of [{notes}]) {{
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = wave;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + start);
    gain.gain.exponentialRampToValueAtTime(0.25, now + start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(now + start);
    osc.stop(now + start + length + 0.05);
  }}
  setTimeout(() => ctx.close(), 1500);
}})();
</script>"""
