// The policy pack: `pulumi preview --policy-pack policy`, from the repository root after
// `npm ci` (the pack uses the root's node_modules). See policies.ts and rules.ts.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("new-api-cluster", { policies });
