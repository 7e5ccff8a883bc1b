/* The activity form shows the location (city, state, country) only where it applies:
   for an activity delivered in person, or one whose location is already filled in. */
(function () {
  "use strict";
  var delivery = document.getElementById("delivery_methods");
  if (!delivery) { return; }
  var ids = ["city", "state", "country"];

  function rowOf(id) {
    var input = document.getElementById(id);
    return input ? input.closest("tr") : null;
  }

  function inPerson() {
    return Array.prototype.some.call(delivery.options, function (option) {
      return option.selected && option.value === "In-Person";
    });
  }

  function filledIn() {
    return ids.some(function (id) {
      var input = document.getElementById(id);
      return input && input.value;
    });
  }

  function update() {
    var show = inPerson() || filledIn();
    ids.forEach(function (id) {
      var row = rowOf(id);
      if (row) { row.hidden = !show; }
    });
  }

  delivery.addEventListener("change", update);
  if (window.jQuery) { window.jQuery(delivery).on("change", update); }
  update();
}());
