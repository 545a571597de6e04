// The kiosk fits its screen: nobody stands at a projector to scroll it. What lies below the board's head
// is shared out into pages that take turns (PAGE_SECONDS each), with a line that says which one shows; a
// ranking longer than a page is cut between rows, its heading and header on each of its pages.
const PAGE_SECONDS = 8;
const BOTTOM_MARGIN = 12;  // px left free under the last line

// A block of the board: its nodes in one box, measured whole (flow-root: its margins stay inside).
function block(cls, ...nodes) {
  const box = el("div", "block" + (cls ? " " + cls : ""));
  for (const n of nodes) if (n) box.appendChild(n);
  return box;
}

// The pages: each a Set of the blocks and rows it shows. Measured with everything on screen once.
function sharePages(root, blocks, pager) {
  for (const b of blocks) root.appendChild(b);
  pager.textContent = t("Page {page} of {pages}", {page: 1, pages: 1});  // its room is kept whether it shows or not
  root.appendChild(pager);
  if (!blocks.length) return [new Set()];
  const room = window.innerHeight - BOTTOM_MARGIN - pager.getBoundingClientRect().height -
    blocks[0].getBoundingClientRect().top;
  const pages = [new Set()];
  let used = 0;
  const page = () => pages[pages.length - 1];
  const turn = () => { pages.push(new Set()); used = 0; };
  for (const b of blocks) {
    const box = b.getBoundingClientRect();
    const rows = [...b.querySelectorAll("table.ranking tbody tr")];
    b.dataset.cut = "";
    if (used + box.height <= room || !rows.length || (box.height <= room && !page().size)) {
      if (used + box.height > room && page().size) turn();
      page().add(b);
      used += box.height;
      continue;
    }
    // Cut between rows: a page that takes any of its rows takes its heading and header too (and room
    // for two rows at least, or the rows start on the next page).
    b.dataset.cut = "1";
    const head = rows[0].getBoundingClientRect().top - box.top;
    for (const r of rows) {
      const h = r.getBoundingClientRect().height;
      const need = page().has(b) ? h : head + 2 * h;
      if (used + need > room && page().size) turn();
      if (!page().has(b)) { page().add(b); used += head; }
      page().add(r);
      used += h;
    }
  }
  return pages;
}

// Shows page `i`: the blocks and rows on it; the board's head stays on every page.
function showPage(blocks, pages, i, pager) {
  const on = pages[i];
  for (const b of blocks) {
    b.hidden = !on.has(b);
    const cut = b.dataset.cut === "1";
    for (const r of b.querySelectorAll("table.ranking tbody tr")) r.hidden = cut && !on.has(r);
  }
  pager.textContent = pages.length > 1 ? t("Page {page} of {pages}", {page: i + 1, pages: pages.length}) : "";
  pager.hidden = pages.length < 2;
}
