// The rules of rules.ts as Pulumi stack policies: each is a stack policy so that rules can
// relate resources (which security group the load balancer uses, which parameters every
// node reads). index.ts serves them; the tests call them as the engine would.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RULES, StackResource } from "./rules";

function toStackResource(resource: PolicyResource): StackResource {
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props,
        protect: resource.opts.protect,
        propertyDependencies: Object.fromEntries(
            Object.entries(resource.propertyDependencies).map(([property, deps]) => [property, deps.map((d) => d.urn)]),
        ),
    };
}

export const policies: StackValidationPolicy[] = RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    validateStack: (args, reportViolation) => {
        for (const violation of rule.check(args.resources.map(toStackResource))) {
            reportViolation(violation.message, violation.urn);
        }
    },
}));
