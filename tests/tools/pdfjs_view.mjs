// What pdf.js (Firefox's PDF viewer) shows assistive technology: the structure tree, the annotations and
// form fields, the outline and the text of every page of one PDF, printed as one JSON object.
// Usage: node pdfjs_view.mjs FILE.pdf   (pdfjs-dist must be installed where NODE_PATH or the import finds it)
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// pdf.js 6 is built for Node 22; Node 20 (Debian's, CI's) lacks only this.
Promise.withResolvers ??= function withResolvers() {
  let resolve, reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
};

const require = createRequire(process.env.PDFJS_HOME + "/");
const pdfjs = await import(pathToFileURL(require.resolve("pdfjs-dist/legacy/build/pdf.mjs")).href);

const data = new Uint8Array(await readFile(process.argv[2]));
const pdf = await pdfjs.getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
const keep = ["subtype", "id", "fieldType", "fieldName", "alternativeText", "fieldValue", "checkBox", "exportValue",
              "rect", "url", "dest", "unsafeUrl", "readOnly", "hidden", "noView", "noPrint", "structParent"];
const pages = [];
for (let number = 1; number <= pdf.numPages; number++) {
  const page = await pdf.getPage(number);
  const annotations = (await page.getAnnotations()).map((a) => {
    const out = Object.fromEntries(keep.filter((k) => a[k] !== undefined).map((k) => [k, a[k]]));
    out.contents = a.contentsObj ? a.contentsObj.str : "";
    return out;
  });
  for (const a of annotations) {  // where a link inside the document goes: a page index, from 0
    if (Array.isArray(a.dest)) a.destPage = await pdf.getPageIndex(a.dest[0]);
  }
  const text = (await page.getTextContent()).items.map((item) => item.str).join(" ");
  pages.push({ number, structTree: await page.getStructTree(), annotations, text });
}
const found = (await pdf.getFieldObjects()) ?? new Map();
const fieldKeys = ["id", "name", "type", "value", "defaultValue", "exportValues", "editable", "hidden", "page", "rect"];
const fields = Object.fromEntries([...(found instanceof Map ? found : Object.entries(found))].map(([name, list]) =>
  [name, list.map((f) => Object.fromEntries(fieldKeys.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])))]));
const outline = await pdf.getOutline();
process.stdout.write(JSON.stringify({ pages, fields, outline }));
