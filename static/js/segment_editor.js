// The segment editor: AND / OR groups of conditions drawn from the registry the page embeds
// (marketing/segments/conditions.py), written back into the form's JSON field, and after each
// change (debounced) the live size of the segment and of its reachable part from the server.
(function () {
  "use strict";
  var dataNode = document.getElementById("segment-editor-data");
  var field = document.getElementById("id_conditions");
  if (!dataNode || !field) return;
  var data = JSON.parse(dataNode.textContent);
  var texts = data.texts;
  var catalog = {};
  data.conditions.forEach(function (condition) { catalog[condition.field] = condition; });
  var tree;
  try {
    tree = JSON.parse(field.value || "{}");
  } catch (error) {
    return; // not JSON: the marketer keeps the raw field and the server says what is wrong
  }
  if (!tree || typeof tree !== "object" || Array.isArray(tree)) tree = {};
  tree.match = tree.match || "all";
  tree.conditions = tree.conditions || [];

  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  var row = field.closest(".form-row") || field.parentNode;
  row.classList.add("segment-json");

  var editor = el("div", "segment-editor");
  var counter = el("div", "segment-count");
  counter.setAttribute("aria-live", "polite");
  var members = el("span", "segment-count-members");
  var reachable = el("span", "segment-count-reachable");
  var channel = el("select", "segment-count-channel");
  channel.setAttribute("aria-label", texts.channel);
  data.channels.forEach(function (pair) { channel.appendChild(option(pair[0], pair[1])); });
  var errors = el("ul", "errorlist segment-errors");
  counter.append(members, " · ", reachable, " ", channel);
  row.parentNode.insertBefore(editor, row);
  editor.before(counter, errors);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function option(value, label, selected) {
    var node = el("option", "", label);
    node.value = value;
    if (selected) node.selected = true;
    return node;
  }

  function labelled(text, control) {
    var label = el("label", "segment-param");
    label.append(el("span", "segment-param-label", text), control);
    return label;
  }

  function button(text, className, onClick) {
    var node = el("button", "button " + className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  // --- Drawing -------------------------------------------------------------------------------

  function draw() {
    editor.replaceChildren(drawGroup(tree, null, 1));
    changed();
  }

  function drawGroup(group, parent, depth) {
    var box = el("fieldset", "segment-group");
    var head = el("div", "segment-group-head");
    var match = el("select", "segment-match");
    match.setAttribute("aria-label", texts.match);
    match.append(option("all", texts.all, group.match === "all"), option("any", texts.any, group.match === "any"));
    match.addEventListener("change", function () { group.match = match.value; changed(); });
    head.append(match);
    if (parent) head.append(button(texts.remove, "segment-remove", function () { removeFrom(parent, group); }));
    box.append(head);
    group.conditions.forEach(function (item) {
      box.append(item.match ? drawGroup(item, group, depth + 1) : drawCondition(item, group));
    });
    var actions = el("div", "segment-actions");
    actions.append(button(texts.addCondition, "segment-add", function () {
      group.conditions.push({ field: data.conditions[0].field });
      draw();
    }));
    if (depth < 3) {
      actions.append(button(texts.addGroup, "segment-add-group", function () {
        group.conditions.push({ match: "any", conditions: [] });
        draw();
      }));
    }
    box.append(actions);
    return box;
  }

  function removeFrom(group, item) {
    group.conditions.splice(group.conditions.indexOf(item), 1);
    draw();
  }

  function drawCondition(item, group) {
    var box = el("div", "segment-condition");
    var kind = el("select", "segment-field");
    kind.setAttribute("aria-label", texts.condition);
    data.conditions.forEach(function (condition) {
      kind.append(option(condition.field, condition.label, condition.field === item.field));
    });
    kind.addEventListener("change", function () {
      Object.keys(item).forEach(function (key) { delete item[key]; });
      item.field = kind.value;
      draw();
    });
    box.append(kind);
    (catalog[item.field] || { params: [] }).params.forEach(function (param) { box.append(drawParam(item, param)); });
    box.append(button(texts.remove, "segment-remove", function () { removeFrom(group, item); }));
    return box;
  }

  function set(item, name, value) {
    if (value === undefined || value === "" || (Array.isArray(value) && !value.length)) delete item[name];
    else item[name] = value;
    changed();
  }

  function drawParam(item, param) {
    var control;
    if (param.kind === "int" || param.kind === "decimal") {
      control = el("input", "segment-number");
      control.type = "number";
      control.min = "0";
      control.step = param.kind === "int" ? "1" : "0.01";
      control.value = item[param.name] === undefined ? "" : item[param.name];
      control.addEventListener("input", function () {
        var value = control.value.trim();
        set(item, param.name, value === "" ? undefined : param.kind === "int" ? Number(value) : value);
      });
    } else if (param.kind === "date") {
      control = el("input", "segment-date");
      control.type = "date";
      control.value = item[param.name] || "";
      control.addEventListener("change", function () { set(item, param.name, control.value); });
    } else if (param.kind === "bool") {
      control = el("input", "segment-bool");
      control.type = "checkbox";
      control.checked = item[param.name] !== false;
      control.addEventListener("change", function () { set(item, param.name, control.checked ? undefined : false); });
    } else if (param.kind === "choice" || param.kind === "id") {
      control = el("select", "segment-choice");
      control.append(option("", "—"));
      var choices = param.kind === "id" ? data.options[param.model] || [] : param.choices;
      choices.forEach(function (pair) { control.append(option(pair[0], pair[1], String(item[param.name]) === String(pair[0]))); });
      control.addEventListener("change", function () {
        set(item, param.name, param.kind === "id" && control.value ? Number(control.value) : control.value);
      });
    } else if (param.kind === "choices") {
      control = el("span", "segment-choices");
      var chosen = item[param.name] || [];
      param.choices.forEach(function (pair) {
        var box = el("input");
        box.type = "checkbox";
        box.value = pair[0];
        box.checked = chosen.indexOf(pair[0]) !== -1;
        box.addEventListener("change", function () {
          set(item, param.name, Array.prototype.map.call(control.querySelectorAll("input:checked"),
            function (input) { return input.value; }));
        });
        var label = el("label", "segment-choice-label");
        label.append(box, " " + pair[1]);
        control.append(label);
      });
    } else if (param.kind === "strings") {
      control = el("input", "segment-strings");
      control.type = "text";
      control.placeholder = texts.commaSeparated;
      control.value = (item[param.name] || []).join(", ");
      control.addEventListener("input", function () {
        set(item, param.name, control.value.split(",").map(function (text) { return text.trim(); })
          .filter(Boolean));
      });
    } else if (param.kind === "ids" && param.model === "product") {
      control = drawProducts(item, param);
    } else if (param.kind === "ids") {
      control = el("select", "segment-ids");
      control.multiple = true;
      var picked = (item[param.name] || []).map(String);
      (data.options[param.model] || []).forEach(function (pair) {
        control.append(option(pair[0], pair[1], picked.indexOf(String(pair[0])) !== -1));
      });
      control.addEventListener("change", function () {
        set(item, param.name, Array.prototype.map.call(control.selectedOptions, function (node) { return Number(node.value); }));
      });
    }
    return labelled(param.label, control);
  }

  function drawProducts(item, param) {
    var box = el("span", "segment-products");
    var chips = el("span", "segment-chips");
    var search = el("input", "segment-product-search");
    search.type = "search";
    search.placeholder = texts.findProduct;
    var results = el("select", "segment-product-results");
    results.hidden = true;
    function drawChips() {
      chips.replaceChildren();
      (item[param.name] || []).forEach(function (pk) {
        var name = (data.options.product || {})[pk] || "#" + pk;
        chips.append(button(name + " ×", "segment-chip", function () {
          set(item, param.name, item[param.name].filter(function (other) { return other !== pk; }));
          drawChips();
        }));
      });
    }
    var pending;
    search.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        if (!search.value.trim()) { results.hidden = true; return; }
        fetch(data.productsUrl + "?q=" + encodeURIComponent(search.value.trim()), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (found) {
            results.replaceChildren(option("", texts.pick));
            found.results.forEach(function (pair) { results.append(option(pair[0], pair[1])); });
            results.hidden = false;
          });
      }, 300);
    });
    results.addEventListener("change", function () {
      var pk = Number(results.value);
      if (!pk) return;
      data.options.product = data.options.product || {};
      data.options.product[pk] = results.selectedOptions[0].textContent;
      var chosen = (item[param.name] || []).slice();
      if (chosen.indexOf(pk) === -1) chosen.push(pk);
      set(item, param.name, chosen);
      drawChips();
    });
    drawChips();
    box.append(chips, search, results);
    return box;
  }

  // --- Counting --------------------------------------------------------------------------------

  var timer;
  var inFlight;
  var asked = 0;

  function changed() {
    field.value = JSON.stringify(tree);
    counter.classList.add("segment-count-stale");
    window.clearTimeout(timer);
    timer = window.setTimeout(count, 400);
  }

  function count() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    var mine = ++asked;
    fetch(data.countUrl, {
      method: "POST",
      credentials: "same-origin",
      signal: inFlight.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({ conditions: tree, channel: channel.value, segment: data.segmentId }),
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (answer) {
        if (mine !== asked) return;
        var body = answer[1];
        errors.replaceChildren();
        if (!answer[0]) {
          (body.errors || [texts.failed]).forEach(function (message) { errors.append(el("li", "", message)); });
          return;
        }
        counter.classList.remove("segment-count-stale");
        members.textContent = texts.members.replace("%s", number.format(body.members));
        reachable.textContent = texts.reachable.replace("%s", number.format(body.reachable));
        counter.dataset.members = body.members;
        counter.dataset.reachable = body.reachable;
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && mine === asked) errors.replaceChildren(el("li", "", texts.failed));
      });
  }

  channel.addEventListener("change", count);
  draw();
})();
