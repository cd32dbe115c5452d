// The project's version: package.json's is CHANGELOG.md's newest release, versions follow
// semver and go down the page, and every release that replaces or restarts nodes says so in
// its upgrade notes.
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const changelog = fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8");
const releases = [...changelog.matchAll(/^## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})$/gm)].map((m) => ({
    version: [Number(m[1]), Number(m[2]), Number(m[3])],
    date: m[4],
    body: changelog.slice(m.index! + m[0].length).split(/^## /m)[0],
}));

test("package.json's version is the newest release of CHANGELOG.md", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; license: string };
    expect(releases.length).toBeGreaterThanOrEqual(3);
    expect(releases[0].version.join(".")).toBe(pkg.version);
    expect(pkg.license).toBe("Apache-2.0");
    expect(fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8")).toContain("Apache License\n                           Version 2.0, January 2004");
});

test("releases go down the page, newest first, with their dates", () => {
    for (let i = 1; i < releases.length; i++) {
        const [newer, older] = [releases[i - 1], releases[i]];
        const first = newer.version.findIndex((part, j) => part !== older.version[j]);
        expect(first >= 0 && newer.version[first] > older.version[first]).toBe(true);
        expect(newer.date >= older.date).toBe(true);
    }
});

test("a release whose notes replace or restart nodes has upgrade notes that give the order", () => {
    for (const release of releases.filter((r) => /\b(replaced|restarts?)\b/.test(r.body) && r.version.join(".") !== "0.1.0")) {
        const notes = release.body.split("### Upgrade notes")[1] ?? "";
        expect({ release: release.version.join("."), ordered: /\(1\).*\(2\)/s.test(notes) }).toEqual({ release: release.version.join("."), ordered: true });
    }
});
