// The crowd's board page: the live board (board.js, the same as the app's component) on a plain page.
// The stage comes from the address (?stage=ID, as the kiosk's QR code carries it); addresses are relative,
// so the page works under the app's base path.
(() => {
  const query = new URLSearchParams(location.search);
  const stage = query.get("stage");
  const stream = "live/public" + (stage ? "?stage=" + encodeURIComponent(stage) : "");
  liveBoard({data: {url: stream, kiosk: false, theme: "light", words: /*WORDS*/{}},
             parentElement: document.getElementById("live")});
  if (stage) {
    // The language links come back to this stage's board (GET /language checks the address it returns to).
    for (const a of document.querySelectorAll(".languages a")) {
      const link = new URL(a.href);
      link.searchParams.set("next", "/leaderboard?stage=" + stage);
      a.href = link.href;
    }
    document.getElementById("every-stage").hidden = false;
  }
})();
