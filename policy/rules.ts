// The security and reliability bar of a New API cluster on AWS, as pure checks over the
// resources of a stack. policy/index.ts serves them as a Pulumi policy pack; the tests run
// the same checks offline against what the program registers under mocks. Each tier's rules
// live in rules/; this module lists them in the order the pack and docs/security.md give them.
import { Rule } from "./rules/rule";
import { DATA_TIER_RULES } from "./rules/dataTier";
import { LOAD_BALANCER_RULES } from "./rules/loadBalancer";
import { NODE_RULES } from "./rules/nodes";
import { ENCRYPTION_RULES } from "./rules/encryption";
import { NETWORK_RULES } from "./rules/network";
import { ROLE_RULES } from "./rules/roles";

export { TYPES, isProtectedStack } from "./rules/rule";
export type { Rule, StackResource, Violation } from "./rules/rule";

export const RULES: Rule[] = [
    ...DATA_TIER_RULES,
    ...LOAD_BALANCER_RULES,
    ...NODE_RULES,
    ...ENCRYPTION_RULES,
    ...NETWORK_RULES,
    ...ROLE_RULES,
];
