#!/usr/bin/env node
// A stand-in for New API's HTTP server and its stop, for the stop path's tests: GET /slow?ms=N
// answers after N ms. On SIGTERM it does what New API's main.go does since it handles the
// signal: stops taking connections, lets requests in flight finish for up to
// SHUTDOWN_TIMEOUT_SECONDS, then exits 0. IGNORE_SIGTERM=true makes it a server that never
// stops on its own (what SIGKILL is for). It writes its pid to PID_FILE and "listening PORT".
const http = require("http");
const fs = require("fs");

const server = http.createServer((request, response) => {
    const ms = Number(new URL(request.url, "http://x").searchParams.get("ms") ?? 0);
    setTimeout(() => response.end(`done after ${ms} ms\n`), ms);
});
server.listen(0, "127.0.0.1", () => {
    if (process.env.PID_FILE) {
        fs.writeFileSync(process.env.PID_FILE, String(process.pid));
    }
    process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => {
    if (process.env.IGNORE_SIGTERM === "true") {
        return;
    }
    process.stdout.write("shutting down\n");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), Number(process.env.SHUTDOWN_TIMEOUT_SECONDS) * 1000).unref();
});
