// Mentorbot sandbox page: renders what the chosen person sees in the emulated Slack workspace and
// sends what they do to the sandbox's JSON API, which signs it and delivers it to the real app.
// Every piece of text from the app or from people goes into the page with textContent, never as
// HTML, so nothing typed can run in the page.
"use strict";

const EMOJI = {
  white_check_mark: "✅", tada: "🎉", white_circle: "⚪", sparkles: "✨", raised_hands: "🙌",
  handshake: "🤝", wave: "👋", calendar: "📅", warning: "⚠️", bell: "🔔", star: "⭐",
  thumbsup: "👍", "+1": "👍", heart: "❤️", memo: "📝", clock9: "🕘", hourglass: "⌛",
};
const TEXT_INPUTS = { plain_text_input: "text", email_text_input: "email", url_text_input: "url", number_input: "number" };

const S = {
  user: localStorage.getItem("mentorbot-sandbox-user") || "",
  conversation: "",
  state: null,
  peopleKey: "",
  modalKey: "",
  busy: false,
};

const $ = (id) => document.getElementById(id);
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// -- mrkdwn ----------------------------------------------------------------------------------
function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
}
function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}
function entity(inner, names) {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? "" : inner.slice(bar + 1);
  if (target.startsWith("@")) {
    return el("span", { class: "mention", text: "@" + (names[target.slice(1)] || label || target.slice(1)) });
  }
  if (target.startsWith("#")) return el("span", { class: "mention", text: "#" + (label || target.slice(1)) });
  if (target.startsWith("!subteam^")) return el("span", { class: "mention", text: label || "@group" });
  if (target.startsWith("!date^")) return document.createTextNode(unescapeSlack(label || target));
  if (target.startsWith("!")) return el("span", { class: "mention", text: "@" + target.slice(1) });
  const href = safeUrl(unescapeSlack(target));
  const shown = unescapeSlack(label || target);
  return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: shown }) : document.createTextNode(shown);
}
const INLINE = /(<[^<>\n]+>)|(`[^`\n]+`)|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g;
function inline(text, names) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) out.append(emojify(unescapeSlack(text.slice(last, match.index))));
    if (match[1]) out.append(entity(match[1].slice(1, -1), names));
    else if (match[2]) out.append(el("code", { text: unescapeSlack(match[2].slice(1, -1)) }));
    else if (match[3] !== undefined) out.append(el("strong", {}, inline(match[3], names)));
    else if (match[4] !== undefined) out.append(el("em", {}, inline(match[4], names)));
    else if (match[5] !== undefined) out.append(el("s", {}, inline(match[5], names)));
    last = match.index + match[0].length;
  }
  if (last < text.length) out.append(emojify(unescapeSlack(text.slice(last))));
  return out;
}
function mrkdwn(text, names) {
  const out = document.createDocumentFragment();
  const parts = String(text || "").split("```");
  parts.forEach((part, index) => {
    if (index % 2 === 1) { out.append(el("pre", { text: unescapeSlack(part.replace(/^\n/, "")) })); return; }
    const lines = part.split("\n");
    lines.forEach((line, n) => {
      if (line.startsWith("&gt; ") || line === "&gt;") {
        out.append(el("blockquote", {}, inline(line.replace(/^&gt; ?/, ""), names)));
        return;
      }
      out.append(inline(line, names));
      if (n < lines.length - 1 && !(lines[n + 1] || "").startsWith("&gt;")) out.append("\n");
    });
  });
  return out;
}
function textObject(obj, names) {
  if (!obj) return document.createTextNode("");
  if (typeof obj === "string") return mrkdwn(obj, names);
  if (obj.type === "mrkdwn") return mrkdwn(obj.text, names);
  return document.createTextNode(emojify(String(obj.text || "")));
}
function plain(obj) {
  if (!obj) return "";
  return typeof obj === "string" ? obj : String(obj.text || "");
}

