// Map of event locations. Data comes from the JSON API; every label is set as text (never as HTML),
// so place names from scraped pages cannot inject markup. Tiles are optional: without them the markers
// are drawn on a plain background.
"use strict";
(function () {
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { attributionControl: true, worldCopyJump: true }).setView([30, 35], 4);
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: "", maxZoom: 18 }).addTo(map);
    if (el.dataset.attribution) { map.attributionControl.addAttribution(el.dataset.attribution.replace(/[<>&"]/g, "")); }
  }
  function popup(p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("b");
    title.textContent = (p.text || "") + (p.name ? " — " + p.name : "");
    box.appendChild(title);
    var line = document.createElement("span");
    line.textContent = p.n + " · " + (p.types || []).join(", ");
    box.appendChild(line);
    if (p.country) {
      var link = document.createElement("a");
      link.href = el.dataset.eventsUrl + "?country=" + encodeURIComponent(p.country);
      link.textContent = " " + (el.dataset.labelEvents || "events");
      box.appendChild(document.createElement("br"));
      box.appendChild(link);
    }
    return box;
  }
  fetch(el.dataset.api, { headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (points) {
      var bounds = [];
      var peak = Math.max.apply(null, points.map(function (p) { return p.n; }).concat([1]));
      points.forEach(function (p) {
        if (typeof p.lat !== "number" || typeof p.lon !== "number") { return; }
        var marker = L.circleMarker([p.lat, p.lon], {
          radius: 5 + 15 * Math.sqrt(p.n / peak), color: "#7a0f1d", weight: 1, fillColor: "#b2182b", fillOpacity: 0.6
        }).addTo(map);
        marker.bindPopup(popup(p));
        marker.getElement && marker.getElement() && marker.getElement().classList.add("khabar-marker");
        bounds.push([p.lat, p.lon]);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 8 }); }
      el.dataset.markers = String(bounds.length);
    })
    .catch(function (err) { el.dataset.error = String(err); });
})();
