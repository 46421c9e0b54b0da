// The upload: files from the picker or dropped on the zone go up one request each, with a
// progress bar and the server's one-line answer; the calendar is then fetched again. Without
// this script the form posts all files at once and the server answers with a page.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var input = document.getElementById("run-files");
  var zone = document.getElementById("drop-zone");
  var list = document.getElementById("upload-results");

  function line(file) {
    var item = document.createElement("li");
    item.textContent = file.name + ": uploading";
    var bar = document.createElement("progress");
    bar.max = 1; bar.value = 0;
    item.appendChild(bar);
    list.appendChild(item);
    return { item: item, bar: bar };
  }

  function show(shown, result) {
    shown.item.textContent = "";
    shown.item.className = result.ok ? "ok" : "refused";
    if (result.href) {
      var link = document.createElement("a");
      link.href = result.href; link.textContent = result.file;
      shown.item.appendChild(link);
      shown.item.appendChild(document.createTextNode(": " + result.message));
    } else {
      shown.item.textContent = result.file + ": " + result.message;
    }
  }

  function send(file) {
    return new Promise(function (resolve) {
      var shown = line(file);
      var body = new FormData();
      body.append("runs", file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      request.setRequestHeader("Accept", "application/json");
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) { shown.bar.value = event.loaded / event.total; }
      };
      request.onload = function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
        if (answer && answer.results) {
          answer.results.forEach(function (result) { show(shown, result); });
        } else {
          show(shown, { file: file.name, ok: false, message: request.responseText || request.statusText });
        }
        resolve();
      };
      request.onerror = function () {
        show(shown, { file: file.name, ok: false, message: "the server could not be reached" });
        resolve();
      };
      request.send(body);
    });
  }

  function refreshBlock() {
    return fetch(window.location.href, { headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("block");
        var block = document.getElementById("block");
        if (fresh && block) { block.replaceWith(fresh); }
        document.body.dataset.uploaded = String(Number(document.body.dataset.uploaded || 0) + 1);
      });
  }

  function upload(files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return send(file); });
    });
    return chain.then(refreshBlock).then(function () { input.value = ""; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    upload(input.files);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    upload(event.dataTransfer.files);
  });
}());
