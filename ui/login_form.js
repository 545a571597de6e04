// The login form: a real HTML form (password managers and autofill work) that POSTs to /auth/login.
// The session cookie comes back HttpOnly; this script never sees a token. Messages use textContent.
export default function (component) {
  const { data, parentElement } = component;
  const words = data.words || {};
  const t = (message) => words[message] || message;  // the catalogue's words (ui/i18n.py); else English
  for (const node of parentElement.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  const form = parentElement.querySelector("form.login");
  const message = parentElement.querySelector(".message");
  const button = form.querySelector("button");
  if (form.dataset.ready) return;
  form.dataset.ready = "1";
  form.setAttribute("action", data.action);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    button.disabled = true;
    const fields = new FormData(form);
    try {
      const response = await fetch(data.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ email: fields.get("email"), password: fields.get("password"), next: data.next }),
      });
      const answer = await response.json();
      if (answer.ok) {
        message.textContent = t("Logged in; opening…");
        window.location.assign(answer.next);  // a fresh page load: the cookie logs it in
        return;
      }
      message.textContent = answer.error || t("Could not log in.");
    } catch (e) {
      message.textContent = t("Could not reach the server; check the connection and try again.");
    }
    button.disabled = false;
  });
}
