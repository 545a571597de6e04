// The vote page: a code (typed, or carried by the kiosk's QR code) finds its window; a tap votes; a
// later tap revises it until the window closes. Text goes in with textContent only.
(() => {
  // Words in the reader's language, put here by the server (ui/vote/routes.py); else the English.
  const WORDS = /*WORDS*/{};
  const t = (message, blanks) => {
    const said = WORDS[message] || message;
    return blanks ? said.replace(/\{(\w+)\}/g, (m, k) => (k in blanks ? String(blanks[k]) : m)) : said;
  };
  const $ = (id) => document.getElementById(id);
  const base = location.pathname.replace(/\/vote\/?$/, "");
  let current = null; // the window the code found
  let pending = null; // {value, request_id}: a vote not yet acknowledged (a retry sends the same id)
  let timer = null;

  function say(text, kind) {
    $("message").textContent = text;
    $("message").className = kind || "";
  }

  function requestId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function call(path, options) {
    const response = await fetch(base + path, { credentials: "same-origin", ...options });
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { status: response.status, body };
  }

  async function refresh() { // a window opened before its close was set learns it (every 5 s until then)
    const win = current;
    const { status, body } = await call(`/vote/window?code=${encodeURIComponent(win.code)}`);
    if (current !== win) return;
    if (status === 200 && body.closes_at != null) current.closes_at = body.closes_at;
    else if (status === 409) current.closes_at = Date.now() / 1000 - current.skew; // closed before we asked
  }

  function countdown() {
    clearInterval(timer);
    let ticks = 0;
    const show = () => {
      if (!current || current.closes_at == null) {
        $("closes").textContent = t("Voting is open.");
        if (current && ++ticks % 5 === 0) refresh().catch(() => {});
        return;
      }
      const left = Math.max(0, Math.round(current.closes_at - Date.now() / 1000 + current.skew));
      $("closes").textContent = left > 0 ? t("Voting closes in {seconds} s.", {seconds: left}) : t("Voting has closed.");
    };
    show();
    timer = setInterval(show, 1000);
  }

  function draw(win) {
    current = win;
    $("title").textContent = win.kind === "final" ? t("Your favourite act · {title}", {title: win.title})
      : t("Rate {title}", {title: win.title});
    const box = $("choices");
    box.replaceChildren();
    box.className = win.kind === "final" ? "choices" : "choices stars";
    const options = win.kind === "final"
      ? win.choices.map((c) => [c.id, c.name, c.name])
      : [1, 2, 3, 4, 5].map((n) => [n, "★".repeat(n), n > 1 ? t("{n} stars", {n}) : t("1 star")]);
    for (const [value, text, label] of options) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.setAttribute("aria-pressed", "false");
      b.dataset.value = String(value);
      b.addEventListener("click", () => vote(value));
      box.appendChild(b);
    }
    $("ballot").hidden = false;
    countdown();
  }

  function mark(value) {
    for (const b of $("choices").children) b.setAttribute("aria-pressed", String(b.dataset.value === String(value)));
  }

  async function find(code) {
    say(t("Looking for that vote…"));
    const { status, body } = await call(`/vote/window?code=${encodeURIComponent(code)}`);
    if (status !== 200) { $("ballot").hidden = true; say(body.error || t("That code did not work; try again."), "bad"); return; }
    body.skew = (body.server_time || Date.now() / 1000) - Date.now() / 1000;
    body.code = code;
    draw(body);
    say("");
  }

  async function vote(value, retry) {
    if (!current) return;
    if (!retry || !pending || pending.value !== value) pending = { value, request_id: requestId() };
    say(t("Sending your vote…"));
    let answer;
    try {
      answer = await call("/vote", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Stagescore": "1" },
        body: JSON.stringify({ code: current.code, value, request_id: pending.request_id }),
      });
    } catch (e) {
      say(t("No connection; trying again…"), "bad");
      setTimeout(() => vote(value, true), 2000);
      return;
    }
    if (answer.status === 200) {
      pending = null;
      mark(answer.body.value);
      say(t("Your vote is counted. You can change it until voting closes."), "good");
    } else if ([502, 503, 504].includes(answer.status)) {  // a server or proxy away: the same id again
      say(answer.body.error || t("Busy; trying again…"), "bad");
      setTimeout(() => vote(value, true), 2000);
    } else {
      pending = null;
      say(answer.body.error || t("Your vote was not counted."), "bad");
    }
  }

  $("code-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = $("code").value.trim();
    if (code) find(code);
  });
  const given = new URLSearchParams(location.search).get("code");
  if (given) { $("code").value = given; find(given); }
})();
