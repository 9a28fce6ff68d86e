// A static file server for the browser benchmarks (bench/search_browser.py): HTTP/1.1 keep-alive, no
// compression, no cache, as fast as a small host. node bench/static_server.js ROOT PREFIX: prints the port.
"use strict";
const http = require("http"), fs = require("fs"), path = require("path");
const [root, prefix] = [path.resolve(process.argv[2]), process.argv[3] || "/"];
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml", ".bin": "application/octet-stream",
  ".wasm": "application/wasm", ".pagefind": "application/wasm" };
const server = http.createServer((request, response) => {
  let url = decodeURIComponent(request.url.split("?")[0]);
  if (!url.startsWith(prefix)) { response.writeHead(404).end(); return; }
  let file = path.join(root, url.slice(prefix.length));
  if (!file.startsWith(root)) { response.writeHead(404).end(); return; }
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) { file = path.join(file, "index.html"); }
    fs.readFile(file, (error, data) => {
      if (error) { response.writeHead(404).end(); return; }
      response.writeHead(200, { "Content-Type": types[path.extname(file)] || "application/octet-stream",
                                "Content-Length": data.length, "Cache-Control": "no-store" });
      response.end(data);
    });
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => { console.log(server.address().port); });
