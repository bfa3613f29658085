// The programme page, made live: results as you type (debounced), filters that apply when
// ticked, and "More talks" appended in place. Every action is a plain link or form first:
// this script only fetches the same server-rendered page and swaps its regions in, so the
// page works the same without it (ADR 078).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var region = document.getElementById("results-region");
  if (!form || !region) return;
  var input = form.querySelector('input[name="q"]');
  var DEBOUNCE_MS = 250;
  var timer = null;
  var inflight = null;

  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name === "q" && !String(value).trim()) return;
      params.append(name, String(value));
    });
    var query = params.toString();
    return "/" + (query ? "?" + query : "");
  }

  function fetchPage(url) {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    document.body.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "text/html" }, signal: inflight.signal })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        document.body.removeAttribute("aria-busy");
        return new DOMParser().parseFromString(html, "text/html");
      });
  }

  function swap(id, doc) {
    var mine = document.getElementById(id);
    var theirs = doc.getElementById(id);
    if (mine && theirs) mine.replaceWith(theirs);
    return theirs;
  }

  function refresh() {
    var url = formUrl();
    var focused = document.activeElement;
    var facet = focused && focused.closest ? focused.closest("[data-facet]") : null;
    fetchPage(url).then(function (doc) {
      history.replaceState(null, "", url);
      // The live region itself stays (screen readers announce changes inside it).
      var fresh = doc.getElementById("results-region");
      if (fresh) region.innerHTML = fresh.innerHTML;
      swap("facets", doc);
      if (facet) {
        var selector = '[data-facet="' + CSS.escape(facet.dataset.facet) + '"][data-value="' +
          CSS.escape(facet.dataset.value) + '"] input';
        var again = document.querySelector(selector);
        if (again) again.focus();
      }
      document.title = doc.title;
    }).catch(function (error) {
      if (error.name !== "AbortError") document.body.removeAttribute("aria-busy");
    });
  }

  function more(link) {
    fetchPage(link.href).then(function (doc) {
      var list = document.getElementById("results");
      var added = Array.prototype.slice.call(doc.querySelectorAll("#results > li"));
      added.forEach(function (item) { list.appendChild(item); });
      swap("paging", doc);
      var shown = document.getElementById("summary");
      var total = doc.getElementById("summary");
      if (shown && total) shown.textContent = total.textContent.replace(/showing \d+/, "showing 1");
      var first = added.length ? added[0].querySelector("a") : null;
      if (first) first.focus();
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
  document.addEventListener("change", function (event) {
    if (event.target.form === form && event.target.type === "checkbox") refresh();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-more]") : null;
    if (!link) return;
    event.preventDefault();
    more(link);
  });
})();
