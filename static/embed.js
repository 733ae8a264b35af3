/*!
 * Invito embed: put Invito's booking widget on any site.
 *
 *   Inline:   <div data-invito="/widget/USER/EVENT"></div>
 *   Popup:    <a href="https://YOUR-INVITO/calendar/USER/EVENT" data-invito-popup="/widget/USER/EVENT">Book a call</a>
 *   Floating: the popup link with a fixed position (the Embed page's snippet styles it)
 *             <script src="https://YOUR-INVITO/embed.js" async></script>
 *
 * `url` may be a booking page's address, a team's, or a routing form's (/forms/OWNER/FORM).
 * The popup speaks the page's language (<html lang>), around the widget and inside it, unless
 * `url` names one (?lang=de); a page that names none gets the visitor's browser's.
 *
 * A popup link is a plain link to the booking page until this script has loaded, so a click
 * never misses; afterwards it opens the widget in a dialog. (`<button data-invito-popup>` from
 * older snippets works too.)
 *
 * The iframe reserves the widget's height from the first paint: the widget's layout at the
 * container's width is known here (LAYOUT), or the snippet carries it (data-invito-height).
 * Then it follows its content: the widget posts its height, and only messages from the Invito
 * origin, sent by one of our own iframes, are believed. Containers added later (a single-page
 * site) are mounted too.
 *
 * From script (documented at https://YOUR-INVITO/docs/embed):
 *   Invito.inline({ url, parent, prefill, utm, layout })   mounts the widget into `parent`
 *                        (again: replaces it) and answers { frame, destroy() }
 *   Invito.popup({ url, prefill, utm, layout })            opens it in a dialog now
 *   Invito.on("booked", function (data, frame) { … })     also: page_height, event_type_viewed,
 *                                                           date_selected, time_selected, redirect
 * `prefill` ({ name, email, note, answers: { questionId: value }, location, phone, timeZone,
 *   date, month }),
 * `utm` ({ source, medium, campaign, term, content, ref }) and the page's own utm_* and ref
 * parameters travel as the widget's query parameters. Messages are `{ type: "invito:…", v: 1 }`.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__invitoEmbed) return;
  window.__invitoEmbed = true;
  var origin = new URL(script.src, location.href).origin;
  var frames = [];
  var closers = [];
  var handlers = {};
  var EVENTS = ["page_height", "event_type_viewed", "date_selected", "time_selected", "booked", "redirect"];
  // The pop-up's own words, in the widget's language: [Close, Book a time], the catalogs'
  // (src/lib/shared/embed-words.ts; tests/e2e/embed-popup.e2e.test.ts keeps them the same).
  var WORDS = {
    en: ["Close", "Book a time"],
    de: ["Schließen", "Termin buchen"],
    fr: ["Fermer", "Prendre rendez-vous"],
    es: ["Cerrar", "Reservar una hora"],
  };
  var open = null; // the pop-up showing, if any: one at a time
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "ref"];

  function widgetUrl(path) {
    try {
      var u = new URL(path, origin);
      if (u.origin !== origin) return null;
      // A page's own address works too: /calendar/USER/EVENT, /team/TEAM/EVENT and a routing
      // form's /forms/OWNER/FORM.
      if (u.pathname.indexOf("/calendar/") === 0) u.pathname = "/widget/" + u.pathname.slice(10);
      else if (u.pathname.indexOf("/team/") === 0 || u.pathname.indexOf("/forms/") === 0) {
        u.pathname = "/widget" + u.pathname;
      }
      if (u.pathname.indexOf("/widget/") !== 0) return null;
      return u.href;
    } catch (e) {
      return null;
    }
  }

  /*
   * How long a prefill value may be: what the field it fills takes (ADR 046), the booking form's
   * (src/lib/shared/forms/booking.ts: name, email, note; src/lib/server/domain/event-rules.ts
   * `checkAnswers`: a long answer, the longest, 2,000) and on a routing form its answers'
   * (FIELD_MAX.text, 4,000). A longer value is left out here, never cut: cut to fit, an
   * over-long note was shortened and used. src/lib/server/domain/embed-limits.test.ts keeps
   * these the same as the forms'.
   */
  var LIMITS = {
    name: 100,
    email: 254,
    note: 2000,
    phone: 30,
    location: 2,
    tz: 64,
    date: 10,
    month: 7,
    layout: 32,
    utm: 200,
    answer: 2000,
    formAnswer: 4000,
  };
  // The widget's whole address, in characters as sent (a value's UTF-8 bytes written as %XX):
  // within the request line proxies take by default (nginx and Apache: 8 KiB) and, doubled by the
  // Referer of the widget's next page, far within the server's 64 KiB request head (beyond it
  // the connection is dropped without an answer). A value that would go past it is left out.
  var URL_MAX = 8000;

  /** The widget's address with the options' prefill, layout and source (utm) as its parameters. */
  function withOptions(src, o) {
    var u = new URL(src);
    var q = u.searchParams;
    var form = u.pathname.indexOf("/widget/forms/") === 0;
    function fits(x, max) {
      return x !== undefined && x !== null && x !== "" && String(x).length <= max;
    }
    /** Sets k to v (or appends it), and takes it back when the address grows past URL_MAX. */
    function add(k, v, append) {
      var before = q.getAll(k);
      if (append) q.append(k, v);
      else q.set(k, v);
      if (u.href.length <= URL_MAX) return;
      q.delete(k);
      for (var i = 0; i < before.length; i++) q.append(k, before[i]);
    }
    function put(k, v, max) {
      // A list (a form's multi select) is the parameter repeated, one value each (ADR 041).
      if (Object.prototype.toString.call(v) === "[object Array]") {
        q.delete(k);
        for (var j = 0; j < v.length && j < 60; j++) {
          if (fits(v[j], max)) add(k, String(v[j]), true);
        }
        return;
      }
      if (fits(v, max)) add(k, String(v), false);
    }
    var p = (o && o.prefill) || {};
    // The short ones first, the free text last: a long note or answer that no longer fits the
    // address leaves the rest in place.
    put("layout", o && o.layout, LIMITS.layout);
    put("tz", p.timeZone, LIMITS.tz);
    put("date", p.date, LIMITS.date);
    put("month", p.month, LIMITS.month);
    put("location", p.location, LIMITS.location);
    put("phone", p.phone, LIMITS.phone);
    put("name", p.name, LIMITS.name);
    put("email", p.email, LIMITS.email);
    // The embedding page's own utm_* and ref first; what the options say wins.
    try {
      var own = new URLSearchParams(location.search);
      for (var i = 0; i < UTM.length; i++) {
        if (own.get(UTM[i]) && !q.has(UTM[i])) put(UTM[i], own.get(UTM[i]), LIMITS.utm);
      }
    } catch (e) { /* no search */ }
    var utm = (o && o.utm) || {};
    for (var k in utm) {
      if (!Object.prototype.hasOwnProperty.call(utm, k)) continue;
      var name = k === "ref" || k.indexOf("utm_") === 0 ? k : "utm_" + k;
      if (UTM.indexOf(name) >= 0) put(name, utm[k], LIMITS.utm);
    }
    var answers = p.answers || {};
    for (var a in answers) {
      if (Object.prototype.hasOwnProperty.call(answers, a)) {
        put("q_" + a, answers[a], form ? LIMITS.formAnswer : LIMITS.answer);
      }
    }
    // The guest's note; `notes` is Cal.com's spelling, taken as well.
    put("note", p.note !== undefined && p.note !== null ? p.note : p.notes, LIMITS.note);
    return u.href;
  }

  function emit(name, data, frame) {
    var list = handlers[name] || [];
    for (var i = 0; i < list.length; i++) {
      try {
        list[i](data, frame);
      } catch (e) {
        setTimeout(function () { throw e; });
      }
    }
  }

  /*
   * The widget's height at a given width, as its own layout (the booking page's breakpoints at
   * 480, 640, 768 and 1024 px) lays it out: a slot page (an event type) and a list of event types
   * (two, as a new host has). Measured on the widget; tests/e2e/embed.e2e.test.ts checks that
   * the reserved height is the height the widget then reports. Below 1024 px the day's times
   * follow the month, and the height is the most it takes: a full day under a month of six weeks
   * (one in five months, January 2027 in English), so the frame never grows and pushes the page
   * below down; it gives back the row a five-week month does not need. Beside the month (1024
   * px and up) it is a five-week month's: a sixth week adds its row.
   */
  var LAYOUT = {
    slots: [[1024, 386], [768, 946], [640, 1177], [480, 1357], [0, 1357]],
    list: [[640, 193], [480, 282], [0, 306]],
    // A routing form: its questions vary; measured on one of two short questions (386 px).
    form: [[0, 390]],
  };

  function layoutHeight(src, width) {
    var parts = new URL(src).pathname.split("/").filter(Boolean); // widget, user|team|forms, …
    var depth = parts[1] === "team" ? parts.length - 1 : parts.length;
    var rows = parts[1] === "forms" ? LAYOUT.form : depth >= 3 ? LAYOUT.slots : LAYOUT.list;
    for (var i = 0; i < rows.length; i++) if (width >= rows[i][0]) return rows[i][1];
    return 640;
  }

  /** A language tag the widget speaks (its WORDS key), or "". */
  function spoken(tag) {
    var lang = String(tag || "").toLowerCase().split(/[-_]/)[0];
    return WORDS[lang] ? lang : "";
  }

  /**
   * The language of the widget at `src` and of the words around it: its address's `lang` (the
   * embedder's explicit choice), else the embedding page's, else the visitor's browser's (as
   * the widget itself negotiates from Accept-Language); "" when none is one the widget speaks.
   */
  function languageFor(src) {
    try {
      var asked = new URL(src).searchParams.get("lang");
      if (asked) return spoken(asked);
    } catch (e) { /* no address */ }
    if (spoken(document.documentElement.lang)) return document.documentElement.lang;
    var browser = navigator.languages || [navigator.language];
    for (var i = 0; i < browser.length; i++) if (spoken(browser[i])) return browser[i];
    return "";
  }

  /** The words for the widget at `src`, in its language (English when it speaks none). */
  function words(src) {
    return WORDS[spoken(languageFor(src))] || WORDS.en;
  }

  /**
   * The pop-up's widget speaks the words around it: on a German page a visitor whose browser
   * asks for English got "Schließen" around an English widget. The page's language becomes the
   * widget's `lang`; an address that names one keeps it, and a page that names none leaves the
   * widget to the browser's languages, as its words are.
   */
  function inPageLanguage(src) {
    var u = new URL(src);
    var page = document.documentElement.lang;
    if (u.searchParams.has("lang") || !spoken(page)) return u.href;
    var tag = spoken(page);
    try {
      // "de_CH" is no language tag: the widget would not read it and fall back to the browser's.
      tag = Intl.getCanonicalLocales(page.replace(/_/g, "-"))[0] || tag;
    } catch (e) { /* not a tag: its language alone */ }
    u.searchParams.set("lang", tag);
    return u.href;
  }

  function makeFrame(src, title, width, given) {
    var f = document.createElement("iframe");
    f.src = src;
    f.title = title || words(src)[1];
    f.setAttribute("allow", "clipboard-write");
    var h = Number(given) > 0 ? Math.min(Number(given), 6000) : layoutHeight(src, width);
    f.style.cssText = "display:block;width:100%;min-height:200px;height:" + h + "px;border:0;color-scheme:normal";
    frames.push(f);
    return f;
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== origin) return;
    var d = e.data;
    if (!d || typeof d.type !== "string" || d.type.indexOf("invito:") !== 0) return;
    var frame = null;
    for (var i = 0; i < frames.length; i++) if (frames[i].contentWindow === e.source) frame = frames[i];
    if (!frame) return; // only our own iframes are believed
    if (d.type === "invito:close") {
      for (var j = 0; j < closers.length; j++) if (closers[j].frame === frame) closers[j].close();
      return;
    }
    if (d.type === "invito:page_height" || d.type === "invito:resize") {
      if (typeof d.height !== "number" || !isFinite(d.height)) return;
      frame.style.height = Math.min(Math.max(Math.round(d.height), 200), 6000) + "px";
      if (d.type === "invito:resize") return; // its older name: told once, as page_height
    }
    if (d.type === "invito:redirect") {
      // The host lets its thank-you page replace this page; only http(s) addresses are followed.
      var to;
      try {
        to = new URL(d.url);
      } catch (err) {
        return;
      }
      if (to.protocol !== "https:" && to.protocol !== "http:") return;
      emit("redirect", d, frame);
      location.assign(to.href);
      return;
    }
    emit(d.type.slice(7), d, frame);
  });

  /*
   * Mounts a widget into `el`, replacing the one mounted there before (a React effect that runs
   * again with another url), and answers its handle: `frame`, and `destroy()`, which takes the
   * widget away (once; a replaced widget's handle does nothing). `el.__invito` holds the live
   * handle, or false once destroyed (so a data-invito element is not mounted again by itself).
   */
  function mount(el, src, title, height) {
    if (el.__invito) el.__invito.destroy();
    var width = el.getBoundingClientRect().width || el.parentNode && el.parentNode.clientWidth || 0;
    var frame = makeFrame(src, title, width, height);
    el.appendChild(frame);
    var handle = {
      frame: frame,
      destroy: function () {
        if (el.__invito !== handle) return;
        el.__invito = false;
        frames = frames.filter(function (f) { return f !== frame; });
        if (frame.parentNode) frame.parentNode.removeChild(frame);
      },
    };
    el.__invito = handle;
    return handle;
  }

  function mountInline(el) {
    if (el.__invito !== undefined) return;
    var src = widgetUrl(el.getAttribute("data-invito"));
    if (!src) return;
    mount(el, withOptions(src, null), el.getAttribute("data-invito-title"), el.getAttribute("data-invito-height"));
  }

  function inline(options) {
    var o = options || {};
    var el = typeof o.parent === "string" ? document.querySelector(o.parent) : o.parent;
    var src = widgetUrl(o.url);
    if (!el || !src) return null;
    return mount(el, withOptions(src, o), o.title, o.height);
  }

  function on(name, fn) {
    var n = String(name).replace(/^invito:/, "");
    if (EVENTS.indexOf(n) < 0 || typeof fn !== "function") return function () {};
    (handlers[n] = handlers[n] || []).push(fn);
    return function off() {
      handlers[n] = (handlers[n] || []).filter(function (f) { return f !== fn; });
    };
  }

  window.Invito = {
    version: 1,
    inline: inline,
    popup: function (options) {
      openPopup(document.activeElement, options || {});
    },
    on: on,
  };

  function openPopup(button, options) {
    if (open) return;
    var src = options ? widgetUrl(options.url) : widgetUrl(button.getAttribute("data-invito-popup"));
    if (!src) return;
    src = inPageLanguage(withOptions(src, options));
    var attr = function (name) {
      return options ? options[name] : button.getAttribute("data-invito-" + name);
    };
    var said = words(src);
    var overlay = document.createElement("div");
    overlay.setAttribute("data-invito-overlay", "");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483000;background:rgba(15,23,42,.6);display:flex;align-items:center;justify-content:center;padding:16px";
    var dialog = document.createElement("div");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", attr("title") || said[1]);
    dialog.style.cssText =
      "position:relative;width:100%;max-width:960px;max-height:calc(100vh - 32px);overflow:auto;background:#fff;border-radius:12px;box-shadow:0 20px 50px rgba(0,0,0,.3)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", said[0]);
    close.style.cssText =
      "position:absolute;top:6px;right:8px;z-index:1;width:36px;height:36px;border:0;border-radius:18px;background:#f1f5f9;font-size:22px;line-height:1;cursor:pointer";
    var frame = makeFrame(
      src,
      attr("title") || said[1],
      Math.min(960, (window.innerWidth || 960) - 32),
      attr("height")
    );
    // Focus stays in the dialog: Tab past the widget comes back to Close, Shift+Tab before Close
    // goes to the widget; the page behind is inert until it closes.
    var first = edge(function () { frame.focus(); });
    var last = edge(function () { close.focus(); });
    dialog.appendChild(close);
    dialog.appendChild(frame);
    overlay.appendChild(first);
    overlay.appendChild(dialog);
    overlay.appendChild(last);
    var closer = { frame: frame, close: done };
    closers.push(closer);
    var inerted = [];
    function done() {
      document.removeEventListener("keydown", onKey, true);
      overlay.remove();
      for (var i = 0; i < inerted.length; i++) inerted[i].inert = false;
      frames = frames.filter(function (f) { return f !== frame; });
      closers = closers.filter(function (c) { return c !== closer; });
      open = null;
      if (button && button.focus) button.focus();
    }
    function onKey(e) {
      if (e.key === "Escape") done();
    }
    close.addEventListener("click", done);
    overlay.addEventListener("click", function (e) {
      if (e.target === overlay) done();
    });
    document.addEventListener("keydown", onKey, true);
    var behind = document.body.children;
    for (var i = 0; i < behind.length; i++) {
      if (!behind[i].inert) {
        behind[i].inert = true;
        inerted.push(behind[i]);
      }
    }
    document.body.appendChild(overlay);
    open = closer;
    close.focus();
  }

  /** A focusable edge of the dialog that sends focus on (`to`) when it is reached. */
  function edge(to) {
    var el = document.createElement("span");
    el.tabIndex = 0;
    el.style.cssText = "position:fixed;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)";
    el.addEventListener("focus", to);
    return el;
  }

  function scan() {
    var inline = document.querySelectorAll("[data-invito]");
    for (var i = 0; i < inline.length; i++) mountInline(inline[i]);
  }

  // Capture phase: the popup link opens the popup before a site's own router follows the link.
  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("[data-invito-popup]") : null;
    if (!t || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    openPopup(t);
  }, true);

  function watch() {
    scan();
    if (!window.MutationObserver) return;
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) if (records[i].addedNodes.length) return scan();
    }).observe(document.body || document.documentElement, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();

  // For pages that load this script async: wait for this event (or the script's load event).
  try {
    document.dispatchEvent(new Event("invito:ready"));
  } catch (e) { /* very old browsers */ }
})();
