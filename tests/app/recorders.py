"""Init scripts that record what the live page does, for the browser tests. They run in every frame
before the page's own scripts, and record with Date.now() (the same clock as the server's
time.time(): one machine)."""

from __future__ import annotations

# The page's voice: a stand-in for speechSynthesis with one local voice, which notes what the page
# asks to say and when, and takes about as long as a real voice to say it.
SPEECH_JS = r"""
(() => {
  if (window !== window.top) return;
  const spoken = window.__fcSpoken = [];
  const voice = {name: "Test voice", lang: "en-GB", localService: true, default: true, voiceURI: "test"};
  class Utterance { constructor(text) { this.text = text; } }
  const synth = {
    speaking: false, pending: false, paused: false, current: null,
    getVoices() { return [voice]; },
    addEventListener() {}, removeEventListener() {},
    speak(u) {
      spoken.push([Date.now(), u.text]);
      this.current = u;
      this.speaking = true;
      const ms = 250 + 330 * u.text.split(/\s+/).length;  // about 3 words a second
      u.__timer = setTimeout(() => {
        if (this.current === u) { this.current = null; this.speaking = false; }
        if (u.onend) u.onend({});
      }, ms);
    },
    cancel() {
      const u = this.current;
      if (!u) return;
      clearTimeout(u.__timer);
      this.current = null;
      this.speaking = false;
      if (u.onend) u.onend({});
    },
    pause() {}, resume() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = Utterance;
})();
"""

# Every tone the page plays (the first note names it: 660 Hz a count's chime, 220 Hz a fault's buzz),
# and every change of the live board's counter (the number it shows: repetitions, holds or steps).
PAGE_JS = r"""
(() => {
  const start = window.OscillatorNode && OscillatorNode.prototype.start;
  if (start) {
    OscillatorNode.prototype.start = function (...args) {
      (window.top.__fcTones = window.top.__fcTones || []).push([Date.now(), this.frequency.value]);
      return start.apply(this, args);
    };
  }
  if (window !== window.top) return;
  window.__fcCounts = [];
  let last = null;
  setInterval(() => {
    for (const frame of document.querySelectorAll("iframe")) {
      let counter = null;
      try { counter = frame.contentDocument && frame.contentDocument.querySelector('[data-fc="count"]'); }
      catch (e) { continue; }
      if (!counter || counter.hidden) continue;
      const count = counter.getAttribute("data-count");
      if (count !== null && count !== last) { last = count; window.__fcCounts.push([Date.now(), Number(count)]); }
    }
  }, 10);
})();
"""

# In the WebRTC component's frame: when each picture coming back from the server is shown, by its RTP
# timestamp (the server keeps the camera frame's timestamp on the frame it returns).
SHOWN_FRAMES_JS = r"""
(() => {
  if (window === window.top) return;
  window.__fcShown = [];
  const watch = () => {
    const video = document.querySelector("video");
    if (!video || !video.requestVideoFrameCallback) { setTimeout(watch, 200); return; }
    const seen = (now, meta) => {
      if (meta.rtpTimestamp !== undefined) window.__fcShown.push([Date.now(), meta.rtpTimestamp]);
      video.requestVideoFrameCallback(seen);
    };
    video.requestVideoFrameCallback(seen);
  };
  watch();
})();
"""


def spoken(page) -> list[tuple[float, str]]:
    return [(t / 1000.0, text) for t, text in page.evaluate("window.__fcSpoken || []")]


def tones(page) -> list[tuple[float, float]]:
    return [(t / 1000.0, f) for t, f in page.evaluate("window.__fcTones || []")]


def counts_shown(page) -> list[tuple[float, int]]:
    return [(t / 1000.0, int(n)) for t, n in page.evaluate("window.__fcCounts || []")]
