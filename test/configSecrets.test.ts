// Secrets in config: a key stored as a secret is refused by name without its value, and the
// secret settings sessionSecret and cryptoSecret are taken only as secrets of the shape generated.
import { ConfigError, RawConfig, parseClusterConfig } from "../components/config";

describe("parseClusterConfig", () => {
    test("a key stored as a secret is refused by name, its value never shown; other secret keys are not ours", () => {
        expect(() => parseClusterConfig({ extraEnv: '{"A":"hidden-value"}' }, "dev", undefined, ["extraEnv"])).toThrow(
            /^(?![\s\S]*hidden-value)[\s\S]*new-api-cluster:extraEnv = \[secret\]: is stored as a secret/,
        );
        expect(parseClusterConfig({ extraEnv: '{"A":"1"}' }, "dev", undefined, ["slaveCount"]).extraEnv).toEqual({ A: "1" });
    });
});

describe("secret settings: sessionSecret and cryptoSecret", () => {
    const carried = "Abcdefgh1234Abcdefgh1234Abcdefgh1234Abcdefgh1234";
    const parse = (raw: RawConfig, secretKeys: string[], target = "aws") => parseClusterConfig({ target, ...raw }, "dev", undefined, secretKeys);
    const refusal = (raw: RawConfig, secretKeys: string[]): string => {
        try {
            parse(raw, secretKeys);
        } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
            return (e as Error).message;
        }
        throw new Error("expected a refusal");
    };

    test.each(["aws", "docker"])("stored with --secret and shaped as the stack generates them, they are taken as they are (%s)", (target) => {
        const config = parse({ sessionSecret: carried, cryptoSecret: carried.toLowerCase() }, ["sessionSecret", "cryptoSecret"], target);
        expect([config.sessionSecret, config.cryptoSecret]).toEqual([carried, carried.toLowerCase()]);
        expect(parse({}, []).sessionSecret).toBeUndefined();
    });

    test("stored in clear, it is refused without quoting the value", () => {
        const message = refusal({ sessionSecret: carried }, []);
        expect(message).toMatch(
            /new-api-cluster:sessionSecret = \[secret\]: is a secret and is stored in clear in the stack's settings: remove it, then set it with pulumi config set --secret sessionSecret/,
        );
        expect(message).not.toContain(carried);
    });

    test.each([
        ["too short", "Abc123"],
        ["other characters", `${carried.slice(0, 40)}+/=-_!#$`],
        ["a trailing line break", `${carried}\n`],
        ["too long", "a1".repeat(65)],
    ])("of the wrong shape (%s), it is refused without quoting the value", (_, value) => {
        const message = refusal({ cryptoSecret: value }, ["cryptoSecret"]);
        expect(message).toMatch(/new-api-cluster:cryptoSecret = \[secret\]: must be 16-128 letters and digits \(the stack generates 48\)/);
        expect(message).not.toContain(value.trim());
    });

    test("the edges of the shape the nodes' start script accepts are accepted", () => {
        for (const value of ["a1".repeat(8), "Z9".repeat(64)]) {
            expect(parse({ sessionSecret: value }, ["sessionSecret"]).sessionSecret).toBe(value);
        }
    });
});
