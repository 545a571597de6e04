"""Real Chromium pages on the public board, recording when each change appeared."""

from __future__ import annotations

from tests.support import browser as chromium

# Installed in the page: a MutationObserver on the board's root records, in the page's own clock
# (performance.timeOrigin + performance.now(), milliseconds since the epoch), every render that
# changed the state version or the number of scores shown.
OBSERVER_JS = """(root) => {
  window.__bench = [];
  let last = null;
  const sample = () => {
    const v = root.dataset.version || "";
    let n = 0;
    for (const tr of root.querySelectorAll("table.ranking tbody tr")) {
      const cell = tr.children[3];
      if (cell) n += parseInt(cell.textContent, 10) || 0;
    }
    const parts = v.split(":");
    const key = parts[0] + ":" + parts[1] + "|" + n;
    if (v && key !== last) {
      last = key;
      window.__bench.push([performance.timeOrigin + performance.now(), parseInt(parts[1], 10), n]);
    }
  };
  new MutationObserver(sample).observe(root, {childList: true, subtree: true, attributes: true});
  sample();
  return true;
}"""


def launch_chromium(playwright):
    """Chromium with no throttling of background pages: every benchmark page counts as visible."""
    return chromium.launch(playwright, chromium.NO_THROTTLING_ARGS)


def open_board(browser, url: str, timeout_ms: int = 60_000):
    """A page in a context of its own (its own Streamlit session) on the board, observer installed."""
    page = chromium.new_context(browser, timeout_ms).new_page()
    page.goto(url + "/leaderboard", wait_until="domcontentloaded")
    board = page.locator(".board[data-version]")
    board.wait_for(state="attached")
    page.evaluate(OBSERVER_JS, board.element_handle())
    return page


def board_observations(page) -> list[tuple[float, int, int]]:
    """(seen at in seconds since the epoch, state version, scores in) from the page's observer."""
    return [(t / 1000.0, int(v), int(n)) for t, v, n in page.evaluate("window.__bench || []")]