// -- Block Kit -------------------------------------------------------------------------------
// ctx: { names, people, conversation, ts } for a message, or { names, people, viewId, modal } for a view.
function renderBlocks(blocks, ctx) {
  const out = document.createDocumentFragment();
  for (const block of blocks || []) out.append(renderBlock(block, ctx));
  return out;
}
function renderBlock(block, ctx) {
  const names = ctx.names;
  switch (block.type) {
    case "header":
      return el("div", { class: "block header" }, el("h3", { text: plain(block.text) }));
    case "divider":
      return el("hr", { class: "divider" });
    case "section": {
      const body = el("div", { class: "text" }, block.text ? textObject(block.text, names) : null);
      if (block.fields) body.append(el("div", { class: "fields" }, ...block.fields.map((f) => el("div", {}, textObject(f, names)))));
      const node = el("div", { class: "block section", dataset: { blockId: block.block_id || "" } }, body);
      if (block.accessory) node.append(control(block.accessory, block, ctx));
      return node;
    }
    case "context":
      return el("div", { class: "block context" }, ...(block.elements || []).map((e) =>
        e.type === "image" ? el("span", { class: "image-alt", text: `[${e.alt_text || "image"}]` }) : el("span", {}, textObject(e, names))));
    case "actions":
      return el("div", { class: "block actions", dataset: { blockId: block.block_id || "" } },
        ...(block.elements || []).map((e) => control(e, block, ctx)));
    case "input":
      return inputBlock(block, ctx);
    case "image":
      return el("div", { class: "block image-alt", text: `[image: ${block.alt_text || ""}]` });
    case "rich_text":
      return el("div", { class: "block text", text: richText(block.elements || [], names) });
    case "markdown":
      return el("div", { class: "block text" }, mrkdwn(block.text, names));
    default:
      return el("div", { class: "block image-alt", text: `[${block.type}]` });
  }
}
function richText(nodes, names) {
  return nodes.map((node) => {
    if (node.type === "text") return node.text || "";
    if (node.type === "user") return "@" + (names[node.user_id] || node.user_id);
    if (node.type === "link") return node.text || node.url || "";
    if (node.type === "emoji") return EMOJI[node.name] || `:${node.name}:`;
    const inner = richText(node.elements || [], names);
    return node.type === "rich_text_section" || node.type === "rich_text_list" ? inner + "\n" : inner;
  }).join("");
}
function option(o, names, selected) {
  return el("option", { value: o.value, selected }, plain(o.text));
}
function allOptions(element) {
  const found = [...(element.options || [])];
  for (const group of element.option_groups || []) found.push(...(group.options || []));
  return found;
}
function peopleOptions(ctx, chosen) {
  return ctx.people.map((p) => el("option", { value: p.id, selected: chosen.includes(p.id) }, p.name));
}

// An interactive element outside an input block: using it sends block_actions at once.
function control(element, block, ctx) {
  const send = (extra) => sendAction(element, ctx, extra);
  const kind = element.type;
  if (kind === "button" || kind === "workflow_button") {
    const cls = element.style === "primary" ? "primary" : element.style === "danger" ? "danger" : "";
    return el("button", { type: "button", class: cls, dataset: { actionId: element.action_id || "" }, onclick: () => send({ value: element.value }) }, plain(element.text));
  }
  if (kind === "overflow" || kind === "static_select" || kind === "external_select") {
    const select = el("select", { class: kind === "overflow" ? "overflow" : "", dataset: { actionId: element.action_id || "" }, "aria-label": kind === "overflow" ? "More actions" : plain(element.placeholder) || "Choose" },
      el("option", { value: "", selected: !element.initial_option }, kind === "overflow" ? "⋯" : plain(element.placeholder) || "Choose"),
      ...allOptions(element).map((o) => option(o, ctx.names, element.initial_option && element.initial_option.value === o.value)));
    select.addEventListener("change", () => { if (select.value) send({ selected_option: select.value }); });
    return select;
  }
  if (kind === "users_select") {
    const select = el("select", { dataset: { actionId: element.action_id || "" } },
      el("option", { value: "" }, plain(element.placeholder) || "Pick a person"), ...peopleOptions(ctx, [element.initial_user || ""]));
    select.addEventListener("change", () => { if (select.value) send({ selected_user: select.value }); });
    return select;
  }
  if (kind === "datepicker") {
    const input = el("input", { type: "date", value: element.initial_date || "", dataset: { actionId: element.action_id || "" } });
    input.addEventListener("change", () => { if (input.value) send({ selected_date: input.value }); });
    return input;
  }
  if (kind === "image") return el("span", { class: "image-alt", text: `[${element.alt_text || "image"}]` });
  if (kind === "checkboxes" || kind === "radio_buttons") {
    // Read-only outside a form: what is ticked shows, as Slack shows it.
    const chosen = new Set((element.initial_options || [element.initial_option]).filter(Boolean).map((o) => o.value));
    return el("div", {}, ...(element.options || []).map((o) =>
      el("label", { class: "choice" }, el("input", { type: kind === "checkboxes" ? "checkbox" : "radio", checked: chosen.has(o.value), disabled: true }), " ", textObject(o.text, ctx.names))));
  }
  return el("span", { class: "image-alt", text: `[${kind}]` });
}

