// Does a Docker engine answer, and where? The same endpoint the Docker CLI would use:
// DOCKER_HOST, else the context named by DOCKER_CONTEXT or by the CLI's config (`docker context
// use`), else the default socket. Pulumi's Docker provider does not follow the CLI's current
// context, so the local script hands the endpoint it found to Pulumi as DOCKER_HOST.
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { ScriptFailure } from "./script";

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

export type DockerEndpoint =
    | { host: string; source: "DOCKER_HOST" }
    | { host: string; source: "context"; context: string; chosenBy: string }
    | { host: string; source: "default" };

/** The endpoint the Docker CLI would talk to, from its environment variables and config folder. */
export function dockerEndpoint(env: NodeJS.ProcessEnv): DockerEndpoint {
    if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, source: "DOCKER_HOST" };
    const configDir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), ".docker");
    const configFile = path.join(configDir, "config.json");
    const [context, chosenBy] = env.DOCKER_CONTEXT
        ? [env.DOCKER_CONTEXT, "DOCKER_CONTEXT"]
        : [readCurrentContext(configFile), configFile];
    if (!context || context === "default") return { host: DEFAULT_DOCKER_HOST, source: "default" };
    // The CLI keeps each context's metadata under the SHA-256 of its name.
    const metaFile = path.join(configDir, "contexts", "meta", createHash("sha256").update(context).digest("hex"), "meta.json");
    let host: string | undefined;
    try {
        host = (JSON.parse(fs.readFileSync(metaFile, "utf8")) as { Endpoints?: { docker?: { Host?: string } } }).Endpoints?.docker?.Host;
    } catch {
        throw new ScriptFailure(
            `The Docker context "${context}" (chosen by ${chosenBy}) does not exist (no ${metaFile}).\n` +
                `List the contexts with \`docker context ls\` and choose one: docker context use default`,
        );
    }
    if (!host) throw new ScriptFailure(`The Docker context "${context}" (${metaFile}) has no Docker endpoint.`);
    return { host, source: "context", context, chosenBy };
}

function readCurrentContext(configFile: string): string | undefined {
    try {
        return (JSON.parse(fs.readFileSync(configFile, "utf8")) as { currentContext?: string }).currentContext;
    } catch {
        return undefined;
    }
}

/** Whether the engine answered; if not, why, in a few words (and the system error code). */
export type PingResult = { ok: true } | { ok: false; reason: string; code?: string };

const PING_TIMEOUT_MS = 5000;

/** GET /_ping on the engine's API; an engine that works answers 200 "OK". */
export function pingDocker(host: string, tlsVerify: boolean): Promise<PingResult | "unchecked"> {
    const url = new URL(host);
    let target: http.RequestOptions;
    if (url.protocol === "unix:") target = { socketPath: url.pathname };
    else if (url.protocol === "npipe:") target = { socketPath: url.pathname.replace(/\//g, "\\") };
    // A TLS endpoint (DOCKER_TLS_VERIFY) or ssh:// needs the CLI's certificates or keys: not checked here.
    else if (url.protocol === "tcp:" && !tlsVerify) target = { host: url.hostname, port: url.port || 2375 };
    else return Promise.resolve("unchecked");
    return new Promise((resolve) => {
        // agent: false, one connection closed after the answer: no pooled socket keeps the script alive.
        const request = http.get({ ...target, path: "/_ping", timeout: PING_TIMEOUT_MS, agent: false }, (response) => {
            response.resume();
            resolve(
                response.statusCode === 200
                    ? { ok: true }
                    : { ok: false, reason: `it answered HTTP ${response.statusCode} to GET /_ping` },
            );
        });
        request.on("timeout", () => {
            request.destroy();
            resolve({ ok: false, reason: `no answer within ${PING_TIMEOUT_MS / 1000} s` });
        });
        request.on("error", (error: NodeJS.ErrnoException) => {
            const reasons: Record<string, string> = {
                ENOENT: "no such socket",
                ECONNREFUSED: "connection refused",
                EACCES: "permission denied",
            };
            resolve({ ok: false, reason: reasons[error.code ?? ""] ?? error.message, code: error.code });
        });
    });
}

/** How to start the engine a well-known context points to. */
const CONTEXT_START: Record<string, string> = {
    colima: "`colima start`",
    "desktop-linux": "open Docker Desktop",
    "desktop-windows": "open Docker Desktop",
    "rancher-desktop": "open Rancher Desktop",
    orbstack: "open OrbStack",
};

/** What to start or set when the engine does not answer. */
export function dockerAdvice(endpoint: DockerEndpoint, result: { reason: string; code?: string }): string {
    const where = `${endpoint.host} (${result.reason})`;
    if (result.code === "EACCES") {
        return (
            `Docker's socket ${endpoint.host} is there but you may not use it (permission denied).\n` +
            `Add yourself to the docker group: sudo usermod -aG docker "$USER", then log in again (or use rootless Docker and set DOCKER_HOST to its socket).`
        );
    }
    switch (endpoint.source) {
        case "DOCKER_HOST":
            return (
                `No Docker engine answers at DOCKER_HOST=${where}.\n` +
                `Start the engine that listens there, or set DOCKER_HOST to your engine's endpoint (or unset it to use ${DEFAULT_DOCKER_HOST}), and run again.`
            );
        case "context": {
            const start = CONTEXT_START[endpoint.context] ?? "start the engine it points to";
            return (
                `No Docker engine answers at ${where}, the endpoint of the Docker context "${endpoint.context}" (chosen by ${endpoint.chosenBy}).\n` +
                `Start it (${start}), or choose another context: docker context use default`
            );
        }
        case "default":
            return (
                `No Docker engine answers at ${where}.\n` +
                `Start Docker: open Docker Desktop, or on Linux: sudo systemctl start docker.\n` +
                `If your engine listens elsewhere (Colima, Rancher Desktop, rootless Docker, Podman), set DOCKER_HOST to its socket ` +
                `(e.g. export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock) and run again.`
            );
    }
}

/** The endpoint of an engine that answers, or a ScriptFailure saying what to start or set. */
export async function checkDocker(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<DockerEndpoint> {
    const endpoint = dockerEndpoint(env);
    const chosen =
        endpoint.source === "context" ? ` (Docker context "${endpoint.context}")` : endpoint.source === "DOCKER_HOST" ? " (DOCKER_HOST)" : "";
    const result = await pingDocker(endpoint.host, !!env.DOCKER_TLS_VERIFY);
    if (result === "unchecked") {
        log(`Docker: ${endpoint.host}${chosen}; not checked (only unix sockets, named pipes and plain tcp are).`);
    } else if (!result.ok) {
        throw new ScriptFailure(dockerAdvice(endpoint, result));
    } else {
        log(`Docker: answers at ${endpoint.host}${chosen}.`);
    }
    return endpoint;
}
