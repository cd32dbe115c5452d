// docs/versions.md is the table of versions (components/versions.ts), which lists every pin the
// program ships, each supported on the day it was reviewed; and the pins are the ones the
// program runs.
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_IMAGE, parseClusterConfig } from "../components/config";
import { AL2023_AMI_PARAMETERS, CACHE, CACHE_ENGINES, MYSQL, NEW_API_IMAGE, NGINX, PINS, SUPPORT_REVIEWED_ON, imageTagVersion, majorMinor, versionsTable } from "../components/versions";
import { markers, withTables } from "../tools/docs";

const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "versions.md"), "utf8");
const pinned = PINS.map((p) => `${p.what} ${p.version}`).join("\n");

describe("docs/versions.md", () => {
    test("its table is the one components/versions.ts makes (npm run docs rewrites it)", () => {
        expect(doc).toMatch(markers("versions"));
        expect(withTables("docs/versions.md", doc)).toBe(doc);
        expect(doc).toContain(versionsTable());
    });

    test("every row has a version, a support window and a public source", () => {
        const rows = versionsTable().split("\n").slice(2);
        expect(rows).toHaveLength(PINS.length);
        for (const pin of PINS) {
            expect(pin.version).not.toBe("");
            expect(pin.supportedUntil).not.toBe("");
            expect(pin.source).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]+\//);
            if (pin.endsOn !== undefined) {
                expect(pin.endsOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
                expect(pin.supportedUntil).toContain(pin.endsOn.slice(0, 4));
            }
        }
    });
});

describe("the pins", () => {
    test("the table lists every pin the program ships: images, engine lines, the AMI lookup", () => {
        const shipped = [
            NEW_API_IMAGE,
            NGINX.image,
            ...Object.values(MYSQL.lines).flatMap((l) => (l.localImage ? [l.localImage] : [])),
            ...CACHE_ENGINES.flatMap((e) => Object.values(CACHE[e].lines).flatMap((l) => (l.localImage ? [l.localImage] : []))),
            ...Object.values(AL2023_AMI_PARAMETERS),
        ];
        for (const pin of shipped) {
            expect([pin, pinned.includes(pin)]).toEqual([pin, true]);
        }
        for (const line of Object.keys(MYSQL.lines)) {
            expect(PINS.some((p) => p.what.startsWith("RDS for MySQL") && p.version.split(", ").includes(line))).toBe(true);
        }
        for (const engine of CACHE_ENGINES) {
            const listed = PINS.filter((p) => p.what.startsWith(`ElastiCache for ${CACHE[engine].name} `)).flatMap((p) => p.version.split(", "));
            expect(listed.sort()).toEqual(Object.keys(CACHE[engine].lines).sort());
        }
    });

    test(`what a new stack runs is supported on ${SUPPORT_REVIEWED_ON}, and the table says which pins are defaults`, () => {
        const aws = parseClusterConfig({}, "dev");
        const local = parseClusterConfig({ target: "docker" }, "dev");
        const defaults = [aws.image, aws.dbEngineVersion, local.mysqlImage, local.cacheImage, local.nginxImage];
        expect(aws.image).toBe(DEFAULT_IMAGE);
        for (const value of defaults) {
            const pin = PINS.find((p) => p.version === value || p.version.split(", ").includes(value));
            expect([value, pin?.isDefault]).toEqual([value, true]);
        }
        expect(PINS.find((p) => p.what.startsWith("ElastiCache for Valkey"))?.version.split(", ")).toContain(aws.cacheEngineVersion);
        for (const pin of PINS.filter((p) => p.isDefault && p.endsOn !== undefined)) {
            expect([pin.what, pin.endsOn! > SUPPORT_REVIEWED_ON]).toEqual([pin.what, true]);
        }
        // The lines past their standard support are selectable only, and say so.
        for (const pin of PINS.filter((p) => p.endsOn !== undefined && p.endsOn <= SUPPORT_REVIEWED_ON)) {
            expect([pin.what, pin.isDefault]).toEqual([pin.what, false]);
            expect(pin.supportedUntil).toMatch(/ended|end of life/);
        }
    });

    test("every local image is of the line it stands for", () => {
        for (const [line, { localImage }] of Object.entries(MYSQL.lines)) {
            expect(majorMinor(imageTagVersion(localImage!)!)).toBe(line);
        }
        for (const engine of CACHE_ENGINES) {
            for (const [line, { localImage }] of Object.entries(CACHE[engine].lines).filter(([, l]) => l.localImage)) {
                expect(majorMinor(imageTagVersion(localImage!)!)).toBe(line);
                expect(localImage!.split(":")[0].split("/").pop()).toBe(engine);
            }
        }
        expect(majorMinor(imageTagVersion(NGINX.image)!)).toBe(NGINX.line);
        // nginx's stable branches have an even minor number.
        expect(Number(NGINX.line.split(".")[1]) % 2).toBe(0);
    });

    test("imageTagVersion reads the version of a tag, through registries with ports and digests", () => {
        expect(imageTagVersion("mysql:8.4.10")).toBe("8.4.10");
        expect(imageTagVersion("registry.example:5000/mysql:8.0")).toBe("8.0");
        expect(imageTagVersion(`valkey/valkey:8.1.7-alpine@sha256:${"a".repeat(64)}`)).toBe("8.1.7");
        expect(imageTagVersion("mysql:lts")).toBeUndefined();
        expect(imageTagVersion(`valkey/valkey@sha256:${"a".repeat(64)}`)).toBeUndefined();
    });
});
