// The live board: the counter, the hold countdown and the cue, updated the moment the server
// analyses a frame (server-sent events), and the voice that says what matters.
//
// Speech is the browser's own (speechSynthesis) with a voice installed on this computer
// (localService): nothing leaves the machine. One utterance at a time, the most urgent first, with a
// short gap between them; an utterance that waited too long is dropped. Without a local English
// voice, or with "Tones" chosen, a count plays a chime and a fault a buzz instead.
// Speech and sound are made in the page itself (window.top), which the START click has activated:
// browsers let a page speak and play only after the person has interacted with it.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("fc-config").textContent);
  const page = window.top;
  const $ = (id) => document.getElementById(id);
  const player = {mode: config.mode, voice: null, voiceChecked: false, queue: [], speaking: null,
                  lastEnd: 0, timer: null, watchdog: null, audio: null};

  // ------------------------------------------------------------------ the board
  function show(id, text, attrs) {
    const el = $(id);
    el.textContent = text || "";
    el.hidden = !text;
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  }

  function showBoard(b) {
    if (!b.active) {
      show("fc-count", "");
      show("fc-label", "");
      show("fc-hold", "");
      $("fc-hold-bar").hidden = true;
      show("fc-status", b.status || "");
      show("fc-cue", "");
      show("fc-guidance", "");
      show("fc-set", "");
      return;
    }
    show("fc-label", b.label);
    show("fc-count", b.count_text, {"data-count": String(b.count)});
    if (b.hold) {
      show("fc-hold", `Hold ${b.hold.good.toFixed(1)} / ${b.hold.target} s`);
      $("fc-hold-bar").hidden = false;
      $("fc-hold-fill").style.width = `${Math.min(100, 100 * b.hold.good / b.hold.target)}%`;
    } else {
      show("fc-hold", "");
      $("fc-hold-bar").hidden = true;
    }
    show("fc-status", b.status);
    show("fc-cue", b.cue, {"data-kind": b.cue_kind || "info"});
    show("fc-guidance", b.guidance);
    show("fc-set", b.target ? `Set: ${Math.min(b.count, b.target)} of ${b.target}` : "");
  }

  // ------------------------------------------------------------------ the voice
  function synth() {
    return page.speechSynthesis && page.SpeechSynthesisUtterance ? page.speechSynthesis : null;
  }

  function chooseVoice() {
    const s = synth();
    if (!s) return null;
    // Local voices only: a network voice would send the words to a cloud service.
    const english = s.getVoices().filter((v) => v.localService && /^en\b|^en[-_]/i.test(v.lang));
    const own = (page.navigator.language || "en").toLowerCase();
    return english.find((v) => v.lang.toLowerCase() === own && v.default)
      || english.find((v) => v.lang.toLowerCase() === own) || english.find((v) => v.default) || english[0] || null;
  }

  function settleVoice() {
    player.voice = chooseVoice();
    if (player.voice) player.voiceChecked = true;
    showVoiceNote();
    pump();
  }

  function showVoiceNote() {
    let note = "";
    if (player.mode === "voice") {
      if (player.voice) note = `Voice: ${player.voice.name}`;
      else if (player.voiceChecked) note = "This browser has no voice installed for English: tones instead.";
    } else if (player.mode === "tones") note = "Tones: a chime for each count, a buzz for a fault.";
    else note = "Cues are silent.";
    show("fc-voice", note);
  }

  function hear(item) {
    if (player.mode === "off") return;
    // Until the voices have loaded, words wait (briefly: each has its own patience).
    if (player.mode !== "voice" || (!player.voice && player.voiceChecked)) {
      if (item.tone) playTone(item.tone);
      return;
    }
    item.arrived = Date.now();
    if (item.priority === 0) {  // stop for pain: now, over anything being said
      player.queue = [];
      if (player.speaking) { const s = synth(); player.speaking = null; s.cancel(); }
    }
    // A newer count makes a waiting one stale; the same words are never queued twice.
    player.queue = player.queue.filter((q) => q.text !== item.text && !(item.kind === "count" && q.priority === item.priority));
    player.queue.push(item);
    pump();
  }

  function pump() {
    if (player.speaking || !player.voice) return;
    const now = Date.now();
    player.queue = player.queue.filter((q) => now - q.arrived <= q.max_wait_s * 1000);
    if (!player.queue.length) return;
    const wait = player.lastEnd + config.min_gap_s * 1000 - now;
    if (wait > 0) {
      clearTimeout(player.timer);
      player.timer = setTimeout(pump, wait);
      return;
    }
    player.queue.sort((a, b) => a.priority - b.priority || a.arrived - b.arrived);
    say(player.queue.shift());
  }

  function say(item) {
    const s = synth();
    const utterance = new page.SpeechSynthesisUtterance(item.text);
    utterance.voice = player.voice;
    utterance.lang = player.voice.lang;
    utterance.volume = config.volume;
    utterance.rate = 1.1;
    const done = () => {
      if (player.speaking !== utterance) return;
      player.speaking = null;
      player.lastEnd = Date.now();
      clearTimeout(player.watchdog);
      pump();
    };
    utterance.onend = done;
    utterance.onerror = done;
    player.speaking = utterance;  // also keeps it from being collected before it ends (a Chrome bug)
    // A voice that never reports its end must not silence everything after it.
    player.watchdog = setTimeout(done, 2000 + 150 * item.text.length);
    s.speak(utterance);
  }

  // ------------------------------------------------------------------ the tones
  function playTone(kind) {
    const notes = config.tones[kind];
    const Context = page.AudioContext || page.webkitAudioContext;
    if (!notes || !Context) return;
    if (!player.audio) player.audio = new Context();
    const ctx = player.audio;
    if (ctx.state === "suspended") ctx.resume();
    const start = ctx.currentTime + 0.02;
    const peak = Math.max(0.0002, 0.25 * config.volume);
    for (const [freq, at, length, wave] of notes) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = wave;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(peak, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + at);
      osc.stop(start + at + length + 0.05);
    }
  }

  // ------------------------------------------------------------------ the stream
  function connect() {
    const source = new EventSource(config.url);
    source.onopen = () => show("fc-offline", "");
    source.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "board") showBoard(message);
      else if (message.type === "say") hear(message);
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        show("fc-offline", "The live cues are not reaching this page; reload it to try again.");
      }
    };
  }

  const s = synth();
  if (s) {
    s.addEventListener ? s.addEventListener("voiceschanged", settleVoice) : (s.onvoiceschanged = settleVoice);
  }
  settleVoice();
  // Voices load in the background; if none has come by then, there is none.
  setTimeout(() => { player.voiceChecked = true; settleVoice(); }, 1500);
  showBoard({active: false, status: ""});
  connect();
})();
