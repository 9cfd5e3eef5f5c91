// The page's script: asks over POST /api/ask and reads the Server-Sent Events as they arrive.
// Text from the model goes in with textContent; the only HTML is the server's escaped rendering.
"use strict";
const $ = (id) => document.getElementById(id);

async function info() {
  const r = await fetch("/api/info");
  const d = await r.json();
  $("provider").textContent = `${d.provider}/${d.model}`;
  $("cost").textContent = `$${d.spent_usd.toFixed(6)}`;
  $("tokens").textContent = d.tokens_left;
}

function parse(block) {
  let event = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  return data ? [event, JSON.parse(data)] : null;
}

async function showPassage(id) {
  const r = await fetch(`/api/passage?id=${encodeURIComponent(id)}`);
  const d = await r.json();
  $("passage").hidden = false;
  $("passage-title").textContent = r.ok ? `${d.title} (${d.id})` : "not found";
  $("passage-text").textContent = r.ok ? d.text : d.error;
}

function wireCitations() {
  for (const a of document.querySelectorAll("a.cite")) {
    a.addEventListener("click", (e) => { e.preventDefault(); showPassage(a.dataset.id); });
  }
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  $("answer").textContent = ""; $("sources").textContent = ""; $("status").textContent = "";
  $("send").disabled = true;
  try {
    const r = await fetch("/api/ask", {method: "POST", headers: {"Content-Type": "application/json"},
                                       body: JSON.stringify({question})});
    if (!r.ok) { $("status").textContent = (await r.json()).error; return; }
    const reader = r.body.getReader(); const decoder = new TextDecoder(); let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true});
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const parsed = parse(buffer.slice(0, cut)); buffer = buffer.slice(cut + 2);
        if (!parsed) continue;
        const [name, data] = parsed;
        if (name === "token") $("answer").append(document.createTextNode(data.text));
        else if (name === "error") $("status").textContent = data.error;
        else if (name === "done") {
          $("answer").innerHTML = data.html;  // escaped by the server's render_answer
          $("answer").dataset.done = "1";
          wireCitations();
          $("cost").textContent = `$${data.spent_usd.toFixed(6)}`;
          $("tokens").textContent = data.tokens_left;
        }
      }
    }
  } catch (e) {
    $("status").textContent = `the connection failed: ${e}`;
  } finally {
    $("send").disabled = false;
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const form = new FormData(); form.append("file", file);
  $("upload-status").textContent = "uploading…";
  const r = await fetch("/api/upload", {method: "POST", body: form});
  const d = await r.json();
  $("upload-status").textContent = r.ok ? `added ${d.source} (${d.chunks} passages)` : `refused: ${d.error}`;
  $("upload-status").dataset.ok = r.ok ? "1" : "0";
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask").addEventListener("submit", ask);
  $("upload").addEventListener("submit", upload);
  info();
});