let fieldCount = 0;
function inputBlock(block, ctx) {
  const element = block.element || {};
  const id = `field-${++fieldCount}`;
  const wrap = el("div", { class: "block input", dataset: { blockId: block.block_id || "", required: block.optional ? "" : "yes" } });
  const label = el("label", { for: id, id: `${id}-label` }, plain(block.label));
  wrap.append(el("div", { class: "label-row" }, label, block.optional ? el("span", { class: "optional", text: " (optional)" }) : null));
  wrap.append(inputControl(element, id, ctx));
  if (block.hint) wrap.append(el("div", { class: "hint" }, textObject(block.hint, ctx.names)));
  wrap.append(el("div", { class: "field-error", role: "alert" }));
  return wrap;
}
function inputControl(element, id, ctx) {
  const kind = element.type;
  const data = { input: kind, actionId: element.action_id || "" };
  if (TEXT_INPUTS[kind]) {
    const props = { id, dataset: data, placeholder: plain(element.placeholder) || null };
    if (element.multiline) return el("textarea", { ...props, text: element.initial_value || "" });
    const input = el("input", { ...props, type: TEXT_INPUTS[kind], value: element.initial_value ?? "" });
    if (kind === "number_input") {
      input.step = element.is_decimal_allowed ? "any" : "1";
      if (element.min_value !== undefined) input.min = element.min_value;
      if (element.max_value !== undefined) input.max = element.max_value;
    }
    return input;
  }
  if (kind === "static_select" || kind === "multi_static_select" || kind === "external_select") {
    const multiple = kind === "multi_static_select";
    const chosen = (multiple ? element.initial_options || [] : [element.initial_option]).filter(Boolean).map((o) => o.value);
    const select = el("select", { id, dataset: data, multiple },
      multiple ? null : el("option", { value: "", selected: chosen.length === 0 }, plain(element.placeholder) || "Choose"),
      ...allOptions(element).map((o) => option(o, ctx.names, chosen.includes(o.value))));
    return select;
  }
  if (kind === "users_select" || kind === "multi_users_select") {
    const multiple = kind === "multi_users_select";
    const chosen = multiple ? element.initial_users || [] : [element.initial_user || ""];
    return el("select", { id, dataset: data, multiple },
      multiple ? null : el("option", { value: "" }, plain(element.placeholder) || "Pick a person"),
      ...peopleOptions(ctx, chosen));
  }
  if (kind === "datepicker") return el("input", { id, type: "date", dataset: data, value: element.initial_date || "" });
  if (kind === "timepicker") return el("input", { id, type: "time", dataset: data, value: element.initial_time || "" });
  if (kind === "checkboxes" || kind === "radio_buttons") {
    const checkbox = kind === "checkboxes";
    const chosen = new Set((checkbox ? element.initial_options || [] : [element.initial_option]).filter(Boolean).map((o) => o.value));
    const group = el("div", { id, dataset: data, role: checkbox ? "group" : "radiogroup", "aria-labelledby": `${id}-label` });
    for (const o of element.options || []) {
      const choice = el("label", { class: "choice" },
        el("input", { type: checkbox ? "checkbox" : "radio", name: id, value: o.value, checked: chosen.has(o.value) }), " ", textObject(o.text, ctx.names));
      if (o.description) choice.append(el("span", { class: "description" }, textObject(o.description, ctx.names)));
      group.append(choice);
    }
    return group;
  }
  return el("span", { id, class: "image-alt", text: `[${kind} is not supported in the sandbox]` });
}

