// The local target's load balancer: the guide's nginx upstream (master weight 3, each slave
// weight 5) and proxy headers, rendered from the cluster's weights.
import { SETUP_PATH, SETUP_REFUSED_BODY } from "../environment";

export interface Upstream {
    /** host:port */
    address: string;
    weight: number;
}

export interface NginxOptions {
    listenPort: number;
    upstreams: Upstream[];
    /** "auto" in the container; 1 makes round-robin order deterministic (tests). */
    workerProcesses?: "auto" | number;
    /** Where nginx keeps its pid; the container's default unless a test runs it elsewhere. */
    pidFile?: string;
    /** Where temporary files go, for an nginx that does not run as root in its default layout. */
    tempDir?: string;
    /**
     * The DNS server to resolve the upstream names with again and again (Docker's embedded DNS,
     * 127.0.0.11): a node that Docker restarts on a new address stays in the upstream. Needs
     * nginx 1.27.3 or later (`server ... resolve`). Without it, names are resolved once, at start.
     */
    resolver?: string;
}

/** The upstreams in the guide's order: the master, then each slave with its own weight. */
export function guideUpstreams(
    masterAddress: string,
    slaveAddresses: string[],
    masterWeight: number,
    slaveWeight: number,
): Upstream[] {
    return [
        { address: masterAddress, weight: masterWeight },
        ...slaveAddresses.map((address) => ({ address, weight: slaveWeight })),
    ];
}

export function renderNginxConfig(options: NginxOptions): string {
    if (options.upstreams.length === 0) {
        throw new Error("nginx needs at least one upstream");
    }
    for (const u of options.upstreams) {
        if (!/^[A-Za-z0-9.-]+:\d+$/.test(u.address) || !Number.isInteger(u.weight) || u.weight < 1) {
            throw new Error(`bad upstream ${JSON.stringify(u)}`);
        }
    }
    const temp = options.tempDir;
    const resolver = options.resolver;
    return [
        `worker_processes ${options.workerProcesses ?? "auto"};`,
        `pid ${options.pidFile ?? "/var/run/nginx.pid"};`,
        "error_log stderr warn;",
        "",
        "events {",
        "    worker_connections 1024;",
        "}",
        "",
        "http {",
        "    access_log off;",
        // New API accepts request bodies up to MAX_REQUEST_BODY_MB (128).
        "    client_max_body_size 128m;",
        ...(temp === undefined
            ? []
            : ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${temp}/${kind};`)),
        // Docker's DNS answers with a TTL of 600 s: ask again every 10 s; the network is IPv4.
        ...(resolver === undefined ? [] : [`    resolver ${resolver} valid=10s ipv6=off;`]),
        "",
        "    upstream new_api_cluster {",
        // Run-time resolution keeps the upstream in shared memory.
        ...(resolver === undefined ? [] : ["        zone new_api_cluster 64k;"]),
        // A node that refuses a connection is skipped for 10 s; its request goes to the next.
        ...options.upstreams.map(
            (u) => `        server ${u.address} weight=${u.weight} max_fails=1 fail_timeout=10s${resolver === undefined ? "" : " resolve"};`,
        ),
        "        keepalive 32;",
        "    }",
        "",
        "    server {",
        `        listen ${options.listenPort};`,
        "",
        // New API's setup wizard creates the root user for whoever calls it first: never
        // through the load balancer (nginx matches the decoded, normalised path).
        `        location ~ ^${SETUP_PATH}(/|$) {`,
        "            default_type application/json;",
        `            return 403 '${SETUP_REFUSED_BODY}';`,
        "        }",
        "",
        "        location / {",
        "            proxy_pass http://new_api_cluster;",
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Real-IP $remote_addr;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        // Streamed completions: pass tokens through as they come, wait as long as New API does.
        "            proxy_buffering off;",
        "            proxy_read_timeout 300s;",
        "            proxy_next_upstream error timeout http_502 http_503;",
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}
