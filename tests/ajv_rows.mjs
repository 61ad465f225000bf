// Validate the rows of Data Package folders against the published JSON Schemas with Ajv (draft
// 2020-12), the way a developer outside Python would: only the published files and the
// conventions they state are used, no fpjc code.
//
//   node tests/ajv_rows.mjs SCHEMAS_DIR PACKAGE_DIR...
//
// SCHEMAS_DIR holds one version of the standard (schemas/<version>/ or `fpjc schemas export`).
// Each PACKAGE_DIR is a folder with datapackage.json and CSV files whose headers are the field
// names. Prints one JSON object: per package and resource the number of rows, and every row
// Ajv rejects with the fields it names. Exit status 0 when it ran (whatever the verdicts).
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// What the published files say about cells: several codes in one cell are separated by 、
// (also accepted: , ， ; ；), 是/否 are the booleans, an empty cell is an absent value.
const LIST_SEPARATORS = /\s*[、,，;；]\s*/;
const BOOLEANS = { 是: true, 否: false };

export function loadSchemas(dir) {
  // `version` is an annotation of this standard; strict mode wants every keyword declared.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword("version");
  addFormats(ajv);
  const rowSchemas = {};
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".schema.json")).sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    ajv.addSchema(schema); // registered under its $id: $refs resolve here, offline
    if (name.endsWith(".row.schema.json")) rowSchemas[name.replace(".row.schema.json", "")] = schema.$id;
  }
  return { ajv, rowSchemas };
}

export function parseCsv(text) {
  // RFC 4180: quoted cells may hold commas, quotes ("") and line breaks.
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  text = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

// A CSV row as the JSON object the row schema describes: numbers, booleans and lists typed,
// empty cells left out. A cell that does not look like its type stays a string, so Ajv
// reports it instead of this function guessing.
export function toJson(headers, cells, schema) {
  const out = {};
  headers.forEach((name, i) => {
    const text = (cells[i] ?? "").trim();
    if (text === "") return;
    const type = schema.properties?.[name]?.type;
    if (type === "integer" && /^-?\d+$/.test(text)) out[name] = Number(text);
    else if (type === "number" && /^-?\d+(\.\d+)?$/.test(text)) out[name] = Number(text);
    else if (type === "boolean" && text in BOOLEANS) out[name] = BOOLEANS[text];
    else if (type === "array") out[name] = text.split(LIST_SEPARATORS);
    else out[name] = text;
  });
  return out;
}

function fieldOf(error) {
  if (error.keyword === "required") return error.params.missingProperty;
  if (error.keyword === "additionalProperties") return error.params.additionalProperty;
  const first = error.instancePath.split("/")[1];
  return first === undefined ? null : first;
}

export function checkPackage(dir, { ajv, rowSchemas }) {
  const descriptor = JSON.parse(fs.readFileSync(path.join(dir, "datapackage.json"), "utf8"));
  const result = { package: dir, resources: {}, rejected: [] };
  for (const resource of descriptor.resources) {
    const id = rowSchemas[resource.name];
    if (!id) continue;
    const validate = ajv.getSchema(id);
    const [headers, ...rows] = parseCsv(fs.readFileSync(path.join(dir, resource.path), "utf8"));
    result.resources[resource.name] = rows.length;
    rows.forEach((cells, i) => {
      if (cells.every((c) => c.trim() === "")) return;
      if (validate(toJson(headers, cells, validate.schema))) return;
      const fields = [...new Set(validate.errors.map(fieldOf))];
      const messages = validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
      // Row numbers as the validator counts them: the header is row 1 of the file.
      result.rejected.push({ resource: resource.name, row: i + 2, fields, messages });
    });
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [schemasDir, ...packages] = process.argv.slice(2);
  const loaded = loadSchemas(schemasDir);
  const results = packages.map((dir) => checkPackage(dir, loaded));
  process.stdout.write(JSON.stringify(results) + "\n");
}
