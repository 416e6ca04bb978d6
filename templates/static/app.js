/* Progressive enhancement for the review pages (everything works without it):
   - forms marked data-autosave save a draft to the server a few seconds after typing stops and when a field
     is left, by posting the same form with X-Autosave: 1 (JSON back: {version, saved_at, base}, and for the
     manager assessment the suggested training needs, drawn again, swapped into [data-suggestions]);
   - a banner warns before the session ends, offers to stay signed in, and if the session does end keeps
     what was typed on the page, offers sign-in in a new tab and saves once signed in again;
   - a repeating group grows a new empty row when its last row is used.
   Loaded with <script src> only: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 2500;   // ms after the last keystroke
  var LEAVE_DELAY = 200;       // ms after leaving a changed field
  var RETRY_DELAY = 10000;     // ms before retrying after a network failure
  var body = document.body;
  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  function clock(iso) {
    var d = iso ? new Date(iso) : new Date();
    // The server's format (labels.clock): the page's locale (its lang), in UTC as every time on the pages;
    // en-GB "09:05" (24-hour, two digits), en-US "9:05 AM".
    var lang = document.documentElement.lang || "en-GB";
    var us = lang === "en-US";
    return d.toLocaleTimeString(lang, { hour: us ? "numeric" : "2-digit", minute: "2-digit", hour12: us, timeZone: "UTC" }) + " UTC";
  }

  function setCsrf(token) {
    Array.prototype.forEach.call(document.querySelectorAll("input[name=csrf_token]"), function (el) { el.value = token; });
  }

  function csrf() {
    var el = document.querySelector("input[name=csrf_token]");
    return el ? el.value : "";
  }

  // --- the session ---------------------------------------------------------------------------------
  var session = {
    seconds: parseInt(body.getAttribute("data-session-seconds") || "0", 10),
    expired: false,
    warnTimer: null,
    endTimer: null,
    listeners: [],
    banner: document.getElementById("session-banner")
  };

  function bannerPart(selector) { return session.banner ? session.banner.querySelector(selector) : null; }

  function showBanner(text, expired) {
    if (!session.banner) { return; }
    bannerPart("[data-session-text]").textContent = text;
    bannerPart("[data-session-extend]").hidden = expired;
    bannerPart("[data-session-signin]").hidden = !expired;
    bannerPart("[data-session-retry]").hidden = !expired;
    session.banner.classList.toggle("expired", expired);
    session.banner.hidden = false;
  }

  function hideBanner() { if (session.banner) { session.banner.hidden = true; } }

  session.touch = function () {
    if (!session.seconds) { return; }
    session.expired = false;
    clearTimeout(session.warnTimer);
    clearTimeout(session.endTimer);
    var lead = Math.min(120, Math.max(1, Math.floor(session.seconds / 4)));
    var endsAt = Date.now() + session.seconds * 1000;
    session.warnTimer = setTimeout(function () {
      var minutes = Math.max(1, Math.round(lead / 60));
      showBanner("Your session ends at " + clock(new Date(endsAt).toISOString()) + " (in about " + minutes +
        " minute" + (minutes > 1 ? "s" : "") + ") unless you stay signed in.", false);
    }, Math.max(0, (session.seconds - lead) * 1000));
    // A little after the end: ask the server, in case another tab kept the session alive.
    session.endTimer = setTimeout(function () { session.check(false); }, session.seconds * 1000 + 1500);
  };

  session.markExpired = function () {
    if (!session.seconds) { return; }
    session.expired = true;
    clearTimeout(session.warnTimer);
    clearTimeout(session.endTimer);
    showBanner("Your session has ended. What you typed is still on this page and nothing is lost: sign in again " +
      "in a new tab, then come back here to save.", true);
  };

  // Ask the server whether we are signed in; on success take the new CSRF token and resume.
  session.check = function (fromUser) {
    return fetch("/session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.signed_in && state.employee_id === body.getAttribute("data-signed-in")) {
          setCsrf(state.csrf_token);
          var wasExpired = session.expired;
          hideBanner();
          session.touch();
          if (wasExpired) { session.listeners.forEach(function (fn) { fn(); }); }
          return true;
        }
        session.markExpired();
        if (fromUser) {
          bannerPart("[data-session-text]").textContent = state.signed_in
            ? "You are signed in as someone else now. Sign in again as yourself in a new tab; your text is still here."
            : "You are not signed in yet. Sign in again in a new tab, then press the button again; your text is still here.";
        }
        return false;
      })
      .catch(function () { return false; });
  };

  if (session.seconds && session.banner) {
    session.touch();
    bannerPart("[data-session-extend]").addEventListener("submit", function (e) {
      e.preventDefault();
      fetch("/session/extend", { method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf() } })
        .then(function (r) {
          if (r.ok) { hideBanner(); session.touch(); } else { session.markExpired(); }
        })
        .catch(function () { showBanner("Could not reach the server to keep you signed in. Check your connection.", false); });
    });
    bannerPart("[data-session-retry]").addEventListener("click", function () { session.check(true); });
    var recheck = function () { if (session.expired) { session.check(false); } };
    window.addEventListener("focus", recheck);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { recheck(); } });
  }

  // Any form sent while the session has ended would be refused (its CSRF token died with the session):
  // check first, and send it once signed in again.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!session.expired || form.hasAttribute("data-plain")) { return; }
    e.preventDefault();
    var submitter = e.submitter;
    session.check(true).then(function (ok) { if (ok) { form.requestSubmit(submitter); } });
  }, true);

  // --- autosave --------------------------------------------------------------------------------------
  function Autosave(form) {
    var self = this;
    this.form = form;
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.dirty = false;
    this.stopped = false;
    this.submitting = false;
    this.status = form.querySelector("[data-save-status]");
    form.addEventListener("input", function () { self.changed(AUTOSAVE_DELAY); });
    form.addEventListener("change", function (e) {
      // A choice (a rating, a select) is made at once: save soon, so what follows from it (a suggested
      // training need) shows while the manager is still there.
      var t = e.target;
      var chosen = t && (t.type === "radio" || t.type === "checkbox" || t.tagName === "SELECT");
      self.changed(chosen ? LEAVE_DELAY : AUTOSAVE_DELAY);
    });
    form.addEventListener("focusout", function () { if (self.dirty) { self.schedule(LEAVE_DELAY); } });
    form.addEventListener("submit", function (e) {
      if (e.defaultPrevented) { return; }
      clearTimeout(self.timer);
      if (self.inFlight) {  // let the autosave finish, so the form carries the version it produced
        e.preventDefault();
        var submitter = e.submitter;
        self.afterSave = function () { form.requestSubmit(submitter); };
        return;
      }
      self.submitting = true;
    });
    window.addEventListener("beforeunload", function (e) {
      if (self.dirty && !self.submitting) { e.preventDefault(); e.returnValue = ""; }
    });
    session.listeners.push(function () { self.stopped = false; self.dirty = true; self.save(); });
  }

  Autosave.prototype.say = function (text, kind) {
    if (!this.status) { return; }
    this.status.textContent = text;
    this.status.className = "save-status" + (kind ? " " + kind : "");
  };

  // The suggested training needs, drawn again by the server from what was just saved (its own escaped
  // template): swapped in when the low ratings changed, keeping choices made meanwhile. Returns the names of
  // the competencies newly suggested.
  Autosave.prototype.showSuggestions = function (html) {
    var box = this.form.querySelector("[data-suggestions]");
    if (!box) { return []; }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("[data-suggestions]");
    if (!fresh || fresh.getAttribute("data-key") === box.getAttribute("data-key")) { return []; }
    var had = {};
    Array.prototype.forEach.call(box.querySelectorAll("fieldset[id]"), function (el) { had[el.id] = true; });
    var checked = {};
    Array.prototype.forEach.call(box.querySelectorAll("input:checked"), function (el) { checked[el.name] = el.value; });
    box.innerHTML = fresh.innerHTML;
    box.setAttribute("data-key", fresh.getAttribute("data-key"));
    Array.prototype.forEach.call(box.querySelectorAll("input[type=radio]"), function (el) {
      if (checked[el.name] === el.value) { el.checked = true; }
    });
    var added = [];
    Array.prototype.forEach.call(box.querySelectorAll("fieldset[id]"), function (el) {
      var legend = el.querySelector("legend");
      if (!had[el.id] && legend) { added.push(legend.firstChild.textContent.replace(/^Suggested need: /, "").trim()); }
    });
    var section = box.closest("details");
    if (added.length && section) { section.open = true; }
    return added;
  };

  Autosave.prototype.changed = function (delay) {
    this.dirty = true;
    if (!this.stopped) { this.say("Unsaved changes"); }
    this.schedule(delay);
  };

  Autosave.prototype.schedule = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, delay);
  };

  Autosave.prototype.save = function () {
    var self = this;
    if (this.stopped || this.submitting) { return; }
    if (session.expired) {
      this.say("Not saved: your session has ended. Your text is still here; sign in again to save it.", "failed");
      return;
    }
    if (this.inFlight) { this.again = true; return; }
    clearTimeout(this.timer);
    var data = new FormData(this.form);
    data.set("action", "save");
    this.inFlight = true;
    this.dirty = false;
    this.say("Saving…");
    fetch(this.form.getAttribute("action") || window.location.pathname, {  // form.action would be the buttons named "action"
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) { self.handle(r.status, json); });
      })
      .catch(function () {
        self.dirty = true;
        self.say("Not saved: the server cannot be reached. Your text is still here; trying again shortly.", "failed");
        self.schedule(RETRY_DELAY);
      })
      .then(function () {
        self.inFlight = false;
        if (self.afterSave) { var next = self.afterSave; self.afterSave = null; next(); return; }
        if (self.again) { self.again = false; self.save(); }
      });
  };

  Autosave.prototype.handle = function (status, json) {
    if (status === 200 && json.version) {
      var version = this.form.querySelector("[data-version]");
      var base = this.form.querySelector("[data-base]");
      if (version) { version.value = json.version; }
      if (base && json.base) { base.value = json.base; }
      session.touch();
      var added = json.suggestions_html === undefined ? [] : this.showSuggestions(json.suggestions_html);
      var index = document.querySelector("[data-section-index]");
      if (index && json.index_html) {
        var drawn = document.createElement("div");
        drawn.innerHTML = json.index_html;
        var fresh = drawn.querySelector("[data-section-index]");
        if (fresh) {
          index.replaceWith(fresh);
          // Each section's own badge says what the index now says of it (done, to do, a decision needed).
          Array.prototype.forEach.call(fresh.querySelectorAll("li[data-section-key]"), function (li) {
            var pill = document.querySelector("#s-" + li.getAttribute("data-section-key") + " [data-section-pill]");
            if (!pill) { return; }
            pill.textContent = li.getAttribute("data-pill");
            pill.classList.toggle("done", li.classList.contains("done"));
            pill.classList.toggle("todo", !li.classList.contains("done"));
          });
        }
      }
      if (!this.dirty) {
        var many = added.length > 1;
        this.say("Draft saved at " + clock(json.saved_at) + (added.length ? ". " + (many
          ? "Training needs are suggested for " : "A training need is suggested for ") + added.join(", ") +
          ": confirm or dismiss " + (many ? "them" : "it") + " under Training needs." : ""), "saved");
      }
      return;
    }
    this.dirty = true;
    if (status === 401 || json.code === "csrf_refused" || json.code === "not_authenticated") {
      session.markExpired();
      this.say("Not saved: your session has ended. Your text is still here; sign in again to save it.", "failed");
    } else if (status === 412) {
      this.stopped = true;
      this.say("Not saved: someone else changed this review meanwhile. Your text is still here — press " +
        "“Save draft” to see what changed and keep your text.", "failed");
    } else if (status === 422) {
      var problems = (json.summary || []).map(function (e) { return (e.label ? e.label + ": " : "") + e.message; });
      this.say("Not saved yet: " + (problems.length ? problems.join(" ") : json.message || "some fields need attention."),
        "failed");
    } else {
      this.stopped = status === 403 || status === 409;
      this.say("Not saved: " + (json.message || "the server answered " + status).replace(/\.$/, "") + ". Your text is still here.",
        "failed");
    }
  };

  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), function (form) {
    form.autosave = new Autosave(form);
  });

  // --- repeating groups ------------------------------------------------------------------------------
  function renumber(el, prefix, from, to) {
    var namePart = prefix + "." + from + ".";
    var idPart = "f-" + prefix.replace(/\./g, "-") + "-" + from + "-";
    ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
      var value = el.getAttribute(attr);
      if (value === null) { return; }
      value = value.split(namePart).join(prefix + "." + to + ".");
      value = value.split(idPart).join("f-" + prefix.replace(/\./g, "-") + "-" + to + "-");
      el.setAttribute(attr, value);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-repeat]"), function (box) {
    var prefix = box.getAttribute("data-repeat");
    var max = parseInt(box.getAttribute("data-max") || "20", 10);
    box.addEventListener("input", function (e) {
      var rows = box.querySelectorAll(":scope > .row");
      var last = rows[rows.length - 1];
      if (!last || !last.contains(e.target) || rows.length >= max) { return; }
      var from = rows.length - 1;
      var clone = last.cloneNode(true);
      Array.prototype.forEach.call(clone.querySelectorAll(".field-error, .stale-note"), function (el) { el.remove(); });
      Array.prototype.forEach.call(clone.querySelectorAll(".has-error, .is-stale"), function (el) {
        el.classList.remove("has-error", "is-stale");
      });
      Array.prototype.forEach.call(clone.querySelectorAll("*"), function (el) {
        renumber(el, prefix, from, from + 1);
        el.removeAttribute("aria-invalid");
        if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") {
          if (el.type === "checkbox" || el.type === "radio") { el.checked = el.defaultChecked; } else { el.value = ""; }
        } else if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = o.defaultSelected; });
        }
      });
      clone.setAttribute("data-row", String(from + 1));
      var legend = clone.querySelector("legend");
      if (legend) {
        legend.textContent = box.getAttribute("data-label") + " " + (from + 2) + " ";
        var note = document.createElement("span");
        note.className = "muted";
        note.textContent = "(new: leave empty if not needed)";
        legend.appendChild(note);
      }
      last.insertAdjacentElement("afterend", clone);
    });
  });
})();

// Form sections fold once done (<details>, server-rendered). On wide screens there is room: keep them open.
// A link of the section index opens the section it points to.
(function () {
  "use strict";
  var wide = window.matchMedia && window.matchMedia("(min-width: 60em)").matches;
  Array.prototype.forEach.call(document.querySelectorAll("details[data-section]"), function (d) {
    if (wide) { d.open = true; }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-open-section]") : null;
    if (!link) { return; }
    var target = document.querySelector(link.getAttribute("href"));
    var details = target ? target.querySelector("details[data-section]") : null;
    if (details) { details.open = true; }
  });
})();

// A table that scrolls inside its region says so (app.css shows "Scroll sideways…" on [data-scrolls]).
(function () {
  "use strict";
  var regions = document.querySelectorAll(".table-wrap");
  if (!regions.length) { return; }
  function mark() {
    Array.prototype.forEach.call(regions, function (el) {
      el.toggleAttribute("data-scrolls", el.scrollWidth > el.clientWidth + 1);
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("toggle", mark, true);  // a table in a closed <details> has no width until opened
})();
