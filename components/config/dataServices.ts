// The data services' settings: MySQL's version, the cache's engine and version, and the local
// target's images of them and of nginx, all from the one table of versions (components/versions.ts).
// The versions are read on both targets: the local target runs the major.minor AWS runs, and an
// image that would run another one is refused, naming the setting to change.
import { CacheEngine, CACHE, CACHE_ENGINES, MYSQL, NGINX, imageTagVersion, majorMinor } from "../versions";
import { imageCheck, matches, nginxImageCheck } from "./checks";
import { ConfigReader } from "./reader";
import { Setting, boolean, choice, code, earlier, text } from "./kinds";

const mysqlLines = Object.keys(MYSQL.lines);
const linesOf = (engine: CacheEngine) => Object.keys(CACHE[engine].lines);
const escaped = (line: string) => line.replace(/\./g, "\\.");

/** The local image the table pins for a cache engine's version line; "" when it pins none. */
export function localCacheImage(engine: CacheEngine, version: string): string {
    return CACHE[engine]?.lines[majorMinor(version)]?.localImage ?? "";
}

/** The local MySQL image the table pins for dbEngineVersion's line. */
export function localMysqlImage(dbEngineVersion: string): string {
    return MYSQL.lines[majorMinor(dbEngineVersion)]?.localImage ?? "";
}

const cacheEngineVersion: Setting<string> = {
    scope: "both",
    section: "cache",
    allowed: CACHE_ENGINES.map((engine) => `${engine}: ${linesOf(engine).map(code).join(", ")}`).join("; "),
    shownDefault: `per engine: ${CACHE_ENGINES.map((engine) => `${engine} ${code(CACHE[engine].defaultLine)}`).join(", ")}`,
    doc:
        "the engine's version: ElastiCache's on AWS (its default parameter group, e.g. `default.valkey8`, follows), and the line of the local cache's image on docker; " +
        "Redis OSS 6.x leaves ElastiCache standard support on 2027-01-31 ([versions](versions.md))",
    read: (reader, key, context) => {
        const engine = earlier<CacheEngine>(context, "cacheEngine");
        if (!(engine in CACHE)) {
            // cacheEngine's own problem is recorded; there are no lines to check against.
            return reader.raw[key] ?? "";
        }
        const lines = linesOf(engine);
        return reader.string(key, CACHE[engine].defaultLine, (value) =>
            lines.includes(value) ? undefined : `must be one of ${lines.join(", ")} with cacheEngine ${engine}`,
        );
    },
};

/** The settings, by key; settings/dataTier.ts and settings/local.ts place each in the reading order (a default reads only settings above it). */
export const DATA_SERVICE_SETTINGS = {
    dbEngineVersion: text({
        scope: "both",
        section: "database",
        default: MYSQL.defaultLine,
        check: matches(
            new RegExp(`^(${mysqlLines.map(escaped).join("|")})(\\.\\d+)?$`),
            "must be a MySQL 8.4 or 8.0 engine version such as 8.4 or 8.4.7 (8.0 only in RDS Extended Support)",
        ),
        allowed: mysqlLines.map((line) => `\`${line}[.x]\``).join(" or "),
        doc:
            "MySQL version: RDS's on AWS, and the line of the local MySQL's image on docker (`mysqlImage`); 8.0 left RDS standard support on 2026-07-31 " +
            "(billed Extended Support; `pulumi up` warns): see [Upgrades](operations.md#upgrades)",
    }),
    cacheEngine: choice({
        scope: "both",
        section: "cache",
        values: CACHE_ENGINES,
        default: "valkey",
        doc:
            "`valkey` (ElastiCache for Valkey, about 20% less per node than Redis OSS) or `redis` (ElastiCache for Redis OSS); from redis to valkey is an " +
            "online in-place upgrade, and back replaces the cache ([Cache engine](operations.md#cache-engine)); the local target runs Valkey",
    }),
    cacheEngineVersion,
    cacheApplyImmediately: boolean({
        scope: "aws",
        section: "cache",
        default: false,
        doc: "apply cache changes (an engine or version upgrade, a node type) now rather than in the cache's next maintenance window",
    }),
    mysqlImage: text({
        scope: "docker",
        section: "local",
        default: (context) => localMysqlImage(earlier<string>(context, "dbEngineVersion")),
        shownDefault: `by \`dbEngineVersion\`: ${mysqlLines.map((line) => `${line} ${code(MYSQL.lines[line].localImage)}`).join(", ")}`,
        check: imageCheck,
        allowed: "a pinned MySQL image whose tag names the `dbEngineVersion` line (e.g. `mysql:8.4.10`, a digest may follow)",
        doc: "the local MySQL",
    }),
    cacheImage: text({
        scope: "docker",
        section: "local",
        default: (context) => localCacheImage(earlier<CacheEngine>(context, "cacheEngine"), earlier<string>(context, "cacheEngineVersion")),
        shownDefault: `by \`cacheEngineVersion\`: ${linesOf("valkey")
            .filter((line) => CACHE.valkey.lines[line].localImage)
            .map((line) => `${line} ${code(CACHE.valkey.lines[line].localImage)}`)
            .join(", ")}`,
        check: imageCheck,
        allowed: "a pinned image of `cacheEngine` (its last path segment) whose tag names the `cacheEngineVersion` line",
        doc: "the local cache; needed for a version line the table pins no local image for ([versions](versions.md))",
    }),
    nginxImage: text({
        scope: "docker",
        section: "local",
        default: NGINX.image,
        check: nginxImageCheck,
        allowed: "a pinned nginx image, 1.27.3 or later",
        doc: "the local load balancer; it re-resolves the nodes' names at run time, which older tags cannot",
    }),
};

