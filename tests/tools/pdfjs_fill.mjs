// Fill a PDF's form as a patient does in pdf.js (Firefox's viewer) and save it as the viewer saves it.
// Usage: node pdfjs_fill.mjs IN.pdf OUT.pdf '{"field name": "typed text" | true}'   (true ticks a check box)
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

Promise.withResolvers ??= function withResolvers() {  // pdf.js 6 is built for Node 22; Node 20 lacks only this
  let resolve, reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
};

// ... and this, which pdf.js uses when it writes an appearance (without it, it skips that field's value, warning).
ArrayBuffer.prototype.transferToFixedLength ??= function transferToFixedLength(length = this.byteLength) {
  const copy = new ArrayBuffer(length);
  new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
  return copy;
};

const require = createRequire(process.env.PDFJS_HOME + "/");
const pdfjs = await import(pathToFileURL(require.resolve("pdfjs-dist/legacy/build/pdf.mjs")).href);

const [input, output, wanted] = process.argv.slice(2);
const data = new Uint8Array(await readFile(input));
const pdf = await pdfjs.getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 1 }).promise;
const found = (await pdf.getFieldObjects()) ?? {};
const fields = found instanceof Map ? Object.fromEntries(found) : found;
const values = JSON.parse(wanted);
for (const [name, value] of Object.entries(values)) {
  if (!fields[name]) throw new Error(`no field named ${name}`);
  for (const field of fields[name]) pdf.annotationStorage.setValue(field.id, { value });
}
await writeFile(output, await pdf.saveDocument());
