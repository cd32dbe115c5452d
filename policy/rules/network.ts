// The network's rules, on security groups: nothing open to the internet but the load balancer's
// 80/443, the data tier admits only the nodes, and every group and rule says why it exists.
import { Rule, StackResource, TYPES, ofType } from "./rule";

/** Ingress rules (standalone or inline) with the URN of the security group they open. */
function ingressRules(stack: StackResource[]): { rule: Record<string, any>; groupUrn: string; urn: string; name: string }[] {
    const standalone = ofType(stack, TYPES.ingressRule).map((r) => ({
        rule: r.props,
        groupUrn: r.propertyDependencies.securityGroupId?.[0] ?? "",
        urn: r.urn,
        name: r.name,
    }));
    const inline = ofType(stack, TYPES.securityGroup).flatMap((g) =>
        ((g.props.ingress ?? []) as Record<string, any>[]).map((rule) => ({ rule, groupUrn: g.urn, urn: g.urn, name: g.name })),
    );
    return [...standalone, ...inline];
}

const dependencyUrns = (stack: StackResource[], type: string, property: string) =>
    new Set(ofType(stack, type).flatMap((r) => r.propertyDependencies[property] ?? []));

const opensToWorld = (rule: Record<string, any>) =>
    rule.cidrIpv4 === "0.0.0.0/0" || rule.cidrIpv6 === "::/0" || (rule.cidrBlocks ?? []).includes("0.0.0.0/0");

export const NETWORK_RULES: Rule[] = [
    {
        name: "sg-no-open-ingress",
        description: "Nothing is open to the internet except 80/443 on the load balancer's group.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const albGroups = dependencyUrns(stack, TYPES.alb, "securityGroups");
            return ingressRules(stack)
                .filter(({ rule }) => opensToWorld(rule))
                .filter(({ rule, groupUrn }) => {
                    const webPort = [80, 443].includes(rule.fromPort) && rule.fromPort === rule.toPort;
                    return !(webPort && albGroups.has(groupUrn));
                })
                .map(({ rule, name, urn }) => ({
                    message: `${name}: opens ${rule.fromPort}-${rule.toPort} to the internet; only the load balancer's 80/443 may be`,
                    urn,
                }));
        },
    },
    {
        name: "sg-data-tiers-from-nodes-only",
        description: "The database and cache groups admit only the nodes' group.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const dataGroups = new Set([
                ...dependencyUrns(stack, TYPES.rds, "vpcSecurityGroupIds"),
                ...dependencyUrns(stack, TYPES.cache, "securityGroupIds"),
            ]);
            const nodeGroups = dependencyUrns(stack, TYPES.instance, "vpcSecurityGroupIds");
            return ofType(stack, TYPES.ingressRule)
                .filter((r) => dataGroups.has(r.propertyDependencies.securityGroupId?.[0] ?? ""))
                .filter((r) => {
                    const source = r.propertyDependencies.referencedSecurityGroupId ?? [];
                    const cidr = r.props.cidrIpv4 ?? r.props.cidrIpv6 ?? r.props.prefixListId;
                    return cidr !== undefined || source.length === 0 || !source.every((u) => nodeGroups.has(u));
                })
                .map((r) => ({ message: `${r.name}: admits a source other than the nodes' security group`, urn: r.urn }));
        },
    },
    {
        name: "sg-descriptions",
        description: "Every security group and rule says why it exists.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            [...ofType(stack, TYPES.securityGroup), ...ofType(stack, TYPES.ingressRule), ...ofType(stack, TYPES.egressRule)]
                .filter((r) => !String(r.props.description ?? "").trim())
                .map((r) => ({ message: `${r.name}: has no description; say what it admits and why`, urn: r.urn })),
    },
];