// What the modal's inputs hold now, keyed by action_id, as the API takes them.
function modalValues() {
  const values = {};
  for (const node of $("modal-body").querySelectorAll("[data-input]")) {
    const kind = node.dataset.input;
    const key = node.dataset.actionId;
    if (TEXT_INPUTS[kind]) values[key] = node.value === "" ? null : node.value;
    else if (kind === "datepicker" || kind === "timepicker") values[key] = node.value || null;
    else if (kind === "multi_static_select" || kind === "multi_users_select") values[key] = [...node.selectedOptions].map((o) => o.value);
    else if (kind === "checkboxes") values[key] = [...node.querySelectorAll("input:checked")].map((i) => i.value);
    else if (kind === "radio_buttons") { const picked = node.querySelector("input:checked"); if (picked) values[key] = picked.value; }
    else if (node.tagName === "SELECT" && node.value) values[key] = node.value;
  }
  return values;
}

// Slack itself refuses to send a form whose required inputs are empty; so does the page.
function requiredFilled() {
  const values = modalValues();
  let complete = true;
  for (const wrap of $("modal-body").querySelectorAll(".block.input")) {
    const node = wrap.querySelector("[data-input]");
    if (!node || wrap.dataset.required !== "yes") continue;
    const value = values[node.dataset.actionId];
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    wrap.classList.toggle("has-error", empty);
    wrap.querySelector(".field-error").textContent = empty ? "Please complete this required field." : "";
    complete = complete && !empty;
  }
  const first = $("modal-body").querySelector(".has-error");
  if (first) first.scrollIntoView({ block: "nearest" });
  return complete;
}

// -- talking to the sandbox ------------------------------------------------------------------
async function api(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  let answer = {};
  try { answer = await response.json(); } catch (error) { answer = { ok: false, error: `The sandbox answered ${response.status}.` }; }
  if (!response.ok || !answer.ok) throw new Error(answer.error || `The sandbox answered ${response.status}.`);
  return answer;
}
async function act(path, body, busyText) {
  if (S.busy) return null;
  $("notice").hidden = true;
  setBusy(busyText || true);
  try {
    const answer = await api(path, body);
    await refresh();
    return answer;
  } catch (error) {
    notify(error.message, true);
    await refresh().catch(() => {});
    return null;
  } finally {
    setBusy(null);
  }
}
function sendAction(element, ctx, extra) {
  const body = { user: S.user, action_id: element.action_id, ...extra };
  if (ctx.viewId) { body.view_id = ctx.viewId; if (ctx.modal) body.values = modalValues(); }
  else { body.conversation = ctx.conversation; body.ts = ctx.ts; }
  return act("/api/action", body);
}
function setBusy(text) {
  S.busy = Boolean(text);
  $("busy").hidden = !text || text === true;
  $("busy-text").textContent = typeof text === "string" ? text : "";
  document.body.dataset.busy = S.busy ? "yes" : "no";
  for (const control of document.querySelectorAll(".controls button, #composer input, #composer button, #person")) control.disabled = S.busy;
}
let noticeTimer = null;
function notify(text, error) {
  const box = $("notice");
  box.textContent = text;
  box.className = error ? "notice error" : "notice";
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, error ? 7000 : 4000);
}

async function refresh() {
  const asked = { user: S.user, conversation: S.conversation };
  const response = await fetch(`/api/state?${new URLSearchParams(asked)}`);
  if (!response.ok) return;
  const state = await response.json();
  // An answer to a question asked before the person or the conversation changed is stale.
  if (S.user !== asked.user || S.conversation !== asked.conversation) return;
  const modalOf = (s) => (s && s.modal ? JSON.stringify([s.modal.view.id, s.modal.view.hash, s.modal.errors]) : "");
  const changed = !S.state || state.revision !== S.state.revision || state.user !== S.state.user ||
    state.conversation !== S.state.conversation || modalOf(state) !== modalOf(S.state) ||
    Boolean(state.home) !== Boolean(S.state.home);
  S.state = state;
  S.user = state.user;
  if (S.conversation && !state.conversation) {
    // That conversation is gone (a reset, or another person): back to the Home tab.
    S.conversation = "";
    setTimeout(() => openConversation(""), 0);
  }
  localStorage.setItem("mentorbot-sandbox-user", S.user);
  if (changed) render();
}

