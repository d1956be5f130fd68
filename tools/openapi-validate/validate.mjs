#!/usr/bin/env node
// Validates one OpenAPI document (JSON or YAML file) against the official OpenAPI JSON Schema
// for its declared version (3.0.x / 3.1.x) and resolves every $ref. Exit 0 when valid; exit 1
// with the validator's errors on stderr when not; exit 2 on usage or I/O errors. Used by the
// C++ test host/tests/openapi_test.cpp; needs `npm ci` in this folder first.
import { Validator } from "@seriousme/openapi-schema-validator";
import { readFile } from "node:fs/promises";

const file = process.argv[2];
if (!file) {
  console.error("usage: validate.mjs <openapi.json>");
  process.exit(2);
}
let text;
try {
  text = await readFile(file, "utf8");
} catch (e) {
  console.error(`cannot read ${file}: ${e.message}`);
  process.exit(2);
}
const validator = new Validator();
const res = await validator.validate(text);
if (!res.valid) {
  console.error(JSON.stringify(res.errors, null, 2));
  process.exit(1);
}
// The schema check does not follow $ref; make sure every reference points somewhere.
let doc;
try {
  doc = validator.resolveRefs();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
// Semantic rules the JSON Schema cannot express: unique operationIds, and every "{name}" in a
// path template declared as a required path parameter (and no undeclared ones).
const problems = [];
const seenIds = new Map();
const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
for (const [path, item] of Object.entries(doc.paths || {})) {
  const templ = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const m of methods) {
    const op = item[m];
    if (!op) continue;
    const where = `${m.toUpperCase()} ${path}`;
    if (op.operationId) {
      if (seenIds.has(op.operationId)) {
        problems.push(`${where}: operationId ${op.operationId} also used by ${seenIds.get(op.operationId)}`);
      }
      seenIds.set(op.operationId, where);
    }
    const params = [...(item.parameters || []), ...(op.parameters || [])];
    const declared = params.filter((p) => p && p.in === "path").map((p) => p.name);
    for (const t of templ) {
      if (!declared.includes(t)) problems.push(`${where}: path parameter {${t}} not declared`);
    }
    for (const d of declared) {
      if (!templ.includes(d)) problems.push(`${where}: path parameter ${d} not in the path`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`valid OpenAPI ${validator.version}`);
