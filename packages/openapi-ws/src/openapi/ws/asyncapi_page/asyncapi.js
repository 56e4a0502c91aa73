// The AsyncAPI docs page of openapi.ws: renders the document served beside it.
// Plain DOM, no framework, nothing fetched but the document; text never becomes HTML.
"use strict";

(function () {
  const root = document.getElementById("asyncapi");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function resolve(doc, ref) {
    // a local JSON Pointer: "#/channels/stream/messages/echo.request"
    let node = doc;
    for (const token of ref.replace(/^#\//, "").split("/")) {
      node = node && node[token.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return node;
  }

  function refName(ref) {
    return ref.split("/").pop().replace(/~1/g, "/").replace(/~0/g, "~");
  }

  function typeOf(schema) {
    if (!schema || typeof schema !== "object" || Object.keys(schema).length === 0) return "any";
    if (schema.$ref) return refName(schema.$ref);
    if ("const" in schema) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
    if (schema.anyOf || schema.oneOf) return (schema.anyOf || schema.oneOf).map(typeOf).join(" | ");
    const types = Array.isArray(schema.type) ? schema.type : [schema.type || "object"];
    return types
      .map((t) => (t === "array" && schema.items ? `array of ${typeOf(schema.items)}` : t))
      .join(" | ");
  }

  const CONSTRAINTS = [
    "format", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "default",
  ];

  function typeCell(schema) {
    const cell = el("span", { class: "type" });
    if (schema && schema.$ref) {
      cell.append(el("a", { href: `#schema-${refName(schema.$ref)}`, text: refName(schema.$ref) }));
    } else {
      cell.textContent = typeOf(schema);
    }
    return cell;
  }

  function nested(schema) {
    // the object inside: properties of an inline object, of array items, of anyOf options
    if (!schema || schema.$ref) return null;
    if (schema.properties) return renderSchema(schema);
    if (schema.items && schema.items.properties) return renderSchema(schema.items);
    return null;
  }

  function renderSchema(schema) {
    const box = el("div", { class: "schema" });
    if (!schema || !schema.properties) {
      box.append(el("p", { class: "schema-type" }, typeCell(schema)));
      return box;
    }
    if (schema.description) box.append(el("p", { class: "description", text: schema.description }));
    const table = el("table", { class: "properties" });
    const required = new Set(schema.required || []);
    for (const [name, property] of Object.entries(schema.properties)) {
      const details = el("td", { class: "details" });
      if (property.description) details.append(el("div", { text: property.description }));
      const limits = CONSTRAINTS.filter((key) => key in property)
        .map((key) => `${key}: ${JSON.stringify(property[key])}`);
      if (limits.length) details.append(el("div", { class: "constraints", text: limits.join(", ") }));
      const inner = nested(property);
      if (inner) details.append(inner);
      table.append(
        el("tr", {},
          el("td", { class: "property-name" },
            el("code", { text: name }),
            required.has(name) ? el("span", { class: "required", text: " required" }) : null),
          el("td", {}, typeCell(property)),
          details)
      );
    }
    box.append(table);
    if (schema.additionalProperties === false) {
      box.append(el("p", { class: "closed", text: "No other properties." }));
    }
    return box;
  }

  function renderMessage(doc, ref) {
    const message = resolve(doc, ref.$ref) || {};
    const box = el("div", { class: "message", id: `message-${refName(ref.$ref)}` });
    box.append(el("h4", {},
      el("code", { class: "message-name", text: message.name || refName(ref.$ref) }),
      message.title ? el("span", { class: "message-title", text: ` ${message.title}` }) : null));
    if (message.summary) box.append(el("p", { class: "summary", text: message.summary }));
    if (message.description) box.append(el("p", { class: "description", text: message.description }));
    box.append(el("div", { class: "payload-label", text: "Payload" }), renderSchema(message.payload));
    return box;
  }

  // AsyncAPI speaks for the server: "receive" is what a client sends
  const ACTIONS = { receive: "client sends", send: "server sends" };

  function renderOperation(doc, id, operation) {
    const box = el("section", { class: `operation ${operation.action}`, id: `operation-${id}` });
    box.append(el("h3", {},
      el("span", { class: "action", text: ACTIONS[operation.action] || operation.action }),
      el("span", { class: "operation-title", text: operation.title || id }),
      el("code", { class: "operation-id", text: id })));
    if (operation.summary) box.append(el("p", { class: "summary", text: operation.summary }));
    if (operation.description) box.append(el("p", { class: "description", text: operation.description }));
    if (operation.security && operation.security.length) {
      const names = operation.security.map((s) => (s.$ref ? refName(s.$ref) : s.type));
      box.append(el("p", { class: "security", text: `Security: ${names.join(", ")}` }));
    }
    for (const ref of operation.messages || []) box.append(renderMessage(doc, ref));
    if (operation.reply && operation.reply.messages) {
      const names = operation.reply.messages.map((ref) => refName(ref.$ref));
      box.append(el("p", { class: "reply", text: `Answered by: ${names.join(", ")}` }));
    }
    return box;
  }

  function render(doc) {
    const info = doc.info || {};
    root.replaceChildren();
    root.append(el("header", {},
      el("h1", {}, el("span", { class: "title", text: info.title || "AsyncAPI" }),
        el("span", { class: "version", text: ` ${info.version || ""}` })),
      el("p", { class: "asyncapi-version", text: `AsyncAPI ${doc.asyncapi}` }),
      info.description ? el("p", { class: "description", text: info.description }) : null));
    const operations = Object.entries(doc.operations || {});
    for (const [channelId, channel] of Object.entries(doc.channels || {})) {
      const section = el("section", { class: "channel", id: `channel-${channelId}` });
      section.append(el("h2", {},
        el("code", { class: "channel-address", text: channel.address || channelId }),
        el("span", { class: "channel-title", text: ` ${channel.title || ""}` })));
      if (channel.summary) section.append(el("p", { class: "summary", text: channel.summary }));
      if (channel.description) section.append(el("p", { class: "description", text: channel.description }));
      for (const [id, operation] of operations) {
        if (operation.channel && operation.channel.$ref === `#/channels/${channelId}`) {
          section.append(renderOperation(doc, id, operation));
        }
      }
      root.append(section);
    }
    const components = (doc.components && doc.components.schemas) || {};
    const schemas = el("section", { id: "components" }, el("h2", { text: "Schemas" }));
    for (const [name, schema] of Object.entries(components)) {
      schemas.append(el("div", { class: "component", id: `schema-${name}` },
        el("h3", {}, el("code", { text: name })), renderSchema(schema)));
    }
    root.append(schemas);
    const schemes = (doc.components && doc.components.securitySchemes) || {};
    if (Object.keys(schemes).length) {
      const security = el("section", { id: "security" }, el("h2", { text: "Security schemes" }));
      for (const [name, scheme] of Object.entries(schemes)) {
        const where = scheme.name ? ` (${scheme.in} ${scheme.name})` : "";
        security.append(el("p", {}, el("code", { text: name }),
          el("span", { text: `: ${scheme.type}${where} ${scheme.description || ""}` })));
      }
      root.append(security);
    }
    root.dataset.rendered = "true";
  }

  fetch(root.dataset.document, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      return response.json();
    })
    .then(render)
    .catch((error) => {
      root.replaceChildren(el("p", { class: "failure", text: `Cannot load the document: ${error}` }));
    });
})();
