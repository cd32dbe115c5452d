// The one table of what the cluster runs, read by both targets: the MySQL and cache version
// lines RDS and ElastiCache are asked for and the images the local target runs for the same
// major.minor, nginx, New API and the AMI lookup, each with its support window as read on
// SUPPORT_REVIEWED_ON. docs/versions.md is made from it (npm run docs; test/versions.test.ts).
// Pure: the config layer, the components and the policy pack all read it.

/** The day every support window below was checked. */
/** Public SSM parameters naming the newest Amazon Linux 2023 AMI, per CPU architecture. */
export const AL2023_AMI_PARAMETERS = {
    x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
} as const;

export const SUPPORT_REVIEWED_ON = "2026-12-04";

export type CacheEngine = "valkey" | "redis";

/**
 * A version line (major.minor) of a data service. `localImage` is what the local target runs
 * for it; a line without one exists only on AWS (ElastiCache's own releases) or needs the
 * image named in config.
 */
export interface VersionLine {
    readonly localImage?: string;
}

/** RDS for MySQL (`dbEngineVersion`) and the local MySQL: the latest patch of each line on Docker Hub's official image. */
export const MYSQL = {
    defaultLine: "8.4",
    lines: {
        "8.4": { localImage: "mysql:8.4.10" },
        // The last 8.0 release (docker-library/mysql removed the line as end of life).
        "8.0": { localImage: "mysql:8.0.46" },
    } as Record<string, VersionLine>,
};

/**
 * The cache engines ElastiCache runs with cluster mode disabled, each version line it offers
 * for new replication groups, newest first, and the local image of the lines Valkey has
 * released (ElastiCache's Valkey 8.2 and every Redis OSS 7.1 are AWS's own builds: no
 * upstream release of those lines exists to run locally).
 */
export const CACHE: Record<CacheEngine, { name: string; label: string; defaultLine: string; lines: Record<string, VersionLine> }> = {
    valkey: {
        name: "Valkey",
        // What the alarms and the dashboard call it ("Redis" before Valkey: unchanged for a stack that stays).
        label: "Valkey",
        defaultLine: "8.1",
        lines: {
            "8.2": {},
            "8.1": { localImage: "valkey/valkey:8.1.7-alpine" },
            "8.0": { localImage: "valkey/valkey:8.0.9-alpine" },
            "7.2": {},
        },
    },
    redis: { name: "Redis OSS", label: "Redis", defaultLine: "7.1", lines: { "7.1": {}, "7.0": {}, "6.2": {}, "6.0": {} } },
};

export const CACHE_ENGINES = Object.keys(CACHE) as CacheEngine[];

/** The local load balancer (the AWS target has an ALB): nginx's stable line. */
export const NGINX = { line: "1.30", image: "nginx:1.30.4-alpine" };

/** New API's image on both targets: a pinned release, never `latest` (docs/new-api.md). */
export const NEW_API_IMAGE = "calciumion/new-api:v0.13.2";

/** "8.4.10" -> "8.4"; "8.4" -> "8.4". */
export function majorMinor(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}

/**
 * The cache parameter group family of an engine version (CreateCacheParameterGroup's
 * CacheParameterGroupFamily): valkey 8.x -> valkey8, redis 7.x -> redis7, redis 6.x -> redis6.x.
 */
export function cacheParameterGroupFamily(engine: CacheEngine, version: string): string {
    const major = version.split(".")[0];
    return engine === "redis" && major === "6" ? "redis6.x" : `${engine}${major}`;
}

/** The family's default parameter group, which the stack uses: "default.valkey8". */
export function defaultCacheParameterGroup(engine: CacheEngine, version: string): string {
    return `default.${cacheParameterGroupFamily(engine, version)}`;
}

/** The version in an image reference's tag: "mysql:8.4.10@sha256:…" -> "8.4.10"; undefined when the tag names none. */
export function imageTagVersion(image: string): string | undefined {
    const tag = /:(\d+\.\d+(?:\.\d+)?)(?:[-@][^/]*)?$/.exec(image.split("@")[0]);
    return tag?.[1];
}

/** One pinned version, its support window, and the page that states it. */
export interface Pin {
    what: string;
    version: string;
    /** In words: a date, or what the vendor says instead of one. */
    supportedUntil: string;
    /** The last day the pin is supported (its standard support); undefined when none is announced. */
    endsOn?: string;
    /** Whether a new stack runs it without setting anything. */
    isDefault: boolean;
    source: string;
}

const RDS_MYSQL = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html";
const ELASTICACHE_VERSIONS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html";
const VALKEY_RELEASES = "https://valkey.io/topics/releases";
const MYSQL_LTS = "https://blogs.oracle.com/mysql/post/introducing-mysql-innovation-and-longterm-support-lts-versions";

