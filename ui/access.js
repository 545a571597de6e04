// A table wider than a phone scrolls sideways in its own box: the box takes keyboard focus (arrow keys
// scroll it) and says what it is. Streamlit draws tables late and often, so a mutation re-checks, once
// per frame at most. The menu (the sidebar) scrolls in its own box too when it is taller than the
// screen (an admin's, or any while it is being drawn): that box takes keyboard focus as well.
(() => {
  let queued = false;
  const mark = () => {
    queued = false;
    for (const box of document.querySelectorAll('[data-testid="stTable"] > div:not([tabindex])')) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table");
    }
    for (const box of document.querySelectorAll('[data-testid="stSidebarContent"]:not([tabindex])')) {
      box.tabIndex = 0;
    }
  };
  new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(mark); } })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