// -- the page --------------------------------------------------------------------------------
function render() {
  const state = S.state;
  $("now").textContent = state.now_label;
  renderPeople(state);
  renderSidebar(state);
  renderMain(state);
  renderModal(state);
}
function renderPeople(state) {
  const key = JSON.stringify(state.people.map((p) => [p.id, p.name, p.tags]));
  if (key !== S.peopleKey) {
    S.peopleKey = key;
    $("person").replaceChildren(...state.people.map((p) =>
      el("option", { value: p.id }, p.name + (p.tags.length ? ` · ${p.tags.join(", ")}` : ""))));
  }
  $("person").value = state.user;
}
function renderSidebar(state) {
  const me = state.people.find((p) => p.id === state.user) || { title: "", tags: [] };
  $("person-card").replaceChildren(
    el("div", { class: "title", text: me.title }),
    el("div", {}, ...me.tags.map((t) => el("span", { class: "tag", text: t }))),
    state.local_label ? el("div", { text: `Their time: ${state.local_label}` }) : null);
  $("home-tab").classList.toggle("active", !S.conversation);
  $("conversations").replaceChildren(...state.conversations.map((c) =>
    el("button", { type: "button", class: "nav-item" + (c.id === S.conversation ? " active" : ""), dataset: { conversation: c.id },
      onclick: () => openConversation(c.id) }, c.label)));
  const volunteers = state.people.filter((p) => p.tags.includes("mentor") || p.tags.includes("coach"));
  $("pool-hint").textContent = volunteers.length
    ? `${volunteers.length} volunteer(s) in the pool.`
    : "Nobody has volunteered yet: act as someone and type /mentoring offer, or load the demo data.";
}
function renderMain(state) {
  const feed = $("feed");
  const atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 40;
  const ctx = { names: state.names, people: state.people };
  if (!S.conversation) {
    $("where").textContent = "Home";
    if (!state.home) { feed.replaceChildren(el("p", { class: "empty", text: "Opening the Home tab…" })); return; }
    feed.replaceChildren(el("div", { class: "home-view" }, renderBlocks(state.home.blocks, { ...ctx, viewId: state.home.id })));
    return;
  }
  const where = state.conversations.find((c) => c.id === S.conversation);
  $("where").textContent = where ? where.label : "";
  if (!state.messages.length) {
    feed.replaceChildren(el("p", { class: "empty", text: "Nothing here yet." }));
    return;
  }
  feed.replaceChildren(...state.messages.map((m) => renderMessage(m, { ...ctx, conversation: S.conversation, ts: m.ts })));
  S.stickToBottom = atBottom || S.scrollDown;
  if (S.stickToBottom) { feed.scrollTop = feed.scrollHeight; S.scrollDown = false; }
}
function renderMessage(message, ctx) {
  const node = el("article", { class: "message" + (message.ephemeral ? " ephemeral" : ""), dataset: { ts: message.ts } },
    el("div", { class: "meta" }, el("span", { class: "author", text: message.author }), el("span", { text: message.at }),
      message.ephemeral ? el("span", { class: "only-you", text: " · Only visible to you" }) : null));
  if (message.blocks.length) node.append(renderBlocks(message.blocks, ctx));
  else if (message.text) node.append(el("div", { class: "block section" }, el("div", { class: "text" }, mrkdwn(message.text, ctx.names))));
  for (const file of message.files) {
    const link = el("a", { href: `/api/files/${encodeURIComponent(file.id)}`, target: "_blank", rel: "noopener", text: `📎 ${file.title || file.name}` });
    const box = el("div", { class: "file" }, link);
    if (file.image) {
      const img = el("img", { src: `/api/files/${encodeURIComponent(file.id)}`, alt: file.title || file.name });
      // The picture arrives after the feed was scrolled: keep the newest message in view.
      img.addEventListener("load", () => { if (S.stickToBottom) $("feed").scrollTop = $("feed").scrollHeight; });
      box.append(img);
    }
    node.append(box);
  }
  return node;
}
function renderModal(state) {
  const dialog = $("modal");
  if (!state.modal) {
    S.modalKey = "";
    if (dialog.open) dialog.close();
    return;
  }
  const view = state.modal.view;
  const key = `${view.id}:${view.hash}`;
  if (key !== S.modalKey) {
    S.modalKey = key;
    $("modal-title").textContent = plain(view.title);
    $("modal-body").replaceChildren(renderBlocks(view.blocks, { names: state.names, people: state.people, viewId: view.id, modal: true }));
    $("modal-close").textContent = plain(view.close) || "Cancel";
    $("modal-submit").textContent = plain(view.submit);
    $("modal-submit").hidden = !view.submit;
    dialog.dataset.viewId = view.id;
    if (!dialog.open) dialog.showModal();
  }
  for (const wrap of $("modal-body").querySelectorAll(".block.input")) {
    const message = state.modal.errors[wrap.dataset.blockId] || "";
    wrap.classList.toggle("has-error", Boolean(message));
    wrap.querySelector(".field-error").textContent = message;
  }
  const first = $("modal-body").querySelector(".has-error");
  if (first) first.scrollIntoView({ block: "nearest" });
}