/** Keys that were renamed: set, the old key is refused with its new name. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
    redisImage: "cacheImage (the local cache runs cacheEngine's image, Valkey unless set otherwise)",
};

type DataServiceValues = {
    target: "aws" | "docker";
    dbEngineVersion: string;
    cacheEngine: CacheEngine;
    cacheEngineVersion: string;
    mysqlImage: string;
    cacheImage: string;
};

/** The last path segment of an image's repository: "registry.example:5000/valkey/valkey:8.1" -> "valkey". */
const imageName = (image: string) => image.split("@")[0].replace(/:[^/]*$/, "").split("/").pop() ?? "";

/**
 * The local target runs the major.minor the AWS target runs: an image whose tag names another
 * line, or no line, is refused, and so is a version line the table pins no local image for
 * unless the image is named. Nothing to check on AWS. An image refused as a reference
 * (imageCheck) has had its problem recorded already.
 */
export function checkDataServices(read: ConfigReader, config: DataServiceValues): void {
    if (config.target !== "docker") {
        return;
    }
    if (imageCheck(config.mysqlImage) === undefined) {
        checkLocalMysql(read, config);
    }
    const engine = config.cacheEngine;
    if (engine in CACHE && linesOf(engine).includes(config.cacheEngineVersion)) {
        checkLocalCache(read, config);
    }
}

function checkLocalMysql(read: ConfigReader, config: DataServiceValues): void {
    const line = majorMinor(config.dbEngineVersion);
    const tag = imageTagVersion(config.mysqlImage);
    if (tag === undefined) {
        read.fail("mysqlImage", config.mysqlImage, `names no version in its tag, so it cannot be checked to run MySQL ${line} (dbEngineVersion): use a tag such as mysql:${line}.0 (a digest may follow)`);
    } else if (majorMinor(tag) !== line) {
        read.fail(
            "mysqlImage",
            config.mysqlImage,
            `runs MySQL ${majorMinor(tag)}, and dbEngineVersion is ${config.dbEngineVersion}: the local target runs the MySQL line AWS runs; ` +
                `use a mysql ${line}.x image${mysqlLines.includes(majorMinor(tag)) ? `, or set dbEngineVersion ${majorMinor(tag)}` : ""}`,
        );
    }
}

function checkLocalCache(read: ConfigReader, config: DataServiceValues): void {
    const { cacheEngine: engine, cacheEngineVersion: line, cacheImage: image } = config;
    if (image === "") {
        const pinned = CACHE_ENGINES.flatMap((e) => linesOf(e).filter((l) => CACHE[e].lines[l].localImage).map((l) => `${e} ${l}`));
        const [key, value] = read.isSet("cacheEngineVersion") || engine === "valkey" ? ["cacheEngineVersion", line] : ["cacheEngine", engine];
        read.fail(
            key,
            value,
            `the table of versions pins no local image of ${CACHE[engine].name} ${line} (docs/versions.md says why): ` +
                `use ${pinned.join(" or ")}, or name an image of that line in cacheImage`,
        );
        return;
    }
    if (imageCheck(image) !== undefined) {
        return;
    }
    const tag = imageTagVersion(image);
    if (imageName(image) !== engine) {
        read.fail("cacheImage", image, `is not a ${engine} image (its name must be ${engine}): the container runs ${engine}-server for cacheEngine ${engine}`);
    } else if (tag === undefined || majorMinor(tag) !== line) {
        read.fail(
            "cacheImage",
            image,
            `${tag === undefined ? "names no version in its tag" : `runs ${CACHE[engine].name} ${majorMinor(tag)}`}, and cacheEngineVersion is ${line}: ` +
                `the local target runs the cache line AWS runs; use a ${engine} ${line}.x image such as ${localCacheImage(engine, line) || `${engine}:${line}.0`}`,
        );
    }
}

/**
 * What `pulumi up` says before it changes a data service on a stack made before these defaults:
 * the program cannot see a stack's state, so a default that differs from an earlier one is
 * announced until the setting is made explicit.
 */
export function dataServiceNotices(read: ConfigReader, config: DataServiceValues): string[] {
    const notices: string[] = [];
    if (!read.isSet("cacheEngine") && config.target === "aws") {
        notices.push(
            "cacheEngine is not set, so the cache runs Valkey, the default for new stacks. A stack whose cache was created with Redis OSS (before Valkey was the default) " +
                "has it upgraded in place by this update: online, one way (back to redis replaces the cache), and in the cache's next maintenance window unless " +
                "cacheApplyImmediately is true. Set cacheEngine to redis to stay on Redis OSS, or to valkey to upgrade and silence this (docs/operations.md, Cache engine).",
        );
    }
    if (!read.isSet("cacheEngine") && config.target === "docker") {
        notices.push(
            "cacheEngine is not set, so the local cache runs Valkey, the default: a local stack made with Redis has its container replaced by a Valkey one on the same " +
                "volume in this update. Set cacheEngine to valkey to silence this.",
        );
    }
    if (!read.isSet("dbEngineVersion") && !read.isSet("mysqlImage") && config.target === "docker") {
        notices.push(
            `dbEngineVersion is not set, so the local MySQL runs ${config.mysqlImage}, the version RDS runs: a local stack made with MySQL 8.0 has its container replaced, ` +
                "and MySQL upgrades the data volume in place, one way. Set dbEngineVersion to 8.0 to stay, or to 8.4 to silence this.",
        );
    }
    return notices;
}
