// A page's stream opened by its HTML (ui/page_head.py, PAGE_NEEDS), while Streamlit's bundle is still
// loading: its first document is on its way before the page's component exists. The component takes it
// over with takeEarlyStream (judge_net.js), the documents received so far with the moment each arrived.
// One that ends, moves or fails before it is taken, or is not taken within 30 s, is closed: the component
// then opens its own as it always did.
function earlyStream(url) {
  if (typeof EventSource === "undefined") return;
  const es = new EventSource(url);
  const early = {es, docs: [], dead: false};
  const keep = (e) => early.docs.push({data: e.data, at: Date.now() / 1000});
  const die = () => { early.dead = true; es.close(); };
  es.addEventListener("doc", keep);
  es.addEventListener("ended", die);
  es.addEventListener("moved", die);
  es.onerror = () => { if (es.readyState === EventSource.CLOSED) early.dead = true; };
  const timer = setTimeout(() => { delete window.stagescoreEarly[url]; die(); }, 30000);
  early.release = () => {
    clearTimeout(timer);
    es.removeEventListener("doc", keep);
    es.removeEventListener("ended", die);
    es.removeEventListener("moved", die);
    es.onerror = null;
  };
  window.stagescoreEarly = window.stagescoreEarly || {};
  window.stagescoreEarly[url] = early;
}
