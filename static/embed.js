/*!
 * Invito embed: put Invito's booking widget on any site.
 *
 *   Inline:  <div data-invito="/widget/USER/EVENT"></div>
 *   Popup:   <button type="button" data-invito-popup="/widget/USER/EVENT">Book a call</button>
 *            <script src="https://YOUR-INVITO/embed.js" async></script>
 *
 * The iframe grows with its content: the widget posts its height, and only messages from the
 * Invito origin, sent by one of our own iframes, are believed.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__invitoEmbed) return;
  window.__invitoEmbed = true;
  var origin = new URL(script.src, location.href).origin;
  var frames = [];
  var closers = [];

  function widgetUrl(path) {
    try {
      var u = new URL(path, origin);
      if (u.origin !== origin || u.pathname.indexOf("/widget/") !== 0) return null;
      return u.href;
    } catch (e) {
      return null;
    }
  }

  function makeFrame(src, title) {
    var f = document.createElement("iframe");
    f.src = src;
    f.title = title || "Book a time";
    f.loading = "lazy";
    f.setAttribute("allow", "clipboard-write");
    f.style.cssText = "display:block;width:100%;min-height:320px;height:640px;border:0;color-scheme:normal";
    frames.push(f);
    return f;
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== origin) return;
    var d = e.data;
    if (d && d.type === "invito:close") {
      for (var j = 0; j < closers.length; j++) if (closers[j].frame.contentWindow === e.source) closers[j].close();
      return;
    }
    if (!d || d.type !== "invito:resize" || typeof d.height !== "number" || !isFinite(d.height)) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) {
        frames[i].style.height = Math.min(Math.max(Math.round(d.height), 200), 6000) + "px";
      }
    }
  });

  function mountInline(el) {
    if (el.__invito) return;
    var src = widgetUrl(el.getAttribute("data-invito"));
    if (!src) return;
    el.__invito = true;
    el.appendChild(makeFrame(src, el.getAttribute("data-invito-title")));
  }

  function openPopup(button) {
    var src = widgetUrl(button.getAttribute("data-invito-popup"));
    if (!src) return;
    var overlay = document.createElement("div");
    overlay.setAttribute("data-invito-overlay", "");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483000;background:rgba(15,23,42,.6);display:flex;align-items:center;justify-content:center;padding:16px";
    var dialog = document.createElement("div");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", button.getAttribute("data-invito-title") || "Book a time");
    dialog.style.cssText =
      "position:relative;width:100%;max-width:960px;max-height:calc(100vh - 32px);overflow:auto;background:#fff;border-radius:12px;box-shadow:0 20px 50px rgba(0,0,0,.3)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    close.style.cssText =
      "position:absolute;top:6px;right:8px;z-index:1;width:36px;height:36px;border:0;border-radius:18px;background:#f1f5f9;font-size:22px;line-height:1;cursor:pointer";
    var frame = makeFrame(src, button.getAttribute("data-invito-title"));
    dialog.appendChild(close);
    dialog.appendChild(frame);
    overlay.appendChild(dialog);
    var closer = { frame: frame, close: done };
    closers.push(closer);
    function done() {
      document.removeEventListener("keydown", onKey, true);
      overlay.remove();
      frames = frames.filter(function (f) { return f !== frame; });
      closers = closers.filter(function (c) { return c !== closer; });
      button.focus();
    }
    function onKey(e) {
      if (e.key === "Escape") done();
    }
    close.addEventListener("click", done);
    overlay.addEventListener("click", function (e) {
      if (e.target === overlay) done();
    });
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(overlay);
    close.focus();
  }

  function scan() {
    var inline = document.querySelectorAll("[data-invito]");
    for (var i = 0; i < inline.length; i++) mountInline(inline[i]);
  }

  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("[data-invito-popup]") : null;
    if (!t) return;
    e.preventDefault();
    openPopup(t);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
