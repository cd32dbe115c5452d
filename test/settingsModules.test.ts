// The settings live in one module per concern (components/config/settings/), which schema.ts
// spreads into one table in reading order: a key defined in two of them would silently take
// the later one's definition, so each key is defined in exactly one.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../components/config";

const FOLDER = path.join(__dirname, "..", "components", "config", "settings");

test("every setting is defined in exactly one module of components/config/settings/", () => {
    const tables = fs.readdirSync(FOLDER).flatMap((file) => {
        const exported = require(path.join(FOLDER, file)) as Record<string, unknown>;
        return Object.entries(exported)
            .filter(([name]) => name.endsWith("_SETTINGS"))
            .map(([name, table]) => ({ name: `${file}: ${name}`, keys: Object.keys(table as object) }));
    });
    expect(tables.length).toBeGreaterThanOrEqual(7);
    const all = tables.flatMap((t) => t.keys);
    expect(all.filter((key, i) => all.indexOf(key) !== i)).toEqual([]);
    expect([...all].sort()).toEqual([...CONFIG_KEYS].sort());
});