/** Every pin the stack ships, with its support window as of SUPPORT_REVIEWED_ON (docs/versions.md). */
export const PINS: readonly Pin[] = [
    {
        what: "AMI lookup (AWS nodes)",
        version: `Amazon Linux 2023 via SSM ${Object.values(AL2023_AMI_PARAMETERS).join(", ")}`,
        supportedUntil: "standard support to 2027-06-30, then security fixes (maintenance) to 2029-06-30",
        endsOn: "2027-06-30",
        isDefault: true,
        source: "https://docs.aws.amazon.com/linux/al2023/ug/release-cadence.html",
    },
    {
        what: "RDS for MySQL (`dbEngineVersion`)",
        version: "8.4",
        supportedUntil: "RDS standard support to 2029-07-31 (billed Extended Support to 2032-07-31)",
        endsOn: "2029-07-31",
        isDefault: true,
        source: RDS_MYSQL,
    },
    {
        what: "RDS for MySQL (`dbEngineVersion`)",
        version: "8.0",
        supportedUntil: "RDS standard support ended 2026-07-31; billed Extended Support to 2029-07-31",
        endsOn: "2026-07-31",
        isDefault: false,
        source: RDS_MYSQL,
    },
    {
        what: "ElastiCache for Valkey (`cacheEngineVersion`)",
        version: "8.2, 8.1, 8.0, 7.2",
        supportedUntil: "no end of standard support announced for any Valkey version",
        isDefault: true,
        source: ELASTICACHE_VERSIONS,
    },
    {
        what: "ElastiCache for Redis OSS (`cacheEngine: redis`)",
        version: "7.1, 7.0",
        supportedUntil: "no end of standard support announced for Redis OSS 7",
        isDefault: false,
        source: ELASTICACHE_VERSIONS,
    },
    {
        what: "ElastiCache for Redis OSS (`cacheEngine: redis`)",
        version: "6.2, 6.0",
        supportedUntil: "standard support to 2027-01-31 (billed Extended Support to 2030-01-31)",
        endsOn: "2027-01-31",
        isDefault: false,
        source: ELASTICACHE_VERSIONS,
    },
    {
        what: "local MySQL image",
        version: MYSQL.lines["8.4"].localImage as string,
        supportedUntil: "MySQL 8.4 LTS: Premier Support to April 2029, Extended Support to April 2032",
        endsOn: "2029-04-30",
        isDefault: true,
        source: MYSQL_LTS,
    },
    {
        what: "local MySQL image (`dbEngineVersion: 8.0`)",
        version: MYSQL.lines["8.0"].localImage as string,
        supportedUntil: "MySQL 8.0 reached end of life on 2026-04-30; 8.0.46 is its last release",
        endsOn: "2026-04-30",
        isDefault: false,
        source: "https://github.com/docker-library/mysql/commit/b6c1f3997a86ad4de7ceb6b8c9b0d9f6ee15ac84",
    },
    {
        what: "local cache image",
        version: CACHE.valkey.lines["8.1"].localImage as string,
        supportedUntil: "Valkey 8.1: maintenance to 2028-03-31, security fixes to 2030-03-31",
        endsOn: "2028-03-31",
        isDefault: true,
        source: VALKEY_RELEASES,
    },
    {
        what: "local cache image (`cacheEngineVersion: 8.0`)",
        version: CACHE.valkey.lines["8.0"].localImage as string,
        supportedUntil: "Valkey 8.0: maintenance and security fixes to 2027-09-15",
        endsOn: "2027-09-15",
        isDefault: false,
        source: VALKEY_RELEASES,
    },
    {
        what: "local load balancer image",
        version: NGINX.image,
        supportedUntil: "nginx's stable branch 1.30 (1.30.0 on 2026-04-14), retired when the next stable branch is forked each April: April 2027",
        endsOn: "2027-04-01",
        isDefault: true,
        source: "https://nginx.org/en/download.html",
    },
    {
        what: "New API image (`image`)",
        version: NEW_API_IMAGE,
        supportedUntil: "New API publishes no support window; its newest stable release (v1.0.0 has release candidates only)",
        isDefault: true,
        source: "https://github.com/QuantumNous/new-api/releases",
    },
];

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** docs/versions.md's table: what, version, supported until, source. */
export function versionsTable(): string {
    return [
        "| what | version | supported until | source |",
        "|---|---|---|---|",
        ...PINS.map((p) => `| ${cell(p.what)}${p.isDefault ? "" : " (selectable)"} | ${cell(p.version)} | ${cell(p.supportedUntil)} | ${p.source} |`),
    ].join("\n");
}
