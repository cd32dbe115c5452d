// The one description of every setting of the stack: its type, default, allowed values, the
// target that reads it and its documentation line. The settings' TypeScript type, the key
// lists, the reading and the documentation's tables all derive from this table; a setting is
// called by its config key everywhere, from the stack file to the resources. Each concern's
// settings live in settings/; this module places them in reading order.
import { Scope, Setting } from "./kinds";
import { CLUSTER_SETTINGS } from "./settings/cluster";
import { EC2_NODE_SETTINGS } from "./settings/nodes";
import { DATA_TIER_SETTINGS } from "./settings/dataTier";
import { NETWORK_SETTINGS } from "./settings/network";
import { FRONT_DOOR_SETTINGS } from "./settings/frontDoor";
import { OPERATIONS_SETTINGS } from "./settings/operations";
import { LOCAL_SETTINGS } from "./settings/local";

export { SECTIONS, secretText } from "./kinds";
export type { ReadContext, Scope, Section, Setting, Target } from "./kinds";

/**
 * Every setting, in reading order: a default may use only the settings above it. The order is
 * the documentation's too (docs/configuration.md, by section).
 */
export const SETTINGS = {
    ...CLUSTER_SETTINGS,
    ...EC2_NODE_SETTINGS,
    ...DATA_TIER_SETTINGS,
    ...NETWORK_SETTINGS,
    ...FRONT_DOOR_SETTINGS,
    ...OPERATIONS_SETTINGS,
    ...LOCAL_SETTINGS,
};

export type SettingKey = keyof typeof SETTINGS;

/** The settings that are secrets. */
export function secretKeysOf(): SettingKey[] {
    return (Object.keys(SETTINGS) as SettingKey[]).filter((key) => SETTINGS[key].secret === true);
}

/** Every setting's value, named by its config key. */
export type Settings = { [K in SettingKey]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never };

export const CONFIG_KEYS: readonly SettingKey[] = Object.keys(SETTINGS) as SettingKey[];

/** The keys only `target` reads. */
export function keysOf(scope: Scope): SettingKey[] {
    return CONFIG_KEYS.filter((key) => SETTINGS[key].scope === scope);
}
