/* Pickers (issue 25, point 7): the people picker of HR's cycle form and the training-need picker of the learning
   pages work without a script (pages/_picker_form.html: Enter in a field presses the form's main button, Enter in
   the search box searches; Search and Add send the form, which comes back as typed). With this script:
   - the matches follow the search box as one types: the form is sent with the query as its Search button would
     send it (nothing is saved by that) and the picker's matches are taken from the page that comes back;
   - Enter in the search box and its Search button search in place, so nothing typed in the form is lost;
   - a person's "Add" lists them at once, without reloading the page. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData) { return; }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
    var form = picker.closest("form");
    var query = picker.querySelector("[data-picker-query]");
    var matches = picker.querySelector("[data-picker-matches]");
    var search = picker.querySelector(".picker-search button[type=submit]");
    var shown = picker.querySelector("[data-picker-shown]");
    if (!form || !query || !matches || !search) { return; }
    var asked = 0;

    function refresh(e) {
      var pressed = e && e.type !== "input";  // Enter or Search, not typing
      var mine = ++asked;
      var data = new FormData(form);
      data.set(query.name, query.value);
      data.set(search.name, search.value);
      if (shown) { shown.value = query.value; }
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
      }).then(function (resp) { return resp.ok ? resp.text() : null; }).then(function (html) {
        if (html === null || mine !== asked) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-picker='" + picker.getAttribute("data-picker") + "'] [data-picker-matches]");
        if (fresh) { matches.innerHTML = fresh.innerHTML; }
      }).catch(function () {
        if (pressed && form.requestSubmit) { form.requestSubmit(search); }  // as without the script: Search sends the form
      });
    }

    query.addEventListener("input", debounce(refresh, 300));
    query.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); refresh(e); }
    });
    search.addEventListener("click", function (e) { e.preventDefault(); refresh(e); });

    // People: "Add" lists the person here (the same ticked box the page would draw), then says so.
    matches.addEventListener("click", function (e) {
      var add = e.target.closest("button[name=add_person]");
      if (!add) { return; }
      e.preventDefault();
      var list = picker.querySelector("[data-picked]");
      if (!list) {
        list = document.createElement("ul");
        list.className = "plain picked";
        list.setAttribute("data-picked", "");
        var none = picker.querySelector("[data-picked-none]");
        if (none) { none.replaceWith(list); } else { picker.insertBefore(list, picker.querySelector(".picker-search")); }
      }
      var who = add.closest("li").querySelector(".who");
      var item = document.createElement("li");
      var label = document.createElement("label");
      label.className = "choice";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "employee_ids";
      box.value = add.value;
      box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(who.cloneNode(true));
      item.appendChild(label);
      list.appendChild(item);
      var listed = document.createElement("span");
      listed.className = "pill";
      listed.textContent = "Listed";
      add.replaceWith(listed);
      var mode = form.querySelector("input[name=participant_mode][value=list]");
      if (mode) { mode.checked = true; }
      var count = matches.querySelector(".found-count");
      if (count) { count.textContent = who.querySelector("strong").textContent + " added to the people listed."; }
    });
  });
})();
