// Which changed inputs replace a resource instead of updating it in place: the provider's
// decision, made in its diff (terraform-provider-aws's schema ForceNew and CustomizeDiff, which
// pulumi-aws runs unchanged), that Pulumi's mocks cannot know: they take every change as an
// update. diffRegistrations (diff.ts) says what changed; replacedRegistrations says which of
// those changes replace, from this table of the provider's facts, each cited where it is decided.
import { REPLICATION_GROUP_FORCE_NEW_INPUTS } from "../components/aws/cache";
import { Registration, registrationKey } from "./diff";

/** terraform-provider-aws, the upstream of @pulumi/aws 7.x (its `upstream` submodule). */
const TF_AWS = "github.com/hashicorp/terraform-provider-aws";
const REPLICATION_GROUP_GO = `${TF_AWS} internal/service/elasticache/replication_group.go (commit 001b6364: its schema, CustomizeDiff and update)`;
const ENGINE_VERSION_GO = `${TF_AWS} internal/service/elasticache/engine_version.go (customizeDiffEngineForceNewOnDowngrade, engineVersionForceNewOnDowngrade, in main of 2026; since PR #39745, v5.73.0)`;

type Inputs = Record<string, any>;

export interface ConditionalReplacement {
    input: string;
    /** Whether this change of the input replaces the resource. */
    replaces(before: Inputs, after: Inputs): boolean;
    says: string;
    ref: string;
}

export interface ReplacementFacts {
    /** Inputs whose every change replaces the resource (schema ForceNew). */
    forceNew: readonly string[];
    /** Inputs whose change replaces it only sometimes (CustomizeDiff's ForceNewIf). */
    conditional: readonly ConditionalReplacement[];
    /** Changes the provider refuses to make in place: an update fails with this message. */
    updateProblems?: (before: Inputs, after: Inputs) => string | undefined;
    ref: string;
}

/** "8.1" -> [8, 1]; compares the engine versions as the provider's go-version does. */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const difference = (x[i] ?? 0) - (y[i] ?? 0);
        if (difference !== 0) {
            return difference;
        }
    }
    return 0;
}

/** The provider's engine when the input is unset: redis (its create and update imply it). */
const engineOf = (inputs: Inputs) => String(inputs.engine ?? "redis");

export const REPLACEMENT_FACTS: Record<string, ReplacementFacts> = {
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        forceNew: REPLICATION_GROUP_FORCE_NEW_INPUTS,
        conditional: [
            {
                input: "engine",
                // customizeDiffEngineForceNewOnDowngrade: ForceNewIf(engine) unless the change is redis -> valkey.
                replaces: (before, after) => !(engineOf(before) === "redis" && engineOf(after) === "valkey"),
                says: "an engine change replaces the group, except from redis to valkey, which ModifyReplicationGroup makes in place",
                ref: ENGINE_VERSION_GO,
            },
            {
                input: "engineVersion",
                // customizeDiffEngineVersionForceNewOnDowngrade: a lower version (normalizeEngineVersion, go-version) replaces.
                replaces: (before, after) => compareVersions(String(after.engineVersion), String(before.engineVersion)) < 0,
                says: "a lower engine version replaces the group (ElastiCache cannot downgrade); a higher one is an in-place upgrade",
                ref: ENGINE_VERSION_GO,
            },
        ],
        // resourceReplicationGroupUpdate: "must explicitly set 'engine_version' attribute ... when updating engine to 'valkey'".
        updateProblems: (before, after) =>
            engineOf(before) !== "valkey" && engineOf(after) === "valkey" && before.engineVersion === after.engineVersion
                ? "must explicitly set engine_version when updating engine to valkey"
                : undefined,
        ref: REPLICATION_GROUP_GO,
    },
};

/** Why a resource whose inputs went from `before` to `after` is replaced; empty when it is updated in place. */
export function replacementReasons(type: string, before: Inputs, after: Inputs): string[] {
    const facts = REPLACEMENT_FACTS[type];
    if (facts === undefined) {
        throw new Error(`no replacement facts for ${type}: add them to test/replacement.ts before deciding whether it is replaced`);
    }
    const changed = (input: string) => JSON.stringify(before[input]) !== JSON.stringify(after[input]);
    return [
        ...facts.forceNew.filter(changed).map((input) => `${input} changed (ForceNew)`),
        ...facts.conditional.filter((c) => changed(c.input) && c.replaces(before, after)).map((c) => `${c.input}: ${c.says}`),
    ];
}

/** The resources, among those of a type the table knows, that the change from one run to the next replaces. */
export function replacedRegistrations(before: Registration[], after: Registration[]): string[] {
    const old = new Map(before.map((r) => [registrationKey(r), r]));
    return after
        .filter((r) => r.type in REPLACEMENT_FACTS && old.has(registrationKey(r)))
        .filter((r) => replacementReasons(r.type, old.get(registrationKey(r))?.inputs ?? {}, r.inputs).length > 0)
        .map(registrationKey)
        .sort();
}

/** Why the provider would fail to update a resource in place, or undefined. */
export function updateProblem(type: string, before: Inputs, after: Inputs): string | undefined {
    return REPLACEMENT_FACTS[type]?.updateProblems?.(before, after);
}
