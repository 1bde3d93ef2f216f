// The mock-flowservice inspector: loads server-rendered views, polls the one on screen, and
// acts through the control API (JSON bodies only: the control API refuses anything else).
"use strict";

(function () {
  const UI = "/__mock__/ui";
  const POLL_MS = 1500;
  const TOKEN_KEY = "mock-flowservice-control-token";
  const view = document.getElementById("view");
  const result = document.getElementById("result");
  const tokenForm = document.getElementById("token-form");
  const autoRefresh = document.getElementById("auto-refresh");
  let shown = { route: null, html: null };
  let busy = false;
  let pending = null; // a navigation asked for while a poll was under way
  let lastRoute = "tenants";

  function authHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    return headers;
  }

  // "#/flows/ID" -> {name: "flows", url: "/__mock__/ui/view/flows/ID"}
  function route() {
    // An in-page anchor (the skip link, #obj-...) keeps the view that is on screen.
    if (location.hash.startsWith("#/")) lastRoute = location.hash.slice(2);
    const hash = lastRoute;
    const [path, query] = hash.split("?");
    const parts = path.split("/").filter(Boolean);
    const name = ["tenants", "flows", "journal", "actions"].includes(parts[0]) ? parts[0] : "tenants";
    let url = UI + "/view/" + name;
    if (name === "flows") url += "/" + encodeURIComponent(parts[1] || "");
    if (name === "journal" && query) url += "?" + query;
    return { name: name, key: hash, url: url };
  }

  function openDetails() {
    return new Set(Array.from(view.querySelectorAll("details[open][id]"), (d) => d.id));
  }

  function reopen(root, ids) {
    root.querySelectorAll("details[id]").forEach((d) => {
      if (ids.has(d.id)) d.open = true;
    });
  }

  // Replace the view, or on a refresh of the same view only its live parts (so forms being
  // filled in keep their values), keeping open entries open and focus where it was.
  function show(current, html, navigated) {
    const opened = openDetails();
    const focused = document.activeElement && document.activeElement.id;
    const fresh = document.createElement("div");
    fresh.innerHTML = html;
    if (navigated || shown.route !== current.key) {
      view.replaceChildren(...fresh.childNodes);
      const title = view.querySelector("[data-title]");
      document.title = (title ? title.textContent + " · " : "") + "mock-flowservice inspector";
      document.querySelectorAll("[data-nav]").forEach((a) => {
        if (a.dataset.nav === current.name) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      });
    } else {
      fresh.querySelectorAll("[data-live][id]").forEach((part) => {
        const old = document.getElementById(part.id);
        if (old) old.replaceWith(part);
      });
    }
    reopen(view, opened);
    if (focused && document.getElementById(focused) && document.activeElement === document.body) {
      document.getElementById(focused).focus();
    }
    shown = { route: current.key, html: html };
  }

  async function load(navigated, moveFocus) {
    if (busy) {
      if (navigated) pending = { moveFocus: moveFocus };
      return;
    }
    busy = true;
    const current = route();
    try {
      const answer = await fetch(current.url, { headers: authHeaders(), cache: "no-store" });
      if (answer.status === 401) {
        tokenForm.hidden = false;
        view.replaceChildren();
        shown = { route: null, html: null };
        return;
      }
      tokenForm.hidden = true;
      const html = await answer.text();
      if (!answer.ok) {
        view.innerHTML = "";
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = "The mock answered " + answer.status + ": " + html;
        view.append(p);
        shown = { route: null, html: null };
        return;
      }
      if (navigated || html !== shown.html || current.key !== shown.route) {
        show(current, html, navigated);
        if (moveFocus) view.focus();
      }
    } catch (error) {
      say("The mock cannot be reached: " + error, true);
    } finally {
      busy = false;
    }
    if (pending) {
      const next = pending;
      pending = null;
      await load(true, next.moveFocus);
    }
  }

  function say(text, failed) {
    result.textContent = text;
    result.className = failed ? "failed" : "done";
  }

  function number(form, name) {
    const field = form.elements[name];
    return field && field.value !== "" ? Number(field.value) : undefined;
  }

  function outcomes(form) {
    const status = form.elements.status.value;
    const one = { status: status };
    if (status === "failed") {
      one.errors = [{ code: form.elements.code.value, message: form.elements.message.value }];
    } else if (number(form, "failedRecords")) {
      one.failedRecords = number(form, "failedRecords");
    }
    return Array.from({ length: number(form, "count") || 1 }, () => one);
  }

  function rule(form) {
    const body = { method: form.elements.method.value, path: form.elements.path.value };
    if (number(form, "count")) body.count = number(form, "count");
    return body;
  }

  // What each form asks the control API: [confirmation, method, path, body].
  const ACTIONS = {
    reset: () => ["Reset the mock? Every object, run and token is forgotten.", "POST", "/reset"],
    advance: (form) => {
      const seconds = number(form, "seconds");
      return ["Advance the clock by " + seconds + " s?", "POST", "/clock", { advanceSeconds: seconds }];
    },
    freeze: (form, button) => {
      const freeze = button && button.value === "false" ? false : true;
      return [(freeze ? "Freeze" : "Unfreeze") + " the clock?", "POST", "/clock", { freeze: freeze }];
    },
    "set-clock": (form) => {
      let text = form.elements.at.value.trim();
      if (!text.endsWith("Z")) text += "Z";
      const at = Date.parse(text);
      if (Number.isNaN(at)) throw new Error("not a UTC time: " + form.elements.at.value);
      return ["Set the clock to " + text + " and freeze it?", "POST", "/clock", { freeze: true, set: at }];
    },
    outcomes: (form) => {
      const flow = form.dataset.flow || form.elements.flow.value;
      const queued = outcomes(form);
      return [
        "Queue " + queued.length + " " + queued[0].status + " outcome(s) for flow " + flow + "?",
        "POST",
        "/flows/" + encodeURIComponent(flow) + "/outcomes",
        { outcomes: queued },
      ];
    },
    fault: (form) => {
      const body = Object.assign(rule(form), { status: number(form, "status") });
      return ["Add a fault rule " + body.method + " " + body.path + " → " + body.status + "?", "POST", "/faults", body];
    },
    override: (form) => {
      const respond = { status: number(form, "status") };
      const text = form.elements.body.value.trim();
      if (text) respond.body = JSON.parse(text);
      const body = Object.assign(rule(form), { respond: respond });
      return ["Add an override " + body.method + " " + body.path + " → " + respond.status + "?", "POST", "/overrides", body];
    },
    "delete-fault": (form) => ["Remove rule " + form.dataset.rule + "?", "DELETE", "/faults/" + encodeURIComponent(form.dataset.rule)],
    "clear-faults": () => ["Remove every fault rule and override?", "DELETE", "/faults"],
  };

  async function act(form, button) {
    let asked;
    try {
      asked = ACTIONS[form.dataset.action](form, button);
    } catch (error) {
      say("Not sent: " + error.message, true);
      return;
    }
    const [question, method, path, body] = asked;
    if (!window.confirm(question)) {
      say("Cancelled.", false);
      return;
    }
    const init = { method: method, headers: authHeaders(), cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      const answer = await fetch("/__mock__" + path, init);
      const text = await answer.text();
      say(method + " /__mock__" + path + " → " + answer.status + (text ? ": " + text : ""), !answer.ok);
    } catch (error) {
      say(method + " /__mock__" + path + " failed: " + error, true);
    }
    await load(false);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form === tokenForm) {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, form.elements.token.value);
      form.reset();
      load(true, true);
    } else if (form.id === "journal-filter") {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (value.trim()) query.set(name, value.trim());
      const text = query.toString();
      location.hash = "#/journal" + (text ? "?" + text : "");
    } else if (form.dataset.action) {
      event.preventDefault();
      act(form, event.submitter);
    }
  });

  document.addEventListener("reset", (event) => {
    if (event.target.id === "journal-filter") location.hash = "#/journal";
  });

  window.addEventListener("hashchange", () => {
    // In-page anchors (#obj-...) only scroll; routes start with "#/".
    if (location.hash === "" || location.hash.startsWith("#/")) load(true, true);
  });

  setInterval(() => {
    if (autoRefresh.checked && !document.hidden) load(false);
  }, POLL_MS);
  load(true);
})();