async function openConversation(id) {
  S.conversation = id;
  S.scrollDown = true;
  S.state = null;
  if (!id) await act("/api/home", { user: S.user }, null);
  else await refresh();
}

function wire() {
  $("person").addEventListener("change", () => {
    S.user = $("person").value;
    S.conversation = "";
    S.modalKey = "";
    openConversation("");
  });
  $("home-tab").addEventListener("click", () => openConversation(""));
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    const answer = await act("/api/command", { user: S.user, text, conversation: S.conversation || null }, null);
    if (answer) {
      $("message").value = "";
      if (!S.conversation && !S.state.modal) {
        // A command typed on the Home tab goes to the DM with the app, as in Slack.
        const dm = S.state.conversations.find((c) => c.kind === "im");
        if (dm) await openConversation(dm.id);
      }
    }
  });
  $("modal-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!requiredFilled()) return;
    const viewId = $("modal").dataset.viewId;
    const answer = await act("/api/submit", { user: S.user, view_id: viewId, values: modalValues() }, null);
    if (answer && Object.keys(answer.errors || {}).length) notify("Please check the form.", true);
  });
  $("modal-close").addEventListener("click", () => act("/api/close", { user: S.user, view_id: $("modal").dataset.viewId }, null));
  $("modal").addEventListener("cancel", (event) => {
    event.preventDefault();
    act("/api/close", { user: S.user, view_id: $("modal").dataset.viewId }, null);
  });
  $("plus-day").addEventListener("click", () => travel(1));
  $("plus-week").addEventListener("click", () => travel(7));
  $("reset").addEventListener("click", async () => {
    if (!window.confirm("Start over with an empty workspace? Everything done so far is lost.")) return;
    if (await act("/api/reset", {}, "Starting a fresh workspace…")) { S.modalKey = ""; openConversation(""); notify("A fresh, empty workspace."); }
  });
  $("load-demo").addEventListener("click", async () => {
    if (!window.confirm("Replace everything with the demo program? It takes about 15 seconds.")) return;
    if (await act("/api/demo", {}, "Acting out the demo program (about 15 seconds)…")) { S.modalKey = ""; openConversation(""); notify("The demo program is loaded: try Marcus, Kofi or Dot."); }
  });
  setInterval(() => { if (!S.busy && document.visibilityState === "visible") refresh().catch(() => {}); }, 2000);
}
async function travel(days) {
  const answer = await act("/api/time", { days }, `Moving the clock on ${days === 1 ? "a day" : "a week"}…`);
  if (answer) notify(`${days === 1 ? "A day" : "A week"} went by: ${answer.nudges} nudge(s) sent.`);
}

document.addEventListener("DOMContentLoaded", async () => {
  wire();
  await refresh();
  await openConversation("");
});
