// The note editor: a draft saved to the server every few seconds while the text changes,
// kept in this browser (localStorage) only while the server cannot be reached, and offered
// back when the editor is opened again. No inline scripts (CSP-ready).
(function () {
  "use strict";

  var INTERVAL = 3000;
  var PENDING = "ob-note-saved-key";

  function csrf(form) {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function themeNames(form) {
    var names = [];
    form.querySelectorAll('input[name="themes"]:checked').forEach(function (box) {
      var label = form.querySelector('label[for="' + box.id + '"]');
      if (label) { names.push(label.textContent.trim()); }
    });
    var typed = form.querySelector('[name="new_themes"]');
    if (typed && typed.value.trim()) { names.push(typed.value.trim()); }
    return names.join(", ");
  }

  function state(form) {
    var level = form.querySelector('input[name="level"]:checked');
    var chatham = form.querySelector('[name="chatham_house"]');
    var session = form.querySelector('[name="session"]');
    return {
      title: form.querySelector('[name="title"]').value,
      body: form.querySelector('[name="body"]').value,
      level: level ? level.value : "",
      chatham_house: chatham ? chatham.checked : false,
      session: session ? session.value : "",
      themes: themeNames(form)
    };
  }

  function fill(form, data) {
    form.querySelector('[name="title"]').value = data.title || "";
    form.querySelector('[name="body"]').value = data.body || "";
    var level = form.querySelector('input[name="level"][value="' + data.level + '"]');
    if (level) { level.checked = true; }
    var chatham = form.querySelector('[name="chatham_house"]');
    if (chatham) { chatham.checked = !!data.chatham_house; }
    var session = form.querySelector('[name="session"]');
    if (session) { session.value = data.session ? String(data.session) : ""; }
    var byName = {};
    form.querySelectorAll('input[name="themes"]').forEach(function (box) {
      var label = form.querySelector('label[for="' + box.id + '"]');
      box.checked = false;
      if (label) { byName[label.textContent.trim().toLowerCase()] = box; }
    });
    var fresh = [];
    (data.themes || "").split(",").forEach(function (raw) {
      var name = raw.trim();
      if (!name) { return; }
      var box = byName[name.toLowerCase()];
      if (box) { box.checked = true; } else { fresh.push(name); }
    });
    var typed = form.querySelector('[name="new_themes"]');
    if (typed) { typed.value = fresh.join(", "); }
    // Let the live name check see the restored text.
    form.querySelector('[name="body"]').dispatchEvent(new Event("input", { bubbles: true }));
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function clock(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  function readLocal(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function writeLocal(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function dropLocal(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* storage blocked */ }
  }

  function setup(form) {
    var key = form.dataset.storageKey;
    var status = form.querySelector("[data-draft-status]");
    var banner = document.querySelector("[data-restore-banner]");
    var serverDraft = document.getElementById("note-draft-data");
    var saved = state(form);  // what the server (or the page) already holds
    var sending = false;
    var offline = false;

    function say(text, state) {
      if (status) {
        status.textContent = text;
        status.dataset.state = state || "";
      }
    }

    function body(extra) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf(form));
      data.append("note", form.dataset.note || "");
      var current = state(form);
      Object.keys(current).forEach(function (name) {
        var value = current[name];
        data.append(name, typeof value === "boolean" ? (value ? "on" : "") : value);
      });
      Object.keys(extra || {}).forEach(function (name) { data.append(name, extra[name]); });
      return { data: data, current: current };
    }

    function keepLocally(current) {
      writeLocal(key, { data: current, saved_at: new Date().toISOString() });
    }

    function push() {
      var current = state(form);
      if (sending || same(current, saved)) { return; }
      sending = true;
      var request = body();
      say(form.dataset.labelSaving);
      fetch(form.dataset.draftUrl, {
        method: "POST", body: request.data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        saved = request.current;
        offline = false;
        // On the server now: nothing confidential needs to stay in this browser.
        dropLocal(key);
        say(form.dataset.labelSaved.replace("__time__", clock(new Date(answer.saved_at))), "saved");
      }).catch(function () {
        offline = true;
        keepLocally(request.current);
        say(form.dataset.labelOffline, "offline");
      }).then(function () { sending = false; });
    }

    form.addEventListener("input", function () {
      if (offline) { keepLocally(state(form)); }
    });
    window.setInterval(push, INTERVAL);
    window.addEventListener("online", push);
    window.addEventListener("offline", function () {
      offline = true;
      if (!same(state(form), saved)) { keepLocally(state(form)); }
      say(form.dataset.labelOffline, "offline");
    });
    // Leaving with unsaved changes: one last try that survives the page, and a local copy.
    window.addEventListener("pagehide", function () {
      if (form.dataset.submitting || same(state(form), saved)) { return; }
      keepLocally(state(form));
      if (navigator.sendBeacon) { navigator.sendBeacon(form.dataset.draftUrl, body().data); }
    });
    form.addEventListener("submit", function () {
      form.dataset.submitting = "1";
      // Cleared on the next page if the note was saved (see below).
      try { window.sessionStorage.setItem(PENDING, key); } catch (e) { /* storage blocked */ }
    });

    // Coming back to the editor after a refused save: keep the local copy.
    try { window.sessionStorage.removeItem(PENDING); } catch (e) { /* storage blocked */ }

    // What to offer back: the server's draft, or this device's when it is newer.
    var offer = serverDraft ? JSON.parse(serverDraft.textContent) : null;
    var local = readLocal(key);
    var fromDevice = false;
    if (local && local.data && (!offer || new Date(local.saved_at) > new Date(offer.saved_at))) {
      if (!same(local.data, saved)) {
        offer = local.data;
        offer.saved_at = local.saved_at;
        fromDevice = true;
      } else {
        dropLocal(key);
      }
    }
    if (offer && banner) {
      if (fromDevice) {
        var text = banner.querySelector("[data-restore-text]");
        text.textContent = text.dataset.localText.replace("__time__", clock(new Date(offer.saved_at)));
      }
      banner.hidden = false;
      banner.querySelector("[data-restore]").addEventListener("click", function () {
        fill(form, offer);
        banner.hidden = true;
        say(form.dataset.labelRestored);
        form.querySelector('[name="body"]').focus();
      });
      banner.querySelector("[data-discard]").addEventListener("click", function () {
        banner.hidden = true;
        dropLocal(key);
        var request = body({ discard: "1" });
        fetch(form.dataset.draftUrl, { method: "POST", body: request.data, credentials: "same-origin" });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-note-editor]");
    if (form) {
      setup(form);
      return;
    }
    // Any other page after the editor was submitted: the note was saved, so the copy kept
    // on this device (if any) has done its job.
    try {
      var key = window.sessionStorage.getItem(PENDING);
      if (key) {
        window.localStorage.removeItem(key);
        window.sessionStorage.removeItem(PENDING);
      }
    } catch (e) { /* storage blocked */ }
  });
})();
