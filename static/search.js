// Home page search and filters. The state lives in the URL (?q=&category=&location=) so a filtered
// view can be shared and survives reload and the back button. Category and location filter the cards
// already on the page; a keyword query loads the Pagefind index (only then) and lists its results.
// Without JavaScript the form stays hidden and the full listing is the page.
(function () {
  "use strict";
  var form = document.querySelector("form.finder");
  if (!form || !window.URLSearchParams || !history.replaceState) { return; }
  var q = form.elements.q, category = form.elements.category, location_ = form.elements.location;
  var status = document.querySelector(".finder-status");
  var results = document.querySelector(".finder-results");
  var list = results.querySelector(".cards");
  var more = results.querySelector(".finder-more");
  var groups = Array.prototype.slice.call(document.querySelectorAll(".category-group"));
  var nav = document.querySelector(".category-nav");
  var PAGE = 20;
  var pagefind = null, loading = null, pending = [], generation = 0, timer = 0;

  function text(template, n) { return template.replace("{n}", n); }
  function say(message) { status.textContent = message; }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    category.value = params.get("category") || "";
    if (category.value !== (params.get("category") || "")) { category.value = ""; }
    location_.value = params.get("location") || "";
    if (location_.value !== (params.get("location") || "")) { location_.value = ""; }
  }

  function writeUrl(push) {
    var params = new URLSearchParams();
    if (q.value.trim()) { params.set("q", q.value.trim()); }
    if (category.value) { params.set("category", category.value); }
    if (location_.value) { params.set("location", location_.value); }
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + (query ? "" : location.hash);
    if (url === location.pathname + location.search + (query ? "" : location.hash)) { return; }
    history[push ? "pushState" : "replaceState"](null, "", url);
  }

  function loadIndex() {
    if (!loading) {
      loading = import(form.getAttribute("data-index")).then(function (module) {
        pagefind = module;
        return module.options({ baseUrl: form.getAttribute("data-base") }).then(function () { return module; });
      });
    }
    return loading;
  }

  // Filters on the cards the page already has (no query typed).
  function filterCards(words) {
    var shown = 0;
    groups.forEach(function (group) {
      var inCategory = !category.value || group.id === category.value;
      var visible = 0;
      group.querySelectorAll(".card").forEach(function (card) {
        var places = (card.getAttribute("data-locations") || "").split("|");
        var ok = inCategory && (!location_.value || places.indexOf(location_.value) >= 0);
        if (ok && words) {
          var hay = card.textContent.toLowerCase() + " " + group.querySelector("h2").textContent.toLowerCase();
          ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        }
        card.hidden = !ok;
        if (ok) { visible += 1; }
      });
      var truncated = group.querySelector(".view-all") !== null;
      group.hidden = !inCategory || (visible === 0 && !truncated && (location_.value || words));
      shown += visible;
    });
    return shown;
  }

  function resetCards() {
    groups.forEach(function (group) {
      group.hidden = false;
      group.querySelectorAll(".card").forEach(function (card) { card.hidden = false; });
    });
  }

  function card(data) {
    var li = document.createElement("li");
    li.className = "card";
    var h = document.createElement("h3");
    h.className = "card-title";
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = data.meta.title || data.url;
    h.appendChild(a);
    li.appendChild(h);
    if (data.meta.code) {
      var code = document.createElement("p");
      code.className = "card-code";
      code.textContent = form.getAttribute("data-code") + " " + data.meta.code;
      li.appendChild(code);
    }
    var facts = document.createElement("ul");
    facts.className = "card-facts";
    [data.meta.category, data.meta.location, data.meta.closes ? form.getAttribute("data-closes") + " " + data.meta.closes : ""]
      .forEach(function (value) {
        if (!value) { return; }
        var item = document.createElement("li");
        item.textContent = value;
        facts.appendChild(item);
      });
    li.appendChild(facts);
    if (data.excerpt) {
      var excerpt = document.createElement("p");
      excerpt.className = "card-excerpt";
      excerpt.innerHTML = data.excerpt; // Pagefind escapes page text; only <mark> is markup
      li.appendChild(excerpt);
    }
    return li;
  }

  function showMore(mine) {
    var batch = pending.splice(0, PAGE);
    more.hidden = true;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      if (mine !== generation) { return; }
      items.forEach(function (data) { list.appendChild(card(data)); });
      more.hidden = pending.length === 0;
    });
  }

  function setSearchMode(on) {
    results.hidden = !on;
    if (nav) { nav.hidden = on; }
    if (on) { groups.forEach(function (g) { g.hidden = true; }); }
  }

  function apply() {
    var mine = ++generation;
    var query = q.value.trim();
    form.removeAttribute("data-ready"); // set again when this view is complete (tests wait for it)
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    // A filter on a listing that shows only the first positions of a category ("view all") needs the
    // index to be complete; on a listing that shows everything, the cards are enough.
    var partial = location_.value && groups.some(function (g) {
      return g.querySelector(".view-all") && (!category.value || g.id === category.value);
    }) || category.value && document.getElementById(category.value) &&
      document.getElementById(category.value).querySelector(".view-all");
    if (!query && !partial) {
      setSearchMode(false);
      list.textContent = "";
      pending = [];
      if (!category.value && !location_.value) {
        resetCards();
        say("");
      } else {
        var n = filterCards(null);
        say(n ? text(form.getAttribute("data-found"), n) : form.getAttribute("data-none"));
      }
      form.setAttribute("data-ready", "");
      return Promise.resolve();
    }
    var filters = {};
    if (category.value) { filters.category = category.value; }
    if (location_.value) { filters.location = location_.value; }
    return loadIndex().then(function (module) {
      return module.search(query || null, { filters: filters });
    }).then(function (search) {
      if (mine !== generation || !search) { return; }
      setSearchMode(true);
      list.textContent = "";
      pending = search.results.slice();
      say(pending.length ? text(form.getAttribute("data-found"), pending.length) : form.getAttribute("data-none"));
      return showMore(mine);
    }, function () {
      // No index (a build without Pagefind, or a file:// preview): search the cards on the page.
      if (mine !== generation) { return; }
      setSearchMode(false);
      var n = filterCards(words.length ? words : null);
      say(form.getAttribute("data-unavailable") + " " +
          (n ? text(form.getAttribute("data-found"), n) : form.getAttribute("data-none")));
    }).then(function () {
      if (mine === generation) { form.setAttribute("data-ready", query); }
    });
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    writeUrl(true);
    apply();
  });
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { writeUrl(false); apply(); }, 250);
  });
  [category, location_].forEach(function (select) {
    select.addEventListener("change", function () { writeUrl(true); apply(); });
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { writeUrl(true); apply(); }, 0);
  });
  more.addEventListener("click", function () { showMore(generation); });
  window.addEventListener("popstate", function () { readUrl(); apply(); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) { readUrl(); apply(); } });
  readUrl();
  if (q.value || category.value || location_.value) { apply(); }
})();
