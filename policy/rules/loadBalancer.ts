// The load balancer's rules: invalid headers, deletion protection, HTTPS and TLS, the setup
// wizard refused at the listener, and access logs.
import { SETUP_PATH } from "../../components/environment";
import { Rule, TYPES, isProtectedStack, ofType, perResource, whenProtected } from "./rule";

/** Spellings of the setup path that New API's router decodes to it. */
const SETUP_SPELLINGS = [SETUP_PATH, SETUP_PATH.replace("/setup", "/%73etup"), SETUP_PATH.replace("/setup", "%2Fsetup")];

/** Whether a listener rule answers every spelling of the setup path itself (a fixed response). */
function refusesSetup(props: Record<string, any>): boolean {
    const fixed = (props.actions ?? []).some((a: { type?: string }) => a.type === "fixed-response");
    const patterns = ((props.conditions ?? []) as { pathPattern?: { values?: string[]; regexValues?: string[] } }[]).flatMap((c) => [
        ...(c.pathPattern?.regexValues ?? []).map((re) => new RegExp(re)),
        ...(c.pathPattern?.values ?? []).map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)),
    ]);
    return fixed && SETUP_SPELLINGS.every((spelling) => patterns.some((re) => re.test(spelling)));
}

export const LOAD_BALANCER_RULES: Rule[] = [
    perResource("alb-drop-invalid-headers", "The ALB drops invalid HTTP header fields (request smuggling).", TYPES.alb, (p) =>
        p.dropInvalidHeaderFields === true ? undefined : "keeps invalid header fields; set dropInvalidHeaderFields: true",
    ),
    whenProtected("alb-protected-deletion-protection", "In a protected stack, the ALB has deletion protection.", TYPES.alb, (p) =>
        p.enableDeletionProtection === true
            ? undefined
            : "the stack is protected but the load balancer has no deletion protection; set enableDeletionProtection: true",
    ),
    {
        name: "alb-https-when-certificate",
        description: "With a certificate, listeners use TLS 1.2+ and port 80 only redirects to HTTPS.",
        enforcementLevel: "mandatory",
        check: (stack) => {
            const listeners = ofType(stack, TYPES.listener);
            if (!listeners.some((l) => l.props.certificateArn)) {
                return [];
            }
            return listeners.flatMap((l) => {
                if (l.props.protocol === "HTTPS" && !/TLS13|TLS-1-2/.test(String(l.props.sslPolicy ?? ""))) {
                    return [{ message: `${l.name}: HTTPS policy ${l.props.sslPolicy} allows TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06`, urn: l.urn }];
                }
                const redirects = (l.props.defaultActions ?? []).every((a: any) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
                if (l.props.protocol === "HTTP" && !redirects) {
                    return [{ message: `${l.name}: a certificate is configured but port ${l.props.port} serves plain HTTP; redirect it to HTTPS`, urn: l.urn }];
                }
                return [];
            });
        },
    },
    {
        name: "alb-https",
        description: "The ALB serves HTTPS (configure a certificate); in a protected stack alb-https-when-protected requires it.",
        enforcementLevel: "advisory",
        check: (stack) =>
            !isProtectedStack(stack) && ofType(stack, TYPES.alb).length > 0 && !ofType(stack, TYPES.listener).some((l) => l.props.protocol === "HTTPS")
                ? ofType(stack, TYPES.alb).map((a) => ({
                      message: `${a.name}: serves plain HTTP only; API keys cross the internet in clear. Configure a certificate`,
                      urn: a.urn,
                  }))
                : [],
    },
    {
        name: "alb-setup-refused",
        description: "Every listener that forwards refuses New API's setup wizard (/api/setup), however it is spelled.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            ofType(stack, TYPES.listener)
                .filter((l) => (l.props.defaultActions ?? []).some((a: { type?: string }) => a.type === "forward"))
                .filter((l) => !ofType(stack, TYPES.listenerRule).some((r) => r.propertyDependencies.listenerArn?.includes(l.urn) && refusesSetup(r.props)))
                .map((l) => ({
                    message: `${l.name}: forwards ${SETUP_PATH} to New API, where the first caller creates the root user; add a rule that answers it with a fixed response`,
                    urn: l.urn,
                })),
    },
    {
        name: "alb-https-when-protected",
        description: "In a protected stack, the ALB serves HTTPS.",
        enforcementLevel: "mandatory",
        check: (stack) =>
            isProtectedStack(stack) && !ofType(stack, TYPES.listener).some((l) => l.props.protocol === "HTTPS")
                ? ofType(stack, TYPES.alb).map((a) => ({
                      message: `${a.name}: a protected stack serves plain HTTP; set new-api-cluster:certificateArn, or domainName with hostedZoneId`,
                      urn: a.urn,
                  }))
                : [],
    },
    perResource(
        "alb-access-logs",
        "The ALB writes access logs; in a protected stack alb-access-logs-when-protected requires it.",
        TYPES.alb,
        (p, stack) =>
            isProtectedStack(stack) || p.accessLogs?.enabled === true
                ? undefined
                : "writes no access logs; set new-api-cluster:albAccessLogs true",
        "advisory",
    ),
    // AWSGuard knows the access-log check only under the classic ELB's type names.
    whenProtected("alb-access-logs-when-protected", "In a protected stack, the ALB writes access logs.", TYPES.alb, (p) =>
        p.accessLogs?.enabled === true
            ? undefined
            : "the stack is protected but the load balancer writes no access logs; set new-api-cluster:albAccessLogs true",
    ),
];
