// Following a stream of documents (the board and the desk; the judge screen has its own, judge_net.js,
// since it must also tell an ended session from a restart). EventSource reconnects by itself after a
// network error; an answer that is not a stream (a 401, a 5xx) closes it, so it is opened again later.

function followStream(url, onDoc, onLost) {
  const s = {offset: null, lastSample: 0, stream: null, stopped: false, timer: null};
  function connect() {
    if (s.stopped) return;
    s.stream = new EventSource(url);
    s.stream.addEventListener("doc", (event) => {
      const received = Date.now() / 1000;
      const doc = JSON.parse(event.data);
      s.offset = nextOffset(s.offset, doc.server_time, received, received - s.lastSample);
      s.lastSample = received;
      onDoc(doc, s.offset);
    });
    s.stream.onerror = () => {
      onLost();
      if (s.stream.readyState === EventSource.CLOSED) s.timer = setTimeout(connect, 3000);
    };
  }
  connect();
  return () => { s.stopped = true; clearTimeout(s.timer); if (s.stream) s.stream.close(); };
}

// A skeleton on an emptied `root`: add(name, node, parent) appends `node` (to `root` by default) and
// files it under `name` in `parts`, which the skeleton function returns.
function skeleton(root) {
  root.replaceChildren();
  const parts = {};
  const add = (name, node, parent) => { parts[name] = node; (parent || root).appendChild(node); return node; };
  return [parts, add];
}
