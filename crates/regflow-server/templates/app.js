// Live alerts on the workbench: Server-Sent Events from /staff/alerts (the session cookie
// authenticates the stream); and a warning before a form is sent without a key material
// (要件). Everything else on these pages works without JavaScript.
(function () {
  var forms = document.querySelectorAll("form[data-warn]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (e) {
      var left = form.querySelectorAll("input[name=materials][data-key]:not(:checked)");
      if (!left.length) return;
      var names = Array.prototype.map.call(left, function (box) { return box.getAttribute("data-key"); });
      if (!window.confirm(form.getAttribute("data-warn").replace("{missing}", names.join("、")))) {
        e.preventDefault();
      }
    });
  });
  // Signing in from a deep link returns to it (the server checks it is a path of this site).
  var here = document.querySelector("input[name=next][data-here]");
  if (here && location.pathname !== "/login") here.value = location.pathname + location.search;

  // A public kiosk goes back to its start screen by itself after an answer.
  var back = document.getElementById("return");
  if (back) {
    var left = parseInt(back.getAttribute("data-seconds"), 10) || 30;
    var shown = back.querySelector("span");
    var timer = window.setInterval(function () {
      left -= 1;
      if (shown) shown.textContent = String(left);
      if (left <= 0) { window.clearInterval(timer); window.location.replace("/kiosk"); }
    }, 1000);
  }

  // A command that ends a case against the applicant asks first.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();

(function () {
  var list = document.getElementById("alerts");
  if (!list || !window.EventSource) return;
  var source = new EventSource(list.getAttribute("data-source"));
  source.addEventListener("alert", function (e) {
    var a = JSON.parse(e.data);
    var hint = list.querySelector(".hint");
    if (hint) hint.remove();
    var li = document.createElement("li");
    if (a.type !== "deadline") {
      // A notice to the centre's staff (上报逾期, 已登簿未上报, 超额上报).
      var names = {report_overdue: "上报逾期未获接收", unreported_entries: "已登簿未上报",
                   excess_reports: "接收数超过登簿数"};
      li.textContent = (names[a.type] || a.type) + "（" + a.at + "）：" + a.subject;
      li.className = "alert-notice";
      list.insertBefore(li, list.firstChild);
      return;
    }
    var link = document.createElement("a");
    link.href = a.case_url;
    link.textContent = a.case;
    var level = a.level === "breach" ? "已超期" : "即将到期";
    var clock = a.clock === "promise" ? "承诺时限" : "法定时限";
    li.appendChild(document.createTextNode(clock + level + "（" + a.due_at + "）："));
    li.appendChild(link);
    li.className = "alert-" + a.level;
    list.insertBefore(li, list.firstChild);
  });
})();
