// The configuration reference's tables, made from the schema so that they cannot drift from
// what the program reads (docs/configuration.md holds them; a test compares).
import { SECTIONS, SETTINGS, Section, SettingKey } from "./schema";

/** A table cell's text: its pipes escaped. */
export const escapeCell = (text: string) => text.replace(/\|/g, "\\|");

/** One markdown table per section: key, default, allowed values, meaning. */
export function configurationTables(): string {
    const keys = Object.keys(SETTINGS) as SettingKey[];
    return (Object.keys(SECTIONS) as Section[])
        .map((section) => {
            const rows = keys
                .filter((key) => SETTINGS[key].section === section)
                .map((key) => {
                    const setting = SETTINGS[key];
                    return `| \`${key}\` | ${escapeCell(setting.shownDefault)} | ${escapeCell(setting.allowed)} | ${escapeCell(setting.doc)} |`;
                });
            return [`### ${SECTIONS[section]}`, "", "| key | default | allowed | meaning |", "|---|---|---|---|", ...rows].join("\n");
        })
        .join("\n\n");
}
