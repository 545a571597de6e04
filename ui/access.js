// A table wider than a phone scrolls sideways in its own box: the box takes keyboard focus (arrow keys
// scroll it) and says what it is. Streamlit draws tables late and often, so a mutation re-checks, once
// per frame at most.
(() => {
  let queued = false;
  const mark = () => {
    queued = false;
    for (const box of document.querySelectorAll('[data-testid="stTable"] > div:not([tabindex])')) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table");
    }
  };
  new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(mark); } })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
