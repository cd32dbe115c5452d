// Rules across the nodes, by their role: every node reads the same secrets, a slave cannot read
// the root user's password, and NODE_TYPE matches the master's or a slave's role.
import * as YAML from "yaml";
import { ADMIN_PASSWORD_PARAMETER } from "../../components/naming";
import { Rule, StackResource, TYPES, ofType } from "./rule";

/** Files a cloud-config userData writes, by path; empty when it is not cloud-config. */
function userDataFiles(userData: unknown): Record<string, string> {
    if (typeof userData !== "string" || !userData.startsWith("#cloud-config")) {
        return {};
    }
    const doc = YAML.parse(userData) as { write_files?: { path: string; content: string }[] };
    return Object.fromEntries((doc.write_files ?? []).map((f) => [f.path, f.content]));
}

function nodeEnvironment(props: Record<string, any>): Record<string, string> {
    const content = userDataFiles(props.userData)["/etc/new-api/node.env"] ?? "";
    return Object.fromEntries(
        content
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
}

/**
 * The secret SSM parameters a node's start script reads: its SECRET_PARAMETERS, one
 * "placeholder parameter" line per secret (components/scripts/start.sh).
 */
function secretParametersRead(props: Record<string, any>): string[] {
    const script = userDataFiles(props.userData)["/usr/local/sbin/new-api-start"] ?? "";
    const table = /^SECRET_PARAMETERS='([^']*)'$/m.exec(script)?.[1] ?? "";
    return table
        .split("\n")
        .map((line) => line.split(" ")[1])
        .filter((p) => p !== undefined)
        .sort();
}

const roleOf = (props: Record<string, any>): string | undefined => props.tags?.["new-api:role"];

const ADMIN_PASSWORD_LEAF = `/${ADMIN_PASSWORD_PARAMETER}`;

/** The resources an instance's role may read from Parameter Store: instance -> profile -> role -> inline policies. */
function parameterReadsOf(stack: StackResource[], instance: StackResource): string[] {
    const byUrn = new Map(stack.map((r) => [r.urn, r]));
    const profile = byUrn.get(instance.propertyDependencies.iamInstanceProfile?.[0] ?? "");
    const role = profile?.propertyDependencies.role?.[0];
    if (role === undefined) {
        return [];
    }
    return ofType(stack, TYPES.rolePolicy)
        .filter((p) => p.propertyDependencies.role?.includes(role))
        .flatMap((p) => {
            const statements = (JSON.parse(String(p.props.policy ?? "{}")).Statement ?? []) as { Effect?: string; Action?: string | string[]; Resource?: string | string[] }[];
            return statements
                .filter((s) => s.Effect === "Allow" && [s.Action ?? []].flat().some((a) => a === "*" || a.startsWith("ssm:Get") || a === "ssm:*"))
                .flatMap((s) => [s.Resource ?? []].flat());
        });
}

export const ROLE_RULES: Rule[] = [
    {
        name: "nodes-same-secrets",
        description: "Every node reads the same secret parameters (SESSION_SECRET and CRYPTO_SECRET must match).",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const nodes = ofType(stack, TYPES.instance).filter((r) => roleOf(r.props) !== undefined);
            const master = nodes.find((r) => roleOf(r.props) === "master") ?? nodes[0];
            if (!master) {
                return [];
            }
            const expected = secretParametersRead(master.props).join(",");
            return nodes
                .filter((r) => secretParametersRead(r.props).join(",") !== expected || expected === "")
                .map((r) => ({
                    message: `${r.name}: reads secret parameters [${secretParametersRead(r.props).join(", ")}], the master [${expected}]; every node must read the same`,
                    urn: r.urn,
                }));
        },
    },
    {
        name: "slaves-no-admin-password",
        description: "A slave's instance role cannot read the root user's password (admin-password).",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.instance)
                .filter((r) => roleOf(r.props) === "slave")
                .flatMap((r) => {
                    const readable = parameterReadsOf(stack, r).filter(
                        (resource) => resource === "*" || resource.endsWith(ADMIN_PASSWORD_LEAF) || /\/\*$/.test(resource),
                    );
                    return readable.length === 0
                        ? []
                        : [{ message: `${r.name}: its instance role may read the root user's password (${readable.join(", ")}); give slaves a role that reads only their own parameters`, urn: r.urn }];
                }),
    },
    {
        name: "node-type",
        description: "The master is never NODE_TYPE=slave, and every slave is.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.instance).flatMap((r) => {
                const role = roleOf(r.props);
                const nodeType = nodeEnvironment(r.props).NODE_TYPE;
                if (role === "master" && nodeType === "slave") {
                    return [{ message: `${r.name}: the master has NODE_TYPE=slave; it would skip migrations and background jobs`, urn: r.urn }];
                }
                if (role === "slave" && nodeType !== "slave") {
                    return [{ message: `${r.name}: a slave without NODE_TYPE=slave runs as a second master`, urn: r.urn }];
                }
                return [];
            }),
    },
];
