// careersite preview: reload when the site was rebuilt (Server-Sent Events from the preview server).
(function () {
  "use strict";
  var me = document.currentScript, seen = me ? me.getAttribute("data-generation") : null;
  var events = new EventSource("/__careersite/events");
  events.onmessage = function (event) { if (event.data !== seen) { location.reload(); } };
})();
