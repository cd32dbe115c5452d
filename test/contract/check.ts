// Applies the AWS contract (tables/) to what the program registered under mocks: every
// value of every AWS resource, as AWS would receive it, checked against the rules for its type.
import { MOCK_AUTONAME_SUFFIX, Registered, mockId, unwrapSecrets } from "../mockRuntime";
import { Context, ResourceView, Table } from "./rules";
import { CONTRACT } from "./tables";

export interface Violation {
    resource: string;
    rule: string;
    ref: string;
    problem: string;
}

/** The stand-in for the 7 random hex characters the provider appends to an autonamed resource. */
export const AUTONAME_SUFFIX = MOCK_AUTONAME_SUFFIX;

/** The resource as AWS receives it: secrets unwrapped and, where the program set no name, the provider's. */
export function viewOf(resource: Registered, table: Table | undefined): { view: ResourceView; problem?: string } {
    const inputs = unwrapSecrets(resource.inputs);
    const naming = table?.autonaming;
    if (naming && inputs[naming.property] === undefined) {
        const autoname = `${resource.name}${naming.separator}${AUTONAME_SUFFIX}`;
        const name = naming.lowerCase ? autoname.toLowerCase() : autoname;
        inputs[naming.property] = name;
        if (name.length > naming.maxLength) {
            return {
                view: { type: resource.type, name: resource.name, inputs },
                problem: `the provider cannot name it: ${resource.name} plus ${AUTONAME_SUFFIX.length} random characters is longer than ${naming.maxLength}`,
            };
        }
    }
    return { view: { type: resource.type, name: resource.name, inputs } };
}

export function contextOf(views: ResourceView[]): Context {
    const byId = new Map(views.map((v) => [`${v.type}::${mockId(v.name)}`, v]));
    return { resources: views, byId: (type, id) => byId.get(`${type}::${id}`) };
}

/** Every way the registered resources break the AWS contract; empty when AWS would accept them all. */
export function checkContract(resources: Registered[], contract: Record<string, Table> = CONTRACT): Violation[] {
    const violations: Violation[] = [];
    const aws = resources.filter((r) => r.type.startsWith("aws:"));
    const views = aws.map((r) => {
        const table = contract[r.type];
        if (table === undefined) {
            violations.push({ resource: r.name, rule: `${r.type} has a contract table`, ref: "test/contract/tables/", problem: "no rules for this resource type" });
        }
        const { view, problem } = viewOf(r, table);
        if (problem) {
            violations.push({ resource: r.name, rule: "the provider can autoname it", ref: "pulumi-aws provider/autonaming.go", problem });
        }
        return view;
    });
    const context = contextOf(views);
    for (const view of views) {
        for (const rule of contract[view.type]?.rules ?? []) {
            const problem = rule.check(view, context);
            if (problem) {
                violations.push({ resource: view.name, rule: rule.says, ref: rule.ref, problem });
            }
        }
    }
    for (const [type, table] of Object.entries(contract)) {
        const ofType = views.filter((v) => v.type === type);
        for (const rule of table.collective ?? []) {
            for (const problem of rule.check(ofType, context)) {
                violations.push({ resource: type, rule: rule.says, ref: rule.ref, problem });
            }
        }
    }
    return violations;
}
